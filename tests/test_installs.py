"""Installs as an outside user makes them (slow: each builds a virtual environment):
- a third-party package that registers an implementation (``examples/my_lstm_package``) is found by
  name and run by default by ``python -m spec``, from a folder of the user's own;
- a numpy-only install of the kit (no TensorFlow, no ONNX Runtime) runs ``python -m spec`` and
  ``pytest --pyargs spec`` green, with Keras, and clause 20's ONNX Runtime, shown as not
  installed."""
import os
import re
import subprocess
import venv
from pathlib import Path

import pytest

from spec.clauses import runs_of, spec_test_names
from stateful_lstm.adapters import BUNDLED

ROOT = Path(__file__).parents[1]
pytestmark = pytest.mark.slow


def make_venv(folder, system_site_packages):
    venv.EnvBuilder(system_site_packages=system_site_packages, with_pip=True).create(folder)
    return folder / "bin"


def run(args, cwd):
    # Without the KERAS_BACKEND a Keras test of this worker may have set (the Keras adapters set
    # it before importing Keras): python -m spec's keras-jax column would refuse it.
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=900, env=env)
    assert done.returncode == 0, (done.stdout[:5000] + "\n...\n" + done.stdout[-3000:] +
                                  done.stderr[-3000:])
    return done.stdout


def test_a_registered_implementation_is_run_by_name_and_by_default(tmp_path):
    bin_dir = make_venv(tmp_path / "venv", system_site_packages=True)
    run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-build-isolation", ROOT / "examples" / "my_lstm_package"], tmp_path)
    (tmp_path / "work").mkdir()
    out = run([bin_dir / "python", "-m", "spec", "--impl", "my-lstm", "--",
               "-k", "carry_per_index or reset_clears"], tmp_path / "work")
    assert "my-lstm (my_lstm_package): my_lstm_package 0.1.0" in out
    assert re.search(r"^carry-per-index +pass$", out, re.M), out
    out = run([bin_dir / "python", "-m", "spec", "--", "-k", "reset_clears"], tmp_path / "work")
    header = next(line for line in out.splitlines() if line.startswith("clause "))
    assert header.split() == ["clause", *BUNDLED, "my-lstm"]


def test_a_numpy_only_install_is_green_with_keras_not_installed(tmp_path):
    bin_dir = make_venv(tmp_path / "venv", system_site_packages=False)
    run([bin_dir / "python", "-m", "pip", "install", "--quiet", ROOT], tmp_path)
    (tmp_path / "work").mkdir()
    out = run([bin_dir / "python", "-m", "spec"], tmp_path / "work")
    assert re.search(r"^carry-per-index +pass +not installed ", out, re.M), out
    assert "keras (stateful_lstm.adapters.keras3_tensorflow): implementation 'keras' " \
           "(stateful_lstm.adapters.keras3_tensorflow) is not installed: it needs tensorflow, keras" in out
    assert re.search(r"^exported-copy +ONNX Runtime, OpenVINO, LiteRT: not installed +not installed ",
                     out, re.M), out
    out = run([bin_dir / "pytest", "--pyargs", "spec", "-q", "-p", "no:cacheprovider"],
              tmp_path / "work")
    # The reference's pass but clause 20's (they run ONNX Runtime, OpenVINO, LiteRT); every
    # framework's are skipped. (each test once per implementation, cell and runtime)
    tests, exported = (runs_of(spec_test_names(*c)) for c in [(), ("exported-copy",)])
    assert f"{tests - exported} passed, {tests * (len(BUNDLED) - 1) + exported} skipped" in out
