"""The verdict of a spec run: one outcome per test, one cell per (clause, implementation), and the
table, JSON and Markdown that ``python -m spec`` shows and writes.

A test's outcome is one of ``OUTCOMES``. A clause's cell is the most severe outcome among its tests
(in the order of ``OUTCOMES``); a clause none of whose tests ran shows "not run".
"""
import json

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
    NOT_APPLICABLE: "the clause needs an optional factory (make_classifier or "
                    "make_sequence_model) that the implementation does not offer",
    NOT_INSTALLED: "the framework the implementation needs is not installed",
    NOT_RUN: "no test of the clause ran (deselected, or the run stopped early)",
}


def outcome_of(reports):
    """The outcome of one test from its pytest reports (setup, call, teardown)."""
    for report in reports:
        if report.failed:
            violation = dict(report.user_properties).get("failure") == "violation"
            # A declared deviation that now passes fails too (strict xfail): the list is stale.
            return FAIL if violation or "XPASS(strict)" in str(report.longrepr) else ERROR
    for report in reports:
        if report.skipped:
            if hasattr(report, "wasxfail"):
                return DEVIATION
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            reason = reason.removeprefix("Skipped: ")
            for outcome in (NOT_APPLICABLE, NOT_INSTALLED, NOT_RUN):
                if reason.startswith(outcome if outcome != NOT_APPLICABLE else "not applicable"):
                    return outcome
            return NOT_RUN
    return PASS


def cell(outcomes):
    """The clause's cell from its tests' outcomes."""
    for outcome in OUTCOMES:
        if outcome in outcomes:
            return outcome
    return NOT_RUN


class Verdict:
    """Outcomes collected from runs: ``add(clause, implementation, outcome)``, plus what each
    implementation said about itself."""

    def __init__(self, clauses, implementations):
        self.clauses, self.implementations = dict(clauses), list(implementations)
        self.outcomes = {}        # (clause, implementation) -> [outcome, ...]
        self.about = {name: {"describe": "", "known_deviations": {}, "problems": [],
                             "seconds": None, "error": None} for name in self.implementations}

    def add(self, clause, implementation, outcome):
        self.outcomes.setdefault((clause, implementation), []).append(outcome)

    def cell(self, clause, implementation):
        if self.about[implementation]["error"]:
            return ERROR
        return cell(self.outcomes.get((clause, implementation), []))

    def tests_run(self, implementation):
        return sum(len(found) for (_, name), found in self.outcomes.items()
                   if name == implementation)

    def failed(self):
        """Whether the run shows any failure: a FAIL or ERROR cell, or an implementation that
        ran no test at all (a selection that matched nothing is not a pass)."""
        return any(self.cell(c, i) in (FAIL, ERROR) for c in self.clauses
                   for i in self.implementations) or any(
            self.tests_run(i) == 0 for i in self.implementations)

    def rows(self):
        return [[clause, *(self.cell(clause, name) for name in self.implementations)]
                for clause in self.clauses]

    def table(self):
        """The clause-by-implementation table as text."""
        rows = [["clause", *self.implementations]] + self.rows()
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(text.ljust(width) for text, width in zip(row, widths)).rstrip()
                 for row in rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        return "\n".join(lines)

    def as_dict(self):
        return {"clauses": [{"id": clause, "title": title,
                             "verdicts": dict(zip(self.implementations, row[1:]))}
                            for (clause, title), row in zip(self.clauses.items(), self.rows())],
                "implementations": self.about,
                "outcomes": {outcome: MEANING[outcome] for outcome in OUTCOMES}}

    def json(self):
        return json.dumps(self.as_dict(), indent=2) + "\n"

    def markdown(self):
        lines = ["| # | clause | " + " | ".join(self.implementations) + " |",
                 "|---|---|" + "---|" * len(self.implementations)]
        for number, row in enumerate(self.rows(), 1):
            lines.append(f"| {number} | `{row[0]}` | " + " | ".join(row[1:]) + " |")
        lines.append("")
        for name, about in self.about.items():
            seconds = f", {about['seconds']:.0f} s" if about["seconds"] is not None else ""
            lines.append(f"- **{name}**: {about['error'] or about['describe']}{seconds}")
            lines += [f"  - known deviation, `{test}`: {reason}"
                      for test, reason in about["known_deviations"].items()]
            lines += [f"  - warning: {problem}" for problem in about["problems"]]
        return "\n".join(lines) + "\n"
