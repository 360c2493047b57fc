"""Meta-tests: the spec fails each deliberately broken implementation on the clause it breaks.

A spec that passes a broken implementation is the worst bug this project can have. Each broken
implementation in ``broken_impls.py`` is run (in-process, ``ci`` profile) against the test module of
the clause it breaks; at least one test there must fail. The reference passing every clause is the
main spec run."""
import sys

import pytest
from hypothesis import settings

from spec.clauses import CLAUSES, SPEC_PATH, module_name
from tests.broken_impls import BREAKS


def run_clause(pytester, monkeypatch, clause, implementation):
    """Run one clause's test module against ``implementation`` in-process (``detect`` profile).

    The module is imported afresh, as hypothesis binds a test's settings when it is decorated."""
    module = SPEC_PATH.parent / f"{module_name(clause)}.py"
    monkeypatch.delitem(sys.modules, f"spec.{module_name(clause)}", raising=False)
    profile = settings._current_profile
    try:
        return pytester.runpytest_inprocess(
            str(module), "-o", "addopts=", f"--impl={implementation}",
            "--hypothesis-profile=detect", "-p", "no:cacheprovider",
            "-W", "ignore::pytest.PytestAssertRewriteWarning")
    finally:
        settings.load_profile(profile)      # the nested run loaded its own


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_spec_fails_the_broken_implementation_on_its_clause(pytester, monkeypatch, name):
    broken, clause = BREAKS[name]
    result = run_clause(pytester, monkeypatch, clause, f"tests.broken_impls.{name}")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1, (
        f"the spec's {clause!r} tests passed an implementation that breaks it: "
        f"{name} ({broken.__doc__}); outcomes {outcomes}")


def test_every_clause_is_broken_by_some_implementation():
    assert {clause for _, clause in BREAKS.values()} == set(CLAUSES)


def test_reference_passes_a_clause_module_run_the_same_way(pytester, monkeypatch):
    # The control for the runs above: the same in-process run passes on the reference.
    result = run_clause(pytester, monkeypatch, "carry-per-index", "reference")
    result.assert_outcomes(passed=2)
