"""What a session that targets the spec records and shows: each spec test's outcome as data
(``OUTCOME`` in its reports' ``user_properties``: what ``python -m spec`` counts), the report
header (each implementation, its version, and each cause of its known deviations once, with the
tests it covers), a failure section naming the clause and the implementation, and a summary of
the known deviations, each cause once with its tests' outcomes."""
import pytest
from hypothesis import settings

from ..assertions import NotApplicable, SpecViolation
from ..clauses import CLAUSES
from ..contract import CELLS, DEFAULT_RUNTIME, LSTM_CELL, RUNTIMES
from . import verdicts as v
from .deviations import cause_lines
from .items import cell_of, clause_of
from .session import CAUSE, PLANNED, implementations
from .time_limit import TimeLimitExceeded

OUTCOME = "outcome"            # the user_properties key of a spec test's outcome
_OUTCOME = pytest.StashKey[str]()       # an item's outcome so far (the most severe of its phases)


def header(config):
    """The report header's lines."""
    lines = ["stateful-lstm-spec implementations under test:"]
    for implementation in implementations(config).values():
        lines.append(f"  {implementation.title()}")
        for cause in implementation.causes:
            lines += cause_lines(cause, "    ")
        lines += [f"    warning: {problem}" for problem in implementation.problems]
        if implementation.compiles_per_shape:
            sizes = "the palette of sizes" if implementation.palette else "all sizes"
            lines.append(f"    compiles per input shape: {sizes} (--stateful-lstm-all-sizes; "
                         f"SPEC.md)")
    limit = config.getoption("stateful_lstm_timeout")
    shrink = "shrunk" if config.getoption("stateful_lstm_shrink") else \
        "not shrunk (--stateful-lstm-shrink)"
    return lines + [f"  hypothesis profile: {settings.get_current_profile_name()}; failures "
                    f"{shrink}; time limit per test: {f'{limit:g} s' if limit else 'none'}"]


def phase_outcome(item, report, call):
    """The outcome one phase's report shows (``verdicts.OUTCOMES``)."""
    if report.skipped:
        if call.excinfo and isinstance(call.excinfo.value, NotApplicable):
            return v.NOT_APPLICABLE
        return v.DEVIATION if hasattr(report, "wasxfail") else item.stash.get(PLANNED, v.NOT_RUN)
    if report.failed:
        error = call.excinfo.value if call.excinfo else None
        if report.when == "call" and (isinstance(error, SpecViolation) or
                                      (error is None and CAUSE in item.stash)):
            return v.FAIL          # a violation, or a declared deviation that now passes
        return v.ERROR
    return v.PASS


def record(item, call, report, name):
    """Record the test's outcome in ``report`` (the most severe so far); on a failure, add a
    report section naming the clause, the implementation and how to rerun just this test."""
    phase, so_far = phase_outcome(item, report, call), item.stash.get(_OUTCOME, v.PASS)
    # A passing phase changes nothing once the test is skipped, failed or a deviation; a failing
    # one (a teardown error, say) is recorded whatever came before.
    outcome = phase if so_far == v.PASS else \
        v.most_severe([so_far, phase]) if phase in (v.FAIL, v.ERROR) else so_far
    item.stash[_OUTCOME] = outcome
    report.user_properties = [*report.user_properties, (OUTCOME, outcome)]
    clause = clause_of(item)
    if clause and report.failed and report.when == "call":
        report.sections.append(("stateful-lstm-spec", failure_section(item, call, name, clause)))


def failure_section(item, call, name, clause):
    implementation = implementations(item.config)[name]
    error = call.excinfo.value if call.excinfo else None
    number = list(CLAUSES).index(clause) + 1
    if isinstance(error, SpecViolation):
        what = "a spec assertion failed"
    elif isinstance(error, TimeLimitExceeded):
        what = f"it ran out of time (--stateful-lstm-timeout {implementation.timeout:g})"
    elif error is None:
        what = "it passed, but the implementation declares it as a known deviation: " \
               "remove the test from KNOWN_DEVIATIONS"
    else:
        what = f"the implementation raised {type(error).__name__}, which no clause allows here"
    return (f"clause {number}, {clause!r} (SPEC.md section {number}: {CLAUSES[clause]})\n"
            f"implementation {implementation.title()}\n"
            f"failure: {what}\n"
            f"rerun only this test: pytest --pyargs spec --stateful-lstm-impl {name} "
            f"--stateful-lstm-cell {cell_of(item)} -k '{item.name}'")


def where(cell, runtime, stacked=False):
    """`` (GRU, LiteRT, stacked)``: a test's cell, runtime and stacking where they are not the
    LSTM, ONNX Runtime and one layer."""
    named = [CELLS[cell].title] * (cell != LSTM_CELL) + \
        [RUNTIMES[runtime].title] * (runtime != DEFAULT_RUNTIME) + ["stacked"] * bool(stacked)
    return f" ({', '.join(named)})" if named else ""


def summary(terminalreporter, config):
    """Each cause of a known deviation once, with the outcome of each test it covers."""
    outcomes = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            properties = dict(getattr(report, "user_properties", ()))
            if getattr(report, "when", None) == "teardown" and OUTCOME in properties:
                test = report.nodeid.split("::")[-1].split("[")[0]
                ran = properties["cell"], properties["runtime"], properties["stacked"]
                outcomes.setdefault((properties["impl"], test, ran[0]), {})[ran] = \
                    properties[OUTCOME]
    lines = []
    for name, implementation in implementations(config).items():
        for cause in implementation.causes:
            seen = {(t, *where): outcome for t in cause.tests for c in CELLS
                    if implementation.cause_for(t, c) is cause
                    for where, outcome in outcomes.get((name, t, c), {}).items()}
            if seen:
                lines += [f"{name}: known deviation: {cause.headline}",
                          *(f"  {test}{where(cell, runtime, stacked)}: {outcome}"
                            for (test, cell, runtime, stacked), outcome in seen.items())]
    if lines:
        terminalreporter.write_sep("=", "stateful-lstm-spec known deviations, by cause")
        for line in lines:
            terminalreporter.write_line(line)
