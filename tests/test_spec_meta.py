"""Meta-tests of the spec's structure and helpers: every clause in SPEC.md has tests and every test
a clause; the clause parser, the implementation loader, the strategies and the assertion helpers
do what they say."""
import ast
import collections
import importlib
import itertools
import re
import sys
from pathlib import Path

import hypothesis
import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st

import stateful_lstm
from spec import assertions, contract
from spec import strategies as sst
from spec.clauses import (
    CLAUSES,
    SPEC_PATH,
    list_of_tests,
    module_name,
    read_clauses,
    spec_test_names,
)
from spec.contract import FACTORIES, signature
from spec.harness.cores import THREAD_VARIABLES, thread_limits
from spec.harness.deviations import read_deviations
from spec.harness.loader import ImplementationError, load_implementation
from spec.harness.runner import CONFORMANCE_INI
from spec.harness.verdicts import Verdict
from spec.models import make_model
from spec.run import Run, given
from stateful_lstm.adapters import BUNDLED

ROOT = Path(__file__).parents[1]


@pytest.fixture
def spec_items(pytester):
    """The spec's collected test items (for the reference)."""
    items, _ = pytester.inline_genitems(str(SPEC_PATH.parent), "-c",
                                        str(CONFORMANCE_INI),
                                        "--stateful-lstm-impl=reference")
    return items


def test_spec_md_ends_with_the_tests_of_each_clause():
    # What KNOWN_DEVIATIONS names, listed where an adapter writer reads the clauses.
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert text.endswith("\n" + list_of_tests()), \
        "SPEC.md's last section is stale: replace it with `python -m spec --list-tests`"


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
    numbers = [int(n) for n in re.findall(r"^## (\d+)\. `", SPEC_PATH.read_text(encoding="utf-8"),
                                          re.MULTILINE)]
    assert numbers == list(range(1, len(CLAUSES) + 1)), f"clause numbers {numbers}"
    assert read_clauses("## 1. `a-b`: title\n## 2. `c`: other\n") == {"a-b": "title", "c": "other"}


def test_spec_test_names_are_read_without_importing_the_modules(spec_items):
    assert spec_test_names() == {item.originalname for item in spec_items}


@pytest.mark.parametrize("alias", [name for name in BUNDLED if name != "reference"])
def test_each_bundled_deviation_is_a_cause_with_its_evidence(alias):
    # Every cause a bundled adapter declares is in the list form, names spec tests, and cites the
    # versions, the upstream search and a repro script that exists.
    module = importlib.import_module(BUNDLED[alias])
    causes, problems = read_deviations(alias, module.KNOWN_DEVIATIONS)
    assert not problems and causes and isinstance(module.KNOWN_DEVIATIONS, list)
    for cause in causes:
        assert cause.title and cause.versions and cause.upstream, cause
        assert (ROOT / cause.repro).is_file() and cause.repro.startswith("repros/"), cause
        assert set(cause.tests) <= spec_test_names(), cause


def test_the_dict_shorthand_groups_tests_by_reason_into_causes():
    causes, problems = read_deviations("x", {
        "test_batch_split_along_time_equals_one_call": "same",
        "test_row_i_continues_row_i_of_the_previous_batch": "same",
        "test_reset_is_idempotent": "other"})
    assert not problems
    assert [(c.tests, c.reason) for c in causes] == [
        (("test_batch_split_along_time_equals_one_call",
          "test_row_i_continues_row_i_of_the_previous_batch"), "same"),
        (("test_reset_is_idempotent",), "other")]


def test_a_clause_id_stands_for_every_test_of_the_clause():
    causes, _ = read_deviations("x", [{"tests": ["reset-clears"], "reason": "r"}])
    assert set(causes[0].tests) == spec_test_names("reset-clears")


