"""The spec in other people's hands: its pytest plugin stays out of other projects' runs, and each
mistake a user can make (a name that does not load, a factory that raises, an implementation that
hangs, a malformed KNOWN_DEVIATIONS, an unknown profile) gets one clear message. Each test runs
pytest the way a user does: the ``pytest`` script in a folder of their own."""
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from spec.clauses import runs_of, spec_test_names
from spec.harness.cores import THREAD_VARIABLES
from spec.harness.loader import known_names

# Each test runs pytest in a process of its own, as a user does: the slow run's.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[1]
PYTEST = shutil.which("pytest", path=str(Path(sys.executable).parent)) or "pytest"
FAST = "-k", "test_batch_split_along_time_equals_one_call"    # one quick spec test


def spec_items(*clauses):
    """How many spec test items one implementation gets (of ``clauses``, default all): each
    test once per cell type (every_cell) and runtime (every_runtime)."""
    return runs_of(spec_test_names(*clauses))


def run(args, cwd, **env):
    """Run a command as a user would; its exit status and output (stdout and stderr)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STATEFUL_LSTM")}
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**environment, **env})
    return done.returncode, done.stdout + done.stderr


def write(folder, name, code):
    (folder / name).write_text(textwrap.dedent(code), encoding="utf-8")


def test_another_projects_options_fixtures_and_tests_are_left_alone(tmp_path):
    # A project with its own --impl option and impl fixture, in the same environment as the kit.
    write(tmp_path, "conftest.py", """
        import pytest
        def pytest_addoption(parser):
            parser.addoption("--impl", default="mine")
        @pytest.fixture
        def impl(request):
            return request.config.getoption("--impl")
        """)
    write(tmp_path, "test_x.py", """
        def test_x(impl):
            assert impl == "theirs"
        """)
    code, out = run([PYTEST, "-v", "--impl", "theirs", "-p", "no:cacheprovider"], tmp_path)
    assert code == 0, out
    assert "test_x.py::test_x PASSED" in out           # run once, not per implementation
    assert "implementations under test" not in out     # no header either


def test_a_session_that_does_not_target_the_spec_imports_nothing_of_it(tmp_path):
    # The plugin alone (no other plugin autoloaded), in another project's trivial session.
    write(tmp_path, "test_modules.py", """
        import sys
        def test_modules():
            loaded = {m.split(".")[0] for m in sys.modules}
            assert not {"numpy", "hypothesis", "stateful_lstm"} & loaded, sorted(loaded)
        """)
    code, out = run([PYTEST, "-p", "spec.harness.plugin", "-p", "no:cacheprovider",
                     "test_modules.py"], tmp_path, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    assert code == 0 and "1 passed" in out, out


def test_the_checkouts_own_conftest_changes_nothing_in_another_folders_run(tmp_path):
    # An editable install makes `pytest --pyargs spec` load the conftest.py above spec/; in this
    # checkout's own run it deselects the other frameworks and marks Keras' tests slow, which
    # would change the verdict depending on how the kit was installed.
    assert (ROOT / "conftest.py").is_file()
    code, out = run([PYTEST, "--pyargs", "spec", "--co", "-q", "-m", "not slow",
                     "-p", "no:cacheprovider", *FAST], tmp_path)
    assert code == 0, out
    assert all(f"[{name}]" in out for name in known_names()), out


def test_the_profiles_and_names_are_the_projects_own():
    # ("default" and "ci" are hypothesis' own profiles, which the spec leaves as they are.)
    code = ("import spec.harness.profiles\nfrom hypothesis import settings\n"
            "for name in ['default', 'random', 'thorough', 'quick']:\n"
            "    assert settings.get_profile('stateful-lstm-' + name).print_blob\n"
            "for name in ['random', 'thorough', 'quick', 'detect']:\n"
            "    try:\n        settings.get_profile(name)\n    except Exception:\n        pass\n"
            "    else:\n        raise SystemExit(name + ' is registered')\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_private_hypothesis_api_is_used():
    private = re.compile(r"settings\._\w|_hypothesis_internal")
    for path in [*ROOT.glob("spec/**/*.py"), *ROOT.glob("stateful_lstm/**/*.py"),
                 *ROOT.glob("tests/*.py")]:
        if path.name != Path(__file__).name:
            assert not private.search(path.read_text(encoding="utf-8")), path


def test_xdist_workers_share_the_cores_unless_the_user_chose(tmp_path, monkeypatch):
    # Each of -n 2 workers gets half the cores for NumPy's BLAS (spec/harness/cores.py).
    for name in THREAD_VARIABLES:         # as set for this run's own workers
        monkeypatch.delenv(name, raising=False)
    write(tmp_path, "test_threads.py", """
        import os
        from pathlib import Path
        def test_threads():
            Path("seen.txt").write_text(os.environ.get("OPENBLAS_NUM_THREADS", "unset"))
        """)
    args = [PYTEST, "-n", "2", "-p", "no:cacheprovider", "--stateful-lstm-impl=reference",
            "test_threads.py"]
    for env, seen in [({}, str(max(1, os.cpu_count() // 2))), ({"OMP_NUM_THREADS": "2"}, "unset")]:
        code, out = run(args, tmp_path, **env)
        assert code == 0, out
        assert (tmp_path / "seen.txt").read_text() == seen, env


def test_plain_pytest_runs_without_xdist():
    code, out = run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-q", "--co",
                     "tests/test_spec_meta.py"], ROOT)
    assert code == 0, out


@pytest.mark.parametrize("name, files, message", [
    ("no_such_module_xyz", {}, "cannot load implementation 'no_such_module_xyz': "
                               "ModuleNotFoundError: No module named 'no_such_module_xyz'"),
    ("raises_on_import", {"raises_on_import.py": "raise RuntimeError('no GPU here')\n"},
     "cannot load implementation 'raises_on_import': RuntimeError: no GPU here"),
    ("no_factory", {"no_factory.py": "def make_model(): pass\n"},
     "implementation 'no_factory' has no callable make_lstm(*, units: int, input_dim: int, "
     "stateful: bool, batch_size: int | None = None, seed: int = 0, layers: int = 1)"),
    ("missing.py", {}, "cannot load implementation 'missing.py': no such file"),
])
def test_a_name_that_does_not_load_is_one_usage_error(tmp_path, name, files, message):
    for file, code in files.items():
        write(tmp_path, file, code)
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", name], tmp_path)
    assert code == pytest.ExitCode.USAGE_ERROR, out
    assert message in out and out.count("ERROR") == 1 and "INTERNALERROR" not in out, out
    assert len(out.splitlines()) <= 5, out


def test_shards_split_the_selected_spec_tests_between_them(tmp_path):
    def collected(*args):
        code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "reference",
                         "--stateful-lstm-impl", "keras", "--co", "-q", *args], tmp_path)
        assert code == 0, out
        return [line for line in out.splitlines() if "::" in line]
    every = collected()
    shards = [collected("--stateful-lstm-shard", f"{k}/2") for k in range(2)]
    assert sorted(shards[0] + shards[1]) == sorted(every) and not set(shards[0]) & set(shards[1])
    # a test function's runs (implementations and cells) stay in one shard
    assert not {t.split("[")[0] for t in shards[0]} & {t.split("[")[0] for t in shards[1]}
    # each kind of model is built in one shard only: the LSTM's property tests in shard 0 with
    # the long trainings, the classifier's and the sequence model's in shard 1
    assert any("test_carry_per_index" in t for t in shards[0]) and \
        not any("test_carry_per_index" in t for t in shards[1])
    assert any("classifier" in t for t in shards[1]) and \
        not any("classifier" in t for t in shards[0])
    assert any("test_position_only_alphabet" in t for t in shards[0])
    assert any("test_batch1_copy" in t for t in shards[1])
    one_kind = [collected("-k", "carry_per_index", "--stateful-lstm-shard", f"{k}/2")
                for k in range(2)]     # one kind only: every other test function
    # (each function: two implementations x three cells, on one layer and stacked)
    assert len(one_kind[0]) == len(one_kind[1]) == 12, one_kind


def test_a_bare_layer_implementation_splits_its_tests_between_the_shards(tmp_path):
    # Its tests of the classifier and the sequence model are n/a (they end at once): the tests
    # that apply, all of the bare layers' kind, are dealt every other test function.
    write(tmp_path, "layers_only.py", "from stateful_lstm import make_gru, make_lstm\n")

    def collected(*args):
        code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "layers_only.py",
                         "--co", "-q", *args], tmp_path)
        assert code == 0, out
        return [line.split("[")[0] for line in out.splitlines() if "::" in line]
    every = set(collected())
    shards = [set(collected("--stateful-lstm-shard", f"{k}/2")) for k in range(2)]
    assert shards[0] | shards[1] == every and not shards[0] & shards[1]
    bare = {t for t in every if "carry_per_index" in t or "stateless_zero_start" in t}
    assert len(bare & shards[0]) >= 2 and len(bare & shards[1]) >= 2, shards


@pytest.mark.parametrize("value", ["2/2", "a/b"])
def test_a_malformed_shard_is_a_usage_error(tmp_path, value):
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "reference",
                     f"--stateful-lstm-shard={value}"], tmp_path)
    assert code == pytest.ExitCode.USAGE_ERROR and "--stateful-lstm-shard" in out, out
    assert "expected K/N" in out, out


def test_an_implementation_that_compiles_per_shape_gets_the_palette_of_sizes(tmp_path):
    write(tmp_path, "compiled.py", """
        import stateful_lstm
        COMPILES_PER_SHAPE = True
        def make_lstm(**config):      # (the plugin's first probe is units=2, batch_size=2)
            if config["units"] not in (1, 2, 8) or config["batch_size"] not in (None, 1, 2, 8):
                raise RuntimeError(f"a size off the palette: {config}")
            return stateful_lstm.make_lstm(**config)
        """)
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "compiled", *FAST],
                    tmp_path)
    assert code == 0 and "1 passed" in out, out
    assert "compiles per input shape: the palette of sizes" in out, out
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "compiled", *FAST,
                     "--stateful-lstm-all-sizes"], tmp_path)
    assert code == 1 and "a size off the palette" in out, out


def test_a_failure_is_not_shrunk_unless_asked(tmp_path):
    # Counted by the models it builds: no more with the profile named on the command line (as
    # python -m spec names it) than without, and more when shrinking is asked for. (Any
    # implementation: one that compiles per model pays a compilation per shrink step.)
    write(tmp_path, "forgetful.py", """
        import os
        import stateful_lstm
        def make_lstm(**config):
            with open(os.environ["BUILT"], "a") as built:
                built.write("model\\n")
            model = stateful_lstm.make_lstm(**config)
            forward = model.predict_on_batch
            def predict_on_batch(x):       # forgets its state at every call
                model.reset_states()
                return forward(x)
            model.predict_on_batch = predict_on_batch
            return model
        """)
    built = {}
    for name, options in {"default": [], "named": ["--hypothesis-profile=stateful-lstm-default"],
                          "shrink": ["--stateful-lstm-shrink"]}.items():
        counter = tmp_path / f"{name}.txt"
        code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "forgetful", *FAST,
                         *options], tmp_path, BUILT=str(counter))
        assert code == 1 and "1 failed" in out, out
        built[name] = len(counter.read_text().splitlines())
    assert built["named"] == built["default"] < built["shrink"], built


def test_a_declared_run_draws_every_example_a_cells_run_has(tmp_path):
    # Counted by the GRUs built: the GRU run of a test undeclared (a sixth of the examples),
    # undeclared with --stateful-lstm-cell-examples (all of them), and declared as a known
    # deviation (which then passes: a strict expected failure that errs), which draws them all.
    write(tmp_path, "counted.py", """
        import os
        import stateful_lstm
        from stateful_lstm import make_lstm
        KNOWN_DEVIATIONS = [{"tests": ["test_batch_split_along_time_equals_one_call"],
                             "cells": ["gru"], "reason": "declared for the count"}] \\
            if os.environ.get("DECLARED") else []
        def make_gru(**config):
            with open(os.environ["BUILT"], "a") as built:
                built.write("model\\n")
            return stateful_lstm.make_gru(**config)
        """)
    built = {}
    for run_of, declared, options in [("few", "", []),
                                      ("all", "", ["--stateful-lstm-cell-examples"]),
                                      ("declared", "1", [])]:
        counter = tmp_path / f"{run_of}.txt"
        code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "counted", *FAST,
                         "--stateful-lstm-cell", "gru", *options], tmp_path, BUILT=str(counter),
                        DECLARED=declared)
        assert code == (1 if declared else 0), out
        built[run_of] = len(counter.read_text().splitlines())
    assert built["declared"] == built["all"] > built["few"] > 0, built


def test_a_file_path_is_accepted(tmp_path):
    write(tmp_path, "my_lstm.py", "from stateful_lstm import make_lstm\n")
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "./my_lstm.py", *FAST,
                     "-q"], tmp_path)
    assert code == 0 and "2 passed" in out, out  # one layer, stacked


def test_a_factory_that_always_raises_is_reported_once(tmp_path):
    write(tmp_path, "bad_factory.py", """
        def make_lstm(**config):
            raise TypeError("make_lstm() got an unexpected keyword argument 'units'")
        """)
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "bad_factory", "-q",
                     "--hypothesis-profile", "stateful-lstm-quick"], tmp_path)
    assert code == pytest.ExitCode.TESTS_FAILED, out
    assert "bad_factory: make_lstm(units=2, input_dim=3, stateful=True, batch_size=2, seed=0) raised " \
           "TypeError: make_lstm() got an unexpected keyword argument 'units'" in out, out
    others = spec_items() - 1
    assert re.search(r"\b1 error\b", out) and f"{others} skipped" in out, out


def test_an_unknown_hypothesis_profile_is_a_usage_error(tmp_path):
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "reference",
                     "--hypothesis-profile", "thorough"], tmp_path)
    assert code == pytest.ExitCode.USAGE_ERROR, out
    assert "--hypothesis-profile 'thorough' is not a registered hypothesis profile; the spec's are " \
           "stateful-lstm-default, stateful-lstm-random" in out and "INTERNALERROR" not in out, out


def test_an_implementation_that_hangs_fails_once_naming_the_call(tmp_path):
    write(tmp_path, "hangs.py", """
        import time
        import stateful_lstm
        class Hangs(stateful_lstm.LSTM):
            def predict_on_batch(self, x):
                time.sleep(1000)
        def make_lstm(**config):
            return Hangs(**config)
        """)
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "hangs", "-q",
                     "--stateful-lstm-timeout", "2", "-k", "carry_per_index or reset_clears"],
                    tmp_path)
    assert code == pytest.ExitCode.TESTS_FAILED, out
    assert re.search(r"did not finish within the time limit of 2 s: it was in predict_on_batch "
                     r"\(.*hangs.py:\d+\), called from test_carry_per_index.py:\d+: "
                     r"`expected = whole.predict_on_batch\(x\)`", out), out
    assert "failure: it ran out of time (--stateful-lstm-timeout 2)" in out
    others = spec_items("carry-per-index", "reset-clears") - 1
    assert f"1 failed, {others} skipped" in out, out


def test_a_deviation_is_only_an_expected_spec_assertion_failure(tmp_path):
    # A test declared as a known deviation that crashes instead is still a failure.
    write(tmp_path, "crashes.py", """
        import stateful_lstm
        KNOWN_DEVIATIONS = {"test_batch_split_along_time_equals_one_call": "we split differently"}
        class Crashes(stateful_lstm.LSTM):
            def predict_on_batch(self, x):
                raise TypeError("oops")
        def make_lstm(**config):
            return Crashes(**config)
        """)
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "crashes", *FAST,
                     "--hypothesis-profile", "stateful-lstm-quick"], tmp_path)
    assert code == pytest.ExitCode.TESTS_FAILED and "1 failed" in out and "xfail" not in out, out
    assert "failure: the implementation raised TypeError, which no clause allows here" in out


def test_a_failure_report_names_the_clause_and_how_to_reproduce_it(tmp_path):
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl",
                     "tests.broken_impls.never_carries", "--hypothesis-profile",
                     "stateful-lstm-quick", *FAST], ROOT)
    assert code == pytest.ExitCode.TESTS_FAILED, out
    assert "clause 1, 'carry-per-index' (SPEC.md section 1" in out, out
    assert "implementation tests.broken_impls.never_carries" in out
    assert "failure: a spec assertion failed" in out and "@reproduce_failure(" in out
    rerun = "pytest --pyargs spec --stateful-lstm-impl tests.broken_impls.never_carries " \
            "--stateful-lstm-cell lstm -k " \
            "'test_batch_split_along_time_equals_one_call[tests.broken_impls.never_carries]'"
    assert f"rerun only this test: {rerun}" in out
    code, out = run([PYTEST, *shlex.split(rerun)[1:], "--hypothesis-profile", "stateful-lstm-quick"], ROOT)
    assert code == pytest.ExitCode.TESTS_FAILED and re.search(r"\b1 failed\b", out) and \
        "passed" not in out, out


@pytest.mark.parametrize("declared, warning", [
    ("['test_batch_split_along_time_equals_one_call']",
     "KNOWN_DEVIATIONS[0] is a str, not a mapping with the fields tests, title, reason"),
    ("{'test_no_such_test': 'a reason'}",
     "KNOWN_DEVIATIONS names 'test_no_such_test', which is not a spec test or clause"),
    ("[{'tests': ['reset-clears'], 'reason': 'r', 'repro': 'repros/missing.py'}]",
     "the repro of 'r', repros/missing.py, is not a file under"),
])
def test_a_malformed_known_deviations_is_reported(tmp_path, declared, warning):
    write(tmp_path, "declares.py", f"from stateful_lstm import make_lstm\n"
                                   f"KNOWN_DEVIATIONS = {declared}\n")
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "declares", *FAST],
                    tmp_path)
    assert code == 0 and warning in out and "ContractWarning" in out, out
    code, out = run([sys.executable, "-m", "spec", "--impl", "declares", "--", *FAST], tmp_path)
    assert code == 0 and f"  warning: declares: {warning}" in out, out


def test_an_implementation_whose_framework_is_missing_is_skipped_as_not_installed(tmp_path):
    write(tmp_path, "needs_gpu_lib.py", "REQUIRES = ('no_such_framework_xyz',)\n"
                                        "from stateful_lstm import make_lstm\n")
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "needs_gpu_lib", "-q",
                     "-rs"], tmp_path)
    assert code == 0 and f"{spec_items()} skipped" in out, out
    assert "not installed: implementation 'needs_gpu_lib' is not installed: it needs " \
           "no_such_framework_xyz" in out


def test_a_factory_without_seed_is_refused_at_the_first_test(tmp_path):
    write(tmp_path, "no_seed.py", """
        import stateful_lstm
        def make_lstm(*, units, input_dim, stateful, batch_size=None):
            return stateful_lstm.make_lstm(units=units, input_dim=input_dim, stateful=stateful,
                                           batch_size=batch_size)
        """)
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "no_seed", "-q"], tmp_path)
    assert code == pytest.ExitCode.TESTS_FAILED, out
    assert "raised TypeError: make_lstm() got an unexpected keyword argument 'seed'" in out, out
    assert re.search(r"\b1 error\b", out), out


def test_describe_on_the_model_is_shown_in_the_header(tmp_path):
    write(tmp_path, "described.py", """
        import stateful_lstm
        class Described(stateful_lstm.LSTM):
            def describe(self):
                return "described on the model, 1.2"
        def make_lstm(**config):
            return Described(**config)
        """)
    code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "described", *FAST],
                    tmp_path)
    assert code == 0 and "described: described on the model, 1.2" in out, out


def test_the_gru_and_simple_rnn_runs_get_a_sixth_of_the_examples(tmp_path):
    # Each example of test_batch_split_along_time_equals_one_call builds two models; an
    # implementation that counts the GRUs it builds shows how many examples ran per cell.
    write(tmp_path, "counting.py", """
        import os
        import stateful_lstm

        def make_lstm(**config):
            return stateful_lstm.make_lstm(**config)

        def make_gru(**config):
            with open(os.environ["GRU_COUNT"], "a") as file:
                file.write("x")
            return stateful_lstm.make_gru(**config)
        """)
    counts = {}
    for option in ([], ["--stateful-lstm-cell-examples"]):
        count = tmp_path / f"count{len(option)}"
        code, out = run([PYTEST, "--pyargs", "spec", "--stateful-lstm-impl", "counting.py",
                         *FAST, "-v", "-p", "no:cacheprovider", *option], tmp_path,
                        GRU_COUNT=str(count))
        assert code == 0, out
        assert "[counting.py-gru] PASSED" in out and "[counting.py-simple_rnn] SKIPPED" in out
        counts[bool(option)] = len(count.read_text()) // 2
    assert counts == {False: 4, True: 25}, counts
