"""``python -m spec``: the clause table and the exit status."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_table_marks_the_broken_clause_and_exit_status_is_1():
    run = subprocess.run(
        [sys.executable, "-m", "spec", "--impl", "reference",
         "--impl", "tests.broken_impls.never_carries", "--hypothesis-profile", "detect",
         "--", "-k", "carry_per_index or stateless_zero_start"],
        cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1, run.stdout + run.stderr
    rows = {line.split()[0]: line.split()[1:] for line in run.stdout.splitlines()[-13:]}
    assert rows["clause"] == ["reference", "tests.broken_impls.never_carries"]
    assert rows["carry-per-index"] == ["pass", "FAIL"]
    assert rows["stateless-zero-start"] == ["pass", "pass"]
    assert rows["reset-clears"] == ["n/a", "n/a"]      # deselected by -k


def test_exit_status_is_0_when_every_selected_clause_passes():
    run = subprocess.run(
        [sys.executable, "-m", "spec", "--impl", "reference", "--", "-k", "reset_clears"],
        cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-9].split() == ["reset-clears", "pass"]
