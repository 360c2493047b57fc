"""The verdict of a spec run: one outcome per test, one cell per (clause, implementation), and the
table, JSON and Markdown that ``python -m spec`` shows and writes.

A test's outcome is one of ``OUTCOMES``. A clause's verdict for one cell type (LSTM, GRU,
SimpleRNN), on one layer or stacked ("stacked GRU": ``VARIANTS``), is the most severe outcome
among its tests run with that cell (in the order of
``OUTCOMES``); a clause none of whose tests ran shows "not run". A pass or a known deviation of
tests that the implementation could take only in part (right-padded masks only, say) says so:
"pass (right-padded masks only)". The table's entry is the LSTM's verdict, followed by each
other cell whose verdict differs ("pass; GRU: known deviation"); a cell the implementation does
not offer (all its tests n/a) is left out, and the first row lists the cells each offers; a cell
it offers whose tests of a clause are all n/a shows it ("pass; GRU, SimpleRNN: n/a": its
classifier trains the LSTM only, say). A
clause whose tests run an exported copy in each runtime (``every_runtime``) has a verdict per
runtime, runtimes of the same verdict together ("ONNX Runtime, LiteRT: pass; OpenVINO: known
deviation, GRU: pass").
"""
import json

from ..contract import CELLS, DEFAULT_RUNTIME, LSTM_CELL, RUNTIMES
from .deviations import Cause

PASS, FAIL, ERROR = "pass", "FAIL", "ERROR"
DEVIATION, NOT_APPLICABLE = "known deviation", "n/a"
NOT_INSTALLED, NOT_RUN = "not installed", "not run"
# Most severe first: a clause with one failing test fails.
OUTCOMES = (FAIL, ERROR, NOT_RUN, DEVIATION, PASS, NOT_APPLICABLE, NOT_INSTALLED)
MEANING = {
    PASS: "every test of the clause passed",
    FAIL: "a test found the implementation breaking the clause (a spec assertion failed)",
    ERROR: "a test could not run to a verdict: the implementation raised an exception the clause "
           "does not allow, or could not be built",
    DEVIATION: "the implementation declares that it breaks this clause (KNOWN_DEVIATIONS), and "
               "it does",
    NOT_APPLICABLE: "the clause needs what the implementation does not offer: an optional "
                    "factory (make_classifier or make_sequence_model), masks or the loops",
    NOT_INSTALLED: "the framework the implementation needs is not installed",
    NOT_RUN: "no test of the clause ran (deselected, or the run stopped early)",
}


def implementation_line(name, target, description):
    """``name (target): description``, the target left out where it is the name: how every
    report names an implementation."""
    return f"{name}{f' ({target})' if target != name else ''}: {description}"


# The variants of a model a clause has a verdict for: each cell type, on one layer and stacked,
# by the key ``by_cell`` gives it (the cell's, "stacked <cell>" for its stacks).
VARIANTS = {cell if not stacked else f"stacked {cell}": (cell, stacked)
            for stacked in (False, True) for cell in CELLS}


def variant_title(variant):
    """How the table names a variant: "GRU", "stacked GRU"."""
    cell, stacked = VARIANTS[variant]
    return "stacked " * stacked + CELLS[cell].title


def most_severe(outcomes):
    """The most severe of ``outcomes`` (in the order of ``OUTCOMES``); "not run" if none."""
    return next((outcome for outcome in OUTCOMES if outcome in outcomes), NOT_RUN)




