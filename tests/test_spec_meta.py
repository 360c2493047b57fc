"""Meta-tests of the spec's structure and helpers: every clause in SPEC.md has tests and every test
a clause; the clause parser, the implementation loader, the strategies and the assertion helpers
do what they say."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import stateful_lstm
from spec import assertions, strategies as sst
from spec.__main__ import ClauseResults, table
from spec.clauses import CLAUSES, SPEC_PATH, module_name, read_clauses
from spec.implementations import load_implementation


@pytest.fixture
def spec_items(pytester):
    """The spec's collected test items (for the reference)."""
    items, _ = pytester.inline_genitems(str(SPEC_PATH.parent), "-o", "addopts=",
                                        "--impl=reference",
                                        "-W", "ignore::pytest.PytestAssertRewriteWarning")
    return items


def test_every_clause_has_tests_and_every_spec_test_names_its_clause(spec_items):
    marked = {}
    for item in spec_items:
        markers = list(item.iter_markers("clause"))
        assert len(markers) == 1, f"{item.nodeid} has {len(markers)} clause markers, needs one"
        clause = markers[0].args[0]
        assert item.module.__name__.rsplit(".", 1)[-1] == module_name(clause), \
            f"{item.nodeid} is marked {clause!r} but is not in {module_name(clause)}.py"
        marked.setdefault(clause, []).append(item.name)
    assert set(marked) == set(CLAUSES), f"clauses without tests: {set(CLAUSES) - set(marked)}"


def test_spec_states_its_clauses_in_order():
    assert list(CLAUSES) == ["carry-per-index", "stateless-zero-start", "reset-clears",
                             "in-batch-flow", "state-access", "bad-batch-rejected",
                             "reference-agreement", "training-agreement",
                             "training-carries-state", "position-only-alphabet",
                             "alphabet-remedies"]
    assert read_clauses("## 1. `a-b`: title\n## 2. `c`: other\n") == {"a-b": "title", "c": "other"}


def test_keras_known_deviations_name_existing_spec_tests(spec_items):
    from stateful_lstm import keras_lstm
    names = {item.originalname for item in spec_items}
    assert set(keras_lstm.KNOWN_DEVIATIONS) <= names


@pytest.mark.parametrize("name, expected", [
    ("reference", stateful_lstm),
    ("stateful_lstm", stateful_lstm),
    ("tests.broken_impls.never_carries", None),
    ("tests.broken_impls:rows_leak", None),
])
def test_load_implementation_finds_aliases_modules_and_attributes(name, expected):
    found = load_implementation(name)
    assert callable(found.make_lstm)
    if expected is not None:
        assert found is expected


@pytest.mark.parametrize("name, message", [
    ("no_such_module_xyz", "cannot load implementation 'no_such_module_xyz'"),
    ("tests.broken_impls.no_such_thing", "has no attribute 'no_such_thing'"),
    ("numpy", r"has no callable make_lstm"),
])
def test_load_implementation_explains_what_is_wrong(name, message):
    with pytest.raises(ValueError, match=message):
        load_implementation(name)


@given(data=st.data(), steps=st.integers(2, 12), min_parts=st.integers(2, 4))
def test_splits_cover_the_sequence_in_nonempty_consecutive_parts(data, steps, min_parts):
    parts = data.draw(sst.splits(steps, min_parts=min(min_parts, steps)))
    assert len(parts) >= min(min_parts, steps)
    assert parts[0][0] == 0 and parts[-1][1] == steps
    assert all(a < b for a, b in parts) and all(p[1] == q[0] for p, q in zip(parts, parts[1:]))


@given(setup=sst.setups(), states=st.data())
def test_drawn_setups_and_states_stay_in_the_stated_ranges(setup, states):
    assert 1 <= setup.batch_size <= 8 and 1 <= setup.input_dim <= 5 and 1 <= setup.units <= 8
    shapes = [w.shape for w in setup.weights]
    assert shapes == [(setup.input_dim, 4 * setup.units), (setup.units, 4 * setup.units),
                      (4 * setup.units,)]
    assert all(w.dtype == np.float32 and np.abs(w).max() <= 1 for w in setup.weights)
    h, c = states.draw(sst.carried_states(setup.batch_size, setup.units))
    assert np.abs(h).max() <= 1 and np.abs(c).max() <= 3


def test_assertion_helpers_fail_with_messages_naming_the_call():
    with pytest.raises(AssertionError, match=r"outputs \[case\]"):
        assertions.assert_close(np.zeros(3), np.full(3, 1e-3), "outputs [case]")
    assertions.assert_close(np.zeros(3), np.full(3, 5e-6), "within tolerance")
    with pytest.raises(AssertionError, match=r"h \[case\]: shape \(2,\), but should be \(3,\)"):
        assertions.assert_close(np.zeros(2), np.zeros(3), "h [case]")
    with pytest.raises(AssertionError, match=r"c: should be exactly"):
        assertions.assert_identical(np.float32([1e-30]), np.float32([0]), "c")
    with pytest.raises(AssertionError, match=r"out: dtype=float64, but should be float32"):
        assertions.assert_float32(np.zeros(2), (2,), "out")


def test_the_table_shows_pass_fail_deviation_and_not_applicable():
    results = ClauseResults()
    results.outcomes = {("carry-per-index", "a"): ["pass", "FAIL"],
                        ("carry-per-index", "b"): ["pass"],
                        ("reset-clears", "b"): ["pass", "known deviation"]}
    lines = table(results, ["a", "b"]).splitlines()
    assert lines[0].split() == ["clause", "a", "b"]
    assert lines[2].split() == ["carry-per-index", "FAIL", "pass"]
    assert lines[4].split() == ["reset-clears", "n/a", "known", "deviation"]
    assert len(lines) == 2 + len(CLAUSES)
