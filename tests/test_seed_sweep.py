"""The spec passes the reference on random seeds, every cell with the profile's full examples: a
spec that fails a correct implementation on some seed is broken (the default run only ever sees
the derandomized examples). The long experiments (clauses 10, 11, 14) draw nothing from
hypothesis; their own seed sweeps are in ``test_alphabet_seeds.py``. The exported copies in the
runtimes other than ONNX Runtime get fewer seeds (``RUNTIME_SEEDS``)."""
import subprocess
import sys

import pytest

from spec.clauses import CLAUSES, SPEC_PATH, module_name
from spec.contract import DEFAULT_RUNTIME, RUNTIMES
from spec.harness.runner import CONFORMANCE_INI

pytestmark = pytest.mark.slow
SEEDS = range(1, 21)
# The exported copies run by the runtimes other than ONNX Runtime (clause 20) compile or convert a
# model per example: with every cell's full examples, 6 minutes of CPU a seed, so fewer seeds.
RUNTIME_SEEDS = range(1, 3)
OTHER_RUNTIMES = [name for name in RUNTIMES if name != DEFAULT_RUNTIME]
EXPERIMENTS = ("position-only-alphabet", "alphabet-remedies", "streams-carry-context")


def reference_passes(seed, clauses, selection):
    """The reference passes the spec tests of ``clauses`` that ``selection`` (``-k``) keeps,
    with hypothesis' random examples from ``seed``, every cell with the full examples."""
    modules = [str(SPEC_PATH.parent / f"{module_name(c)}.py") for c in clauses]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *modules, "-c", str(CONFORMANCE_INI), "--rootdir",
         str(SPEC_PATH.parent), "-q", "--stateful-lstm-impl=reference",
         "--hypothesis-profile=stateful-lstm-random", f"--hypothesis-seed={seed}",
         "--stateful-lstm-cell-examples", "-k", selection],
        capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"seed {seed}:\n{done.stdout[-6000:]}{done.stderr[-2000:]}"
    assert " passed" in done.stdout.splitlines()[-1], done.stdout[-2000:]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_reference_passes_on_a_random_seed(seed):
    reference_passes(seed, [c for c in CLAUSES if c not in EXPERIMENTS],
                     " and ".join(f"not {name}" for name in OTHER_RUNTIMES))


@pytest.mark.parametrize("seed", RUNTIME_SEEDS)
def test_the_reference_copies_pass_in_every_runtime_on_a_random_seed(seed):
    reference_passes(seed, ["exported-copy"], " or ".join(OTHER_RUNTIMES))