class Verdict:
    """Outcomes collected from runs: ``add(clause, implementation, outcome)``, plus what each
    implementation said about itself."""

    def __init__(self, clauses, implementations):
        self.clauses, self.implementations = dict(clauses), list(implementations)
        self.outcomes = {}        # (clause, implementation, variant, runtime) -> [outcome, ...]
        self.restrictions = {}    # (clause, implementation, variant, runtime) -> {restriction}
        self.about = {name: {"description": "", "target": name, "causes": [],
                             "problems": [], "cpu_seconds": 0.0, "wall_seconds": None,
                             "error": None, "not_installed": None}
                      for name in self.implementations}

    def title(self, name):
        about = self.about[name]
        return implementation_line(name, about["target"], about["description"])

    def add(self, clause, implementation, outcome, restriction="", cell=LSTM_CELL,
            runtime=DEFAULT_RUNTIME, stacked=False):
        key = (clause, implementation, f"stacked {cell}" if stacked else cell, runtime)
        self.outcomes.setdefault(key, []).append(outcome)
        if restriction:
            self.restrictions.setdefault(key, set()).add(restriction)

    def runtimes(self, clause):
        """The runtimes a clause's tests ran exported copies in, in ``RUNTIMES``' order: none
        (an empty list) unless some ran in a runtime other than ONNX Runtime."""
        seen = {runtime for (c, _, _, runtime) in self.outcomes if c == clause}
        return [r for r in RUNTIMES if r in seen] if seen - {DEFAULT_RUNTIME} else []

    def by_runtime(self, clause, implementation):
        """``{runtime: {cell: verdict}}`` of a clause that runs in several runtimes."""
        return {runtime: self.by_cell(clause, implementation, runtime)
                for runtime in self.runtimes(clause)}

    def by_cell(self, clause, implementation, runtime=DEFAULT_RUNTIME):
        """``{variant: verdict}`` of a clause (in ``runtime``) for each variant (``VARIANTS``)
        its tests ran with (the LSTM always)."""
        if self.about[implementation]["error"]:
            return {LSTM_CELL: ERROR}
        if self.about[implementation]["not_installed"]:
            return {LSTM_CELL: NOT_INSTALLED}
        verdicts = {}
        for cell in VARIANTS:
            found = self.outcomes.get((clause, implementation, cell, runtime))
            if found is None and cell != LSTM_CELL:
                continue
            outcome = most_severe(found or [])
            restrictions = self.restrictions.get((clause, implementation, cell, runtime))
            verdicts[cell] = f"{outcome} ({', '.join(sorted(restrictions))})" \
                if restrictions and outcome in (PASS, DEVIATION) else outcome
        return verdicts

    def cell(self, clause, implementation):
        """The table's entry: the LSTM's verdict, then each offered cell's that differs; per
        runtime for a clause that runs in several, runtimes of the same entry together."""
        about = self.about[implementation]
        offered = self._offered(implementation)
        if not self.runtimes(clause) or about["error"] or about["not_installed"]:
            return "; ".join(self._cells(self.by_cell(clause, implementation), offered))
        entries = {}
        for runtime, verdicts in self.by_runtime(clause, implementation).items():
            entries.setdefault(", ".join(self._cells(verdicts, offered)),
                               []).append(RUNTIMES[runtime].title)
        return "; ".join(f"{', '.join(titles)}: {entry}" for entry, titles in entries.items())

    @staticmethod
    def _cells(verdicts, offered):
        """The LSTM's verdict, then each other cell's that differs ("GRU: FAIL"), cells of the
        same verdict together; n/a only for a cell the implementation offers (``offered``: its
        classifier does not train that cell, say)."""
        lstm, grouped = verdicts.pop(LSTM_CELL), {}
        for cell, verdict in verdicts.items():
            if verdict != lstm and (verdict != NOT_APPLICABLE or cell in offered):
                grouped.setdefault(verdict, []).append(variant_title(cell))
        return [lstm, *(f"{', '.join(titles)}: {v}" for v, titles in grouped.items())]

    def _offered(self, implementation):
        """The variants the implementation offers: the LSTM, and each with a test that was not
        n/a."""
        return [cell for cell in VARIANTS if cell == LSTM_CELL or any(
            outcome != NOT_APPLICABLE for (_, name, c, _), found in self.outcomes.items()
            if name == implementation and c == cell for outcome in found)]

    def offered_cells(self, implementation):
        """The first row's entry: the cell types the implementation offers, then those it
        stacks ("LSTM, GRU; stacked: LSTM")."""
        about = self.about[implementation]
        if about["error"] or about["not_installed"]:
            return "-"
        offered = self._offered(implementation)
        single = [CELLS[VARIANTS[v][0]].title for v in offered if not VARIANTS[v][1]]
        stacked = [CELLS[VARIANTS[v][0]].title for v in offered if VARIANTS[v][1]]
        return ", ".join(single) + (f"; stacked: {', '.join(stacked)}" if stacked else "")

    def tests_run(self, implementation):
        return sum(len(found) for (_, name, _, _), found in self.outcomes.items()
                   if name == implementation)

    def failed(self):
        """Whether the run shows any failure: a FAIL or ERROR verdict of any cell, or an
        implementation that ran no test at all (a selection that matched nothing is not a
        pass)."""
        return any(verdict in (FAIL, ERROR) for c in self.clauses for i in self.implementations
                   for runtime in self.runtimes(c) or [DEFAULT_RUNTIME]
                   for verdict in self.by_cell(c, i, runtime).values()) or any(
            self.tests_run(i) == 0 and not self.about[i]["not_installed"]
            for i in self.implementations)

    def rows(self, clauses=None):
        return [[clause, *(self.cell(clause, name) for name in self.implementations)]
                for clause in clauses or self.clauses]

    def cells_row(self):
        return ["cell types", *(self.offered_cells(name) for name in self.implementations)]

    def table(self, clauses=None):
        """The clause-by-implementation table as text (of ``clauses``, default all), after a
        row of the cell types each implementation offers."""
        rows = [["clause", *self.implementations], self.cells_row()] + self.rows(clauses)
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(text.ljust(width) for text, width in zip(row, widths)).rstrip()
                 for row in rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        return "\n".join(lines)

    def as_dict(self):
        return {"clauses": [{"id": clause, "title": title,
                             "verdicts": dict(zip(self.implementations, row[1:])),
                             "by_cell": {name: self.by_cell(clause, name)
                                         for name in self.implementations},
                             **({"by_runtime": {name: self.by_runtime(clause, name)
                                                for name in self.implementations}}
                                if self.runtimes(clause) else {})}
                            for (clause, title), row in zip(self.clauses.items(), self.rows())],
                "implementations": self.about,
                "outcomes": {outcome: MEANING[outcome] for outcome in OUTCOMES}}

    def json(self):
        return json.dumps(self.as_dict(), indent=2) + "\n"

    def markdown(self):
        """The table, then each implementation: what it is, its CPU time, and each cause of its
        known deviations once, with the tests it covers."""
        lines = ["| # | clause | " + " | ".join(self.implementations) + " |",
                 "|---|---|" + "---|" * len(self.implementations),
                 "| | cell types | " + " | ".join(self.cells_row()[1:]) + " |"]
        for number, row in enumerate(self.rows(), 1):
            lines.append(f"| {number} | `{row[0]}` | " + " | ".join(row[1:]) + " |")
        lines.append("")
        for name, about in self.about.items():
            where = f" (`{about['target']}`)" if about["target"] != name else ""
            what = about["error"] or about["description"]
            cpu = "" if about["not_installed"] else f"; {about['cpu_seconds']:.0f} s of CPU"
            lines.append(f"- **{name}**{where}: {what}{cpu}")
            for cause in map(Cause.from_dict, about["causes"]):
                lines.append(f"  - known deviation: {cause.headline}")
                lines += [f"    - {line}" for line in cause.details()]
            lines += [f"  - warning: {problem}" for problem in about["problems"]]
        return "\n".join(lines) + "\n"
