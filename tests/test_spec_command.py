"""``python -m spec``: the clause table, the exit status, progress, the JSON and Markdown verdicts,
and a verdict that depends neither on the folder it is run from nor on what is in it."""
import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from spec.clauses import list_of_tests

# Each test runs `python -m spec` (two pytest processes) as a user does: the slow run's.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[1]


def spec(*args, cwd=ROOT):
    done = subprocess.run([sys.executable, "-m", "spec", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)
    return done.returncode, done.stdout, done.stderr


def rows(stdout):
    """``{clause: [cells]}`` from the table in the output (the header first; the row of cell
    types left out)."""
    lines = stdout.splitlines()
    start = max(i for i, line in enumerate(lines[:-1])
                if line.startswith("clause ") and lines[i + 1].startswith("---"))
    return {line.split("  ")[0]: [cell for cell in line.split("  ")[1:] if cell.strip()]
            for line in lines[start:start + 18]
            if line and not line.startswith("-") and not line.startswith("cell types")}


def test_table_marks_the_broken_clause_and_exit_status_is_1():
    code, out, err = spec("--impl", "reference", "--impl", "tests.broken_impls.never_carries",
                          "--hypothesis-profile", "quick", "--",
                          "-k", "carry_per_index or stateless_zero_start")
    assert code == 1, out + err
    table = rows(out)
    assert [c.strip() for c in table["clause"]] == ["reference",
                                                     "tests.broken_impls.never_carries"]
    assert [c.strip() for c in table["carry-per-index"]] == ["pass", "FAIL"]
    assert [c.strip() for c in table["stateless-zero-start"]] == ["pass", "pass"]
    assert [c.strip() for c in table["reset-clears"]] == ["not run", "not run"]   # deselected
    assert "==== pytest output for tests.broken_impls.never_carries ====" in out
    # progress, per implementation (4 tests x 3 cells, on one layer and stacked)
    assert "reference: 24/24 tests" in err


def test_exit_status_0_and_the_verdict_as_json_and_markdown(tmp_path):
    code, out, err = spec("--impl", "reference", "--json", str(tmp_path / "v.json"),
                          "--markdown", str(tmp_path / "v.md"), "--", "-k", "reset_clears")
    assert code == 0, out + err
    verdict = json.loads((tmp_path / "v.json").read_text())
    cells = {c["id"]: c["verdicts"]["reference"] for c in verdict["clauses"]}
    assert cells["reset-clears"] == "pass" and cells["carry-per-index"] == "not run"
    about = verdict["implementations"]["reference"]
    assert about["target"] == "stateful_lstm" and about["description"].startswith(
        "NumPy reference")
    assert "- **reference** (`stateful_lstm`): NumPy reference" in (tmp_path / "v.md").read_text()
    assert "| 3 | `reset-clears` | pass |" in (tmp_path / "v.md").read_text()


def test_a_run_in_which_no_test_ran_says_so_and_fails():
    code, out, err = spec("--impl", "reference", "--", "-k", "no_such_test_name")
    assert code == 1, out + err
    assert set(c.strip() for cells in list(rows(out).values())[1:] for c in cells) == {"not run"}
    assert "no test ran" in out


def test_an_implementation_that_crashes_shows_error_not_fail(tmp_path):
    (tmp_path / "crashes.py").write_text(textwrap.dedent("""
        import stateful_lstm
        class Crashes(stateful_lstm.LSTM):
            def predict_on_batch(self, x):
                raise TypeError("oops")
        def make_lstm(**config):
            return Crashes(**config)
        """))
    code, out, err = spec("--impl", "crashes.py", "--hypothesis-profile", "quick", "--",
                          "-k", "carry_per_index", cwd=tmp_path)
    assert code == 1 and [c.strip() for c in rows(out)["carry-per-index"]] == ["ERROR"], out + err


def test_a_name_that_does_not_load_is_one_line_and_exit_status_2(tmp_path):
    for name, message in [("no_such_module_xyz", "cannot load implementation "
                                                 "'no_such_module_xyz': ModuleNotFoundError"),
                          ("missing.py", "cannot load implementation 'missing.py': no such file")]:
        code, out, err = spec("--impl", "reference", "--impl", name, cwd=tmp_path)
        assert code == 2 and not out, out + err
        assert err.startswith("python -m spec: error: " + message) and \
            len(err.strip().splitlines()) == 1, err


def test_the_folders_pytest_settings_and_conftest_do_not_change_the_verdict(tmp_path):
    # A project whose settings turn warnings into errors and add an unknown option, and whose
    # conftest.py would break any run, with a correct implementation that emits a RuntimeWarning.
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option\n"
                                         "filterwarnings = error\n")
    (tmp_path / "conftest.py").write_text("raise RuntimeError('not for the spec')\n")
    (tmp_path / "warns.py").write_text(textwrap.dedent("""
        import warnings
        import stateful_lstm
        class Warns(stateful_lstm.LSTM):
            def predict_on_batch(self, x):
                warnings.warn("slow path", RuntimeWarning)
                return super().predict_on_batch(x)
        def make_lstm(**config):
            return Warns(**config)
        """))
    code, out, err = spec("--impl", "warns", "--", "-k", "carry_per_index", cwd=tmp_path)
    assert code == 0 and [c.strip() for c in rows(out)["carry-per-index"]] == ["pass"], out + err


def test_bad_options_are_refused_before_anything_runs(tmp_path):
    code, out, err = spec("--json", str(tmp_path / "no" / "dir" / "v.json"))
    assert code == 2 and "--json" in err and "cannot write there" in err
    code, out, err = spec("--hypothesis-profile", "nosuch")
    assert code == 2 and "invalid choice: 'nosuch'" in err


def test_ctrl_c_stops_the_runs_and_exits_130():
    process = subprocess.Popen([sys.executable, "-m", "spec", "--impl", "reference"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stderr.readline()                      # the first progress line: they run
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, out + err
    assert err.splitlines()[-1] == "interrupted" and "Traceback" not in err, err


def test_list_tests_prints_spec_md_s_last_section():
    code, out, _ = spec("--list-tests")
    assert code == 0 and out == list_of_tests(), out


def test_profile_shows_each_implementation_s_cpu_by_clause_and_its_costliest_tests():
    code, out, err = spec("--impl", "reference", "--profile", "--",
                          "-k", "carry_per_index or stream_layout")
    assert code == 0, out + err
    by_clause = next(line for line in out.splitlines()
                     if line.startswith("reference: ") and "s of CPU in its tests" in line)
    assert by_clause.split("by clause: ")[1].startswith("1 "), by_clause
    assert "the other cells' trained models add 0%, the stacks " in by_clause, by_clause
    assert "  test_carry_per_index.py::test_batch_split_along_time_equals_one_call[reference]" \
        in out, out
