"""``python -m spec``: run the spec against implementations and print one row per clause.

    python -m spec                          # the bundled implementations (reference, keras)
    python -m spec --impl my_pkg.my_lstm    # your own (repeat --impl for several)
    python -m spec --impl reference -- -x   # anything after -- goes to pytest

Exit status 1 if any clause fails for any implementation (a declared known deviation is not a
failure), 0 otherwise.
"""
import argparse
import sys
from pathlib import Path

import pytest

from .clauses import CLAUSES
from .implementations import BUNDLED

SPEC_DIR = Path(__file__).parent
PASS, FAIL, DEVIATION, NOT_APPLICABLE = "pass", "FAIL", "known deviation", "n/a"


class ClauseResults:
    """A pytest plugin collecting each test's outcome under (clause, implementation)."""

    def __init__(self):
        self.outcomes = {}   # (clause, implementation) -> list of outcomes

    def pytest_runtest_logreport(self, report):
        properties = dict(report.user_properties)    # set by the spec's plugin
        if "clause" not in properties or (report.when != "call" and report.passed):
            return
        key = properties["clause"], properties["impl"]
        if report.failed:
            outcome = FAIL
        elif hasattr(report, "wasxfail"):
            outcome = DEVIATION
        elif report.skipped:
            outcome = NOT_APPLICABLE
        else:
            outcome = PASS
        self.outcomes.setdefault(key, []).append(outcome)

    def cell(self, clause, implementation):
        found = self.outcomes.get((clause, implementation), [])
        for outcome in (FAIL, DEVIATION, PASS):
            if outcome in found:
                return outcome
        return NOT_APPLICABLE


def table(results, implementations):
    """The clause-by-implementation table as text."""
    rows = [["clause", *implementations]] + [
        [clause, *(results.cell(clause, name) for name in implementations)] for clause in CLAUSES]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(row, widths)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python -m spec", description=__doc__.split("\n")[0])
    parser.add_argument("--impl", action="append", metavar="NAME",
                        help=f"implementation: {', '.join(BUNDLED)} or a dotted module path "
                             f"(repeatable; default: all bundled)")
    parser.add_argument("--hypothesis-profile", default="ci", metavar="NAME",
                        help="hypothesis profile: dev, ci (default, derandomized), thorough")
    args = parser.parse_args(argv)
    implementations = args.impl or list(BUNDLED)
    results = ClauseResults()
    exit_code = pytest.main(
        [str(SPEC_DIR), "-q", "-p", "no:cacheprovider", "-o", "addopts=",
         "-W", "ignore::pytest.PytestAssertRewriteWarning",  # spec is imported before pytest runs
         "--hypothesis-profile", args.hypothesis_profile,
         *(f"--impl={name}" for name in implementations), *extra], plugins=[results])
    print()
    print(table(results, implementations))
    failed = any(results.cell(c, i) == FAIL for c in CLAUSES for i in implementations)
    return 1 if failed or exit_code != pytest.ExitCode.OK else 0


if __name__ == "__main__":
    sys.exit(main())
