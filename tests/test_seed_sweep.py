"""The spec passes the reference on random seeds, every cell with the profile's full examples: a
spec that fails a correct implementation on some seed is broken (the default run only ever sees
the derandomized examples). The long experiments (clauses 10, 11, 14) draw nothing from
hypothesis; their own seed sweeps are in ``test_alphabet_seeds.py``."""
import subprocess
import sys

import pytest

from spec.clauses import CLAUSES, SPEC_PATH, module_name
from spec.harness.runner import CONFORMANCE_INI

pytestmark = pytest.mark.slow
SEEDS = range(1, 21)
EXPERIMENTS = ("position-only-alphabet", "alphabet-remedies", "streams-carry-context")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_reference_passes_on_a_random_seed(seed):
    modules = [str(SPEC_PATH.parent / f"{module_name(c)}.py") for c in CLAUSES
               if c not in EXPERIMENTS]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *modules, "-c", str(CONFORMANCE_INI), "--rootdir",
         str(SPEC_PATH.parent), "-q", "--stateful-lstm-impl=reference",
         "--hypothesis-profile=stateful-lstm-random", f"--hypothesis-seed={seed}",
         "--stateful-lstm-cell-examples"],
        capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"seed {seed}:\n{done.stdout[-6000:]}{done.stderr[-2000:]}"
    assert " passed" in done.stdout.splitlines()[-1], done.stdout[-2000:]