@pytest.mark.parametrize("declared, problem", [
    ([{"tests": ["test_reset_is_idempotent"]}], "needs the fields tests, reason"),
    ([{"tests": "test_reset_is_idempotent", "reason": "r"}], "needs the fields tests, reason"),
    ([{"tests": ["test_reset_is_idempotent"], "reason": "r", "link": "x"}], "received ['link'"),
    ([{"tests": ["no_such_test"], "reason": "r"}], "names 'no_such_test', which is not a spec"),
    ([{"tests": ["test_reset_is_idempotent"], "reason": "a"},
      {"tests": ["test_reset_is_idempotent"], "reason": "b"}], "in more than one cause"),
    ([{"tests": ["test_reset_is_idempotent"], "reason": "a", "cells": ["gru"]},
      {"tests": ["test_reset_is_idempotent"], "reason": "b", "cells": ["gru"]}],
     "in more than one cause"),
    ([{"tests": ["test_reset_is_idempotent"], "reason": "r", "cells": ["lstm", "rnn"]}],
     "names cells ['rnn']"),
    ([{"tests": ["test_reset_is_idempotent"], "reason": "r", "cells": "gru"}],
     "cells: a list of cell types"),
    ([{"tests": ["test_reset_is_idempotent"], "reason": "r", "aborts": "yes"}],
     "aborts: True or False"),
    ("test_reset_is_idempotent", "must be a list of causes"),
])
def test_a_malformed_cause_is_a_problem_not_a_guess(declared, problem):
    causes, problems = read_deviations("x", declared)
    assert len(problems) == 1 and problem in problems[0], problems
    assert len(causes) <= 1


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
    ("no_such_file.py", r"no such file"),
])
def test_load_implementation_explains_what_is_wrong(name, message):
    with pytest.raises(ImplementationError, match=message):
        load_implementation(name)


