"""Meta-tests: the spec fails each deliberately broken implementation on the clause it breaks, by a
failed spec assertion (``SpecViolation``), not by the harness or the implementation raising.

A spec that passes a broken implementation is the worst bug this project can have. Each broken
implementation registered in ``broken_impls.py`` is run (in-process, ``stateful-lstm-quick``
profile: the default examples, no shrinking; those of one clause in one pytest session) against
the test of the clause it breaks that its ``@breaks`` names, which must fail with a spec
violation (the outcome the plugin records). The
reference passing every clause is the main spec run."""
import sys

import pytest
from hypothesis import settings

from spec.clauses import (
    CLAUSES,
    SPEC_PATH,
    every_cell_test_names,
    module_name,
    spec_test_names,
    stacked_test_names,
)
from spec.contract import CELLS
from spec.harness.reporting import OUTCOME
from spec.harness.runner import CONFORMANCE_INI
from spec.harness.verdicts import FAIL
from tests.broken_impls import BROKEN, CORRECT


def run_clause(pytester, monkeypatch, clause, implementations, tests=None):
    """Run one clause's test module (or only ``tests``: ``{implementation's run ID: test
    name}``)
    against ``implementations`` in-process, in one pytest session; the reports of its tests'
    calls.

    The module is imported afresh, as hypothesis binds a test's settings when it is decorated."""
    module = SPEC_PATH.parent / f"{module_name(clause)}.py"
    monkeypatch.delitem(sys.modules, f"spec.{module_name(clause)}", raising=False)
    profile = settings.get_current_profile_name()
    selected = [f"{module}::{test}[{impl}]" for impl, test in tests.items()] if tests else \
        [str(module)]
    try:
        recorder = pytester.inline_run(
            *selected, "-c", str(CONFORMANCE_INI),
            *(f"--stateful-lstm-impl={impl}" for impl in implementations),
            "--hypothesis-profile=stateful-lstm-quick")
    finally:
        settings.load_profile(profile)      # the nested run loaded its own
    return [r for r in recorder.getreports("pytest_runtest_logreport") if r.when == "call"]


def outcomes(reports):
    """The outcome the plugin recorded for each report."""
    return [dict(r.user_properties).get(OUTCOME) for r in reports]


# Slow: a clause that trains a text model twice per implementation (5 s in NumPy).
SLOW_CLAUSES = {"streams-carry-context"}


@pytest.mark.parametrize("clause", [
    pytest.param(clause, marks=[pytest.mark.slow] * (clause in SLOW_CLAUSES))
    for clause in sorted({broken.clause for broken in BROKEN.values()})])
def test_spec_fails_each_broken_implementation_on_its_clause(pytester, monkeypatch, clause):
    # Every implementation that breaks the clause, in one session: each on the test it names,
    # in the run of the cell (and stacking) it breaks (a run's ID ends in "-gru", "-stacked"...).
    breaking = {f"tests.broken_impls.{name}": broken for name, broken in BROKEN.items()
                if broken.clause == clause}
    runs = {impl + broken.run_suffix: impl for impl, broken in breaking.items()}
    reports = run_clause(pytester, monkeypatch, clause, breaking,
                         {run: breaking[impl].caught_by for run, impl in runs.items()})
    found = {runs[r.nodeid.rsplit("[", 1)[1][:-1]]: (r.outcome, o)
             for r, o in zip(reports, outcomes(reports))}
    escaped = [f"{impl.rsplit('.', 1)[1]} ({' '.join(broken.made_of.__doc__.split())}): the spec's "
               f"{broken.caught_by} gave {found.get(impl, 'no report')}"
               for impl, broken in breaking.items() if found.get(impl, (None,))[1] != FAIL]
    assert not escaped, (f"clause {clause!r} found no violation (a spec assertion failure) in "
                         f"implementations that break it: " + "; ".join(escaped))


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_spec_passes_a_correct_implementation_that_differs_from_the_reference(
        pytester, monkeypatch, name):
    correct = CORRECT[name]
    reports = run_clause(pytester, monkeypatch, correct.clause, [f"tests.broken_impls.{name}"])
    assert reports and all(r.passed for r in reports), \
        f"{name} ({correct.made_of.__doc__}) is correct, but failed {correct.clause!r}: " \
        f"{[r.nodeid for r in reports if not r.passed]}"


def test_every_clause_is_broken_by_some_implementation():
    assert {broken.clause for broken in BROKEN.values()} == set(CLAUSES)


def test_each_clause_that_runs_every_cell_is_broken_for_each_cell():
    for clause in CLAUSES:
        if every_cell_test_names(clause):
            broken_cells = {broken.cell for broken in BROKEN.values() if broken.clause == clause}
            assert broken_cells == set(CELLS), (clause, broken_cells)


def test_each_broken_implementation_names_a_test_of_its_clause_that_catches_it():
    for name, broken in BROKEN.items():
        assert broken.caught_by in spec_test_names(broken.clause), (name, broken)
        assert broken.cell == "lstm" or broken.caught_by in every_cell_test_names(), (name, broken)
        assert not broken.stacked or broken.caught_by in stacked_test_names(), (name, broken)


def test_stacks_are_broken_in_each_way_users_get_them_wrong():
    # Issue 29: a reset of the top layer only, two layers' states swapped, a layer fed the last
    # output of the one below only; each caught where stacks run (clauses 1-7).
    stacked = {broken.clause for broken in BROKEN.values() if broken.stacked}
    assert len([b for b in BROKEN.values() if b.stacked]) >= 3
    assert stacked <= {clause for clause in CLAUSES if stacked_test_names(clause)}


def test_reference_passes_a_clause_module_run_the_same_way(pytester, monkeypatch):
    # The control for the runs above: the same in-process run passes on the reference.
    reports = run_clause(pytester, monkeypatch, "carry-per-index", ["reference"])
    # Two tests, three cells, each on one layer and stacked.
    assert [r.outcome for r in reports] == ["passed"] * 12