def test_load_implementation_accepts_a_file_path_and_reports_a_failing_import(tmp_path,
                                                                              monkeypatch):
    (tmp_path / "helper_mod.py").write_text("VALUE = 3\n")
    (tmp_path / "file_impl.py").write_text(
        "import helper_mod\nfrom stateful_lstm import make_lstm\nSEEN = helper_mod.VALUE\n")
    (tmp_path / "raising_impl.py").write_text("raise RuntimeError('broken on import')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    for module in ("file_impl", "helper_mod"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    for name in [str(tmp_path / "file_impl.py"), "file_impl.py", "./file_impl.py"]:
        assert load_implementation(name).SEEN == 3       # with its folder on the path
    with pytest.raises(ImplementationError, match="RuntimeError: broken on import"):
        load_implementation("raising_impl.py")


@given(data=st.data(), steps=st.integers(2, 12), min_parts=st.integers(2, 4))
def test_splits_cover_the_sequence_in_nonempty_consecutive_parts(data, steps, min_parts):
    parts = data.draw(sst.splits(steps, min_parts=min(min_parts, steps)))
    assert len(parts) >= min(min_parts, steps)
    assert parts[0][0] == 0 and parts[-1][1] == steps
    assert all(a < b for a, b in parts) and all(p[1] == q[0] for p, q in zip(parts, parts[1:]))


def test_a_cause_for_some_cells_listed_first_takes_them_from_a_cause_for_every_cell():
    causes, problems = read_deviations("x", [
        {"tests": ["test_reset_is_idempotent"], "reason": "crashes", "cells": ["gru"],
         "aborts": True},
        {"tests": ["test_reset_is_idempotent", "test_reset_makes_h_and_c_exactly_zero"],
         "reason": "zeros"}])
    assert not problems
    first, second = causes
    assert first.covers("gru") and not first.covers("lstm") and first.aborts
    assert second.tests == ("test_reset_is_idempotent", "test_reset_makes_h_and_c_exactly_zero")
    assert all(second.covers(cell) for cell in contract.CELLS) and not second.aborts
    assert "not run: the tests end the process (see the repro)" in first.details()
    assert "cells: GRU" in first.details()


@pytest.mark.parametrize("cell", list(contract.CELLS))
def test_setups_and_states_take_the_shapes_of_the_cell_the_test_runs_with(cell):
    @hypothesis.given(setup=sst.setups().strategy(Run(cell=cell)), data=st.data())
    def check(setup, data):
        shapes = contract.CELLS[cell].weight_shapes(setup.input_dim, setup.units)
        assert setup.cell == cell and [w.shape for w in setup.weights] == shapes
        states = data.draw(sst.carried_states(setup.batch_size, setup.units, setup.cell))
        assert len(states) == len(setup.zero_states()) == len(contract.CELLS[cell].states)
        assert all(s.shape == (setup.batch_size, setup.units) for s in states)
        model = make_model(stateful_lstm, setup)
        assert [w.shape for w in model.get_weights()] == shapes
        assert len(model.get_states()) == len(states)
    check()


@given(setup=sst.setups())
def test_a_printed_setup_rebuilds_exactly_the_same_weights(setup):
    # A falsifying example in a log must be enough to rerun the case.
    rebuilt = eval(repr(setup), {"Setup": sst.Setup, "array": np.array,    # noqa: S307
                                 "float32": np.float32})
    assert (rebuilt.batch_size, rebuilt.input_dim, rebuilt.units) == \
        (setup.batch_size, setup.input_dim, setup.units)
    for got, drawn in zip(rebuilt.weights, setup.weights):
        assert got.dtype == drawn.dtype and got.tobytes() == drawn.tobytes()


@given(setup=sst.setups(), states=st.data())
def test_drawn_setups_and_states_stay_in_the_stated_ranges(setup, states):
    assert 1 <= setup.batch_size <= 8 and 1 <= setup.input_dim <= 5 and 1 <= setup.units <= 8
    shapes = [w.shape for w in setup.weights]
    assert shapes == [(setup.input_dim, 4 * setup.units), (setup.units, 4 * setup.units),
                      (4 * setup.units,)]
    assert all(w.dtype == np.float32 and np.abs(w).max() <= 1 for w in setup.weights)
    h, c = states.draw(sst.carried_states(setup.batch_size, setup.units))
    assert np.abs(h).max() <= 1 and np.abs(c).max() <= 3


def test_the_palette_holds_each_ranges_two_smallest_sizes_and_its_largest():
    assert sst.palette(1, 8) == [1, 2, 8] and sst.palette(0, 12) == [0, 1, 12]
    assert sst.palette(2, 3) == [2, 3] and sst.palette(5, 5) == [5]


def test_l9_pairs_every_level_of_any_two_sizes_exactly_once():
    for a, b in itertools.combinations(range(4), 2):
        pairs = sorted((row[a], row[b]) for row in sst.L9)
        assert pairs == sorted(itertools.product(range(3), repeat=2)), (a, b)


PALETTE = Run(palette=True)


def test_in_the_palette_run_mode_a_model_s_sizes_are_one_of_nine_shapes():
    seen = set()

    @settings(max_examples=200, database=None)
    @given(data=st.data())
    def draw(data):
        for setup in (data.draw(sst.setups(max_classes=sst.MAX_CLASSES).strategy(PALETTE)),
                      data.draw(sst.sequence_setups().strategy(PALETTE))):
            seen.add((type(setup).__name__, *(getattr(setup, name, None) for name in (
                "batch_size", "input_dim", "units", "n_classes", "vocab_size",
                "embedding_dim"))))
    draw()
    kinds = collections.Counter(shape[0] for shape in seen)   # (drawn freely: up to 81 each)
    assert set(kinds) == {"Setup", "SequenceSetup"} and max(kinds.values()) <= 9, sorted(seen)


def test_in_the_palette_run_mode_a_test_that_needs_two_rows_builds_shapes_the_others_build():
    seen = collections.defaultdict(set)

    @settings(max_examples=200, database=None)
    @given(data=st.data())
    def draw(data):
        for least in (1, 2):
            setup = data.draw(sst.setups(min_batch=least).strategy(PALETTE))
            seen[least].add((setup.batch_size, setup.input_dim, setup.units))
    draw()
    assert min(batch for batch, _, _ in seen[2]) == 2
    assert seen[2] < seen[1] and len(seen[1]) == 9, dict(seen)


@given(data=st.data())
def test_in_the_palette_run_mode_every_drawn_size_is_a_palette_size(data):
    setup = data.draw(sst.setups(max_classes=sst.MAX_CLASSES).strategy(PALETTE))
    steps = data.draw(sst.timesteps(min_value=0).strategy(PALETTE))
    assert setup.batch_size in (1, 2, 8) and setup.input_dim in (1, 2, 5)
    assert setup.units in (1, 2, 8) and steps in (0, 1, 12) and setup.n_classes in (2, 3, 6)
    inner = data.draw(sst.setups())                   # the default run: every size
    assert 1 <= inner.batch_size <= 8


def test_outside_the_palette_every_size_of_a_range_is_drawn():
    seen = set()

    @given(batch=sst.batch_sizes())
    @settings(max_examples=200, database=None)
    def collect(batch):
        seen.add(batch)
    collect()
    assert seen == set(range(1, 9))


@pytest.mark.parametrize("cores, processes, share", [(2, 2, "1"), (8, 2, "4"), (8, 3, "2"),
                                                     (2, 4, "1"), (1, 1, "1"), (4, 1, "4")])
def test_thread_limits_share_the_cores_among_the_processes(monkeypatch, cores, processes, share):
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    assert thread_limits(processes, environ={}) == dict.fromkeys(THREAD_VARIABLES, share)


@pytest.mark.parametrize("name", THREAD_VARIABLES)
def test_thread_limits_leave_a_callers_own_thread_setting_alone(name):
    assert thread_limits(2, environ={name: "3", "PATH": "/bin"}) == {}


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
    with pytest.raises(assertions.SpecViolation, match=r"h: dtype=float64, but should be float32"):
        assertions.assert_identical(np.zeros(2), np.zeros(2, np.float32), "h")   # bit for bit
    assertions.assert_within(np.float32([1.0, 2.0]), np.array([0.5, 2.0]), np.array([1.5, 2.0]),
                             "in range")
    with pytest.raises(assertions.SpecViolation, match=r"w: 1 of 2 values outside the allowed "
                                                       r"range; first at index \(1,\)"):
        assertions.assert_within(np.float32([1.0, 2.1]), np.array([0.5, 2.0]),
                                 np.array([1.5, 2.0]), "w")


def test_the_table_shows_the_most_severe_outcome_of_each_clause():
    verdict = Verdict(CLAUSES, ["a", "b"])
    for clause, name, outcome in [("carry-per-index", "a", "pass"), ("carry-per-index", "a", "FAIL"),
                                  ("carry-per-index", "b", "pass"), ("reset-clears", "b", "pass"),
                                  ("reset-clears", "b", "known deviation"),
                                  ("reset-clears", "a", "ERROR"), ("reset-clears", "a", "pass")]:
        verdict.add(clause, name, outcome)
    lines = verdict.table().splitlines()
    assert lines[0].split() == ["clause", "a", "b"]
    assert lines[2].split() == ["cell", "types", "LSTM", "LSTM"]
    assert lines[3].split() == ["carry-per-index", "FAIL", "pass"]
    assert lines[5].split() == ["reset-clears", "ERROR", "known", "deviation"]
    assert lines[4].split() == ["stateless-zero-start", "not", "run", "not", "run"]
    assert len(lines) == 3 + len(CLAUSES)
    assert verdict.failed()


def test_the_table_shows_each_cell_whose_verdict_differs_from_the_lstms():
    verdict = Verdict(CLAUSES, ["a", "b"])
    for clause, name, outcome, cell in [
            ("carry-per-index", "a", "pass", "lstm"), ("carry-per-index", "a", "pass", "gru"),
            ("carry-per-index", "a", "known deviation", "simple_rnn"),
            ("carry-per-index", "b", "pass", "lstm"), ("carry-per-index", "b", "n/a", "gru"),
            ("reset-clears", "a", "pass", "lstm"), ("reset-clears", "a", "FAIL", "gru"),
            ("training-agreement", "a", "pass", "lstm"), ("training-agreement", "a", "n/a", "gru"),
            ("training-agreement", "a", "n/a", "simple_rnn"),
            ("training-agreement", "b", "pass", "lstm"), ("training-agreement", "b", "n/a", "gru")]:
        verdict.add(clause, name, outcome, cell=cell)
    assert verdict.cell("carry-per-index", "a") == "pass; SimpleRNN: known deviation"
    assert verdict.cell("carry-per-index", "b") == "pass"       # no GRU: left out
    # a cell offered but not trained shows it; one not offered does not
    assert verdict.cell("training-agreement", "a") == "pass; GRU, SimpleRNN: n/a"
    assert verdict.cell("training-agreement", "b") == "pass"
    assert verdict.offered_cells("a") == "LSTM, GRU, SimpleRNN"
    assert verdict.offered_cells("b") == "LSTM"
    assert verdict.by_cell("reset-clears", "a") == {"lstm": "pass", "gru": "FAIL"}
    assert verdict.failed()             # a failing GRU fails the run
    rows = verdict.markdown().splitlines()
    assert rows[2] == "| | cell types | LSTM, GRU, SimpleRNN | LSTM |"


def test_a_clause_run_in_each_runtime_shows_each_runtimes_verdict():
    verdict = Verdict(CLAUSES, ["a", "b"])
    for name, outcome, cell, runtime in [
            ("a", "pass", "lstm", "onnxruntime"), ("a", "pass", "gru", "onnxruntime"),
            ("a", "pass", "lstm", "openvino"), ("a", "known deviation", "gru", "openvino"),
            ("a", "pass", "lstm", "litert"), ("a", "pass", "gru", "litert"),
            ("b", "pass", "lstm", "onnxruntime"), ("b", "FAIL", "lstm", "litert"),
            ("b", "not installed", "lstm", "openvino")]:
        verdict.add("exported-copy", name, outcome, cell=cell, runtime=runtime)
    verdict.add("reset-clears", "a", "pass")
    assert verdict.cell("exported-copy", "a") == \
        "ONNX Runtime, LiteRT: pass; OpenVINO: pass, GRU: known deviation"
    assert verdict.cell("exported-copy", "b") == \
        "ONNX Runtime: pass; OpenVINO: not installed; LiteRT: FAIL"
    assert verdict.cell("reset-clears", "a") == "pass"          # a clause of no runtime
    assert verdict.by_runtime("exported-copy", "a")["openvino"] == \
        {"lstm": "pass", "gru": "known deviation"}
    assert verdict.failed()             # LiteRT's failure fails the run, not hidden by the others
    assert "by_runtime" in verdict.as_dict()["clauses"][list(CLAUSES).index("exported-copy")]


def test_spec_md_states_each_factory_signature_as_the_contract_module_does():
    text = SPEC_PATH.read_text(encoding="utf-8")
    for factory in FACTORIES:
        assert f"\n    {signature(factory)}\n" in text, signature(factory)


def test_the_reference_and_the_example_satisfy_the_contract_protocols():
    assert isinstance(stateful_lstm.make_lstm(units=2, input_dim=1, stateful=False), contract.LSTM)
    classifier = stateful_lstm.make_classifier(units=2, input_dim=1, n_classes=3, stateful=False)
    assert isinstance(classifier, contract.Classifier)
    sequence = stateful_lstm.make_sequence_model(vocab_size=3, embedding_dim=2, units=2,
                                                 stateful=False)
    assert isinstance(sequence, contract.SequenceModel)


def imports_of(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
    return found


def test_the_library_never_imports_the_spec_but_its_commands_may():
    for path in (ROOT / "stateful_lstm").rglob("*.py"):
        if "commands" not in path.parts:
            assert not {m for m in imports_of(path) if m.split(".")[0] == "spec"}, path


def test_no_test_module_imports_another_test_module():
    for path in [*(ROOT / "spec").glob("test_*.py"), *(ROOT / "tests").glob("test_*.py")]:
        assert not {m for m in imports_of(path) if m.rsplit(".", 1)[-1].startswith("test_")}, path
