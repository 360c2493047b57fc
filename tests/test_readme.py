"""The README's example implementation (``examples/my_lstm.py``, shown in the README as it is) and
its commands, run exactly as written, from the folder they imply (a folder of the user's own
holding ``my_lstm.py``): each passes every clause it can, as the README says."""
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spec.clauses import CLAUSES, runs_of, spec_test_names

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


EXAMPLE = Path(__file__).parents[1] / "examples" / "my_lstm.py"


def after_marker(marker):
    """The README's text after the line ``<!-- marker -->``."""
    return README[README.index(f"<!-- {marker} -->\n") + len(f"<!-- {marker} -->\n"):]


def commands():
    """The commands the README shows for running the spec on ``my_lstm``."""
    block = after_marker("commands: my_lstm").split("\n\n")[0]
    return [line.split("  #")[0].strip() for line in block.splitlines()]


def test_the_readme_shows_the_example_as_it_is():
    shown = after_marker("examples/my_lstm.py")
    assert shown.startswith("```python\n")
    assert shown[len("```python\n"):].split("```")[0] == EXAMPLE.read_text(encoding="utf-8")


def test_the_readme_shows_the_three_ways_to_run_it():
    assert commands() == ["python -m spec --impl my_lstm",
                          "pytest --pyargs spec --stateful-lstm-impl my_lstm",
                          "STATEFUL_LSTM_IMPL=my_lstm pytest --pyargs spec"]


@pytest.mark.slow
@pytest.mark.parametrize("command", commands())
def test_readme_example_implementation_passes_every_clause(tmp_path, command):
    shutil.copy(EXAMPLE, tmp_path / "my_lstm.py")
    words = shlex.split(command)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATEFUL_LSTM")}
    while "=" in words[0]:                     # VAR=value before the command
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    program = {"python": sys.executable, "pytest": shutil.which("pytest", path=str(BIN))}
    run = subprocess.run([program[words[0]], *words[1:]], cwd=tmp_path, capture_output=True,
                         text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    if words[0] == "pytest":
        # the classifier, sequence-model, masked, loop and stream-pool clauses do not apply: the
        # example has neither factory, nor MASKS, LOOPS or step_model; skipped: those clauses'
        # tests, and the other clauses' tests of the classifier and the sequence model
        skipped = (spec_test_names("training-agreement", "training-carries-state",
                                   "position-only-alphabet", "alphabet-remedies",
                                   "sequence-training-agreement", "streams-carry-context",
                                   "batch1-copy", "masked-steps-keep-state", "test-on-batch",
                                   "masked-training-agreement", "ragged-streams",
                                   "loops-are-batch-calls", "stateful-loop-rules", "stream-pool")
                   | {name for name in spec_test_names() if "classifier" in name}
                   | {name for name in spec_test_names("exported-copy") if "sequence" in name})
        # and the GRU's and SimpleRNN's runs of every_cell tests (the example has no make_gru or
        # make_simple_rnn), and every stacked run (its make_lstm takes no layers)
        lstm_runs, skipped_runs = (runs_of(names, cells=1, stacks=False)
                                   for names in (spec_test_names(), skipped))
        assert re.search(rf"\b{lstm_runs - skipped_runs} passed, "
                         rf"{runs_of(spec_test_names()) - lstm_runs + skipped_runs} skipped\b",
                         run.stdout), run.stdout[-2000:]
        return
    lines = run.stdout.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("clause "))   # the full table
    assert lines[start + 2].split(None, 2)[2] == "LSTM"           # the cell types it offers
    rows = dict(line.split(None, 1) for line in lines[start + 3:start + 3 + len(CLAUSES)])
    assert rows == {"carry-per-index": "pass", "stateless-zero-start": "pass",
                    "reset-clears": "pass", "in-batch-flow": "pass", "state-access": "pass",
                    "bad-batch-rejected": "pass", "reference-agreement": "pass",
                    "training-agreement": "n/a", "training-carries-state": "n/a",
                    "position-only-alphabet": "n/a", "alphabet-remedies": "n/a",
                    "stream-layout": "pass", "sequence-training-agreement": "n/a",
                    "streams-carry-context": "n/a", "batch1-copy": "n/a",
                    "masked-steps-keep-state": "n/a", "test-on-batch": "n/a",
                    "masked-training-agreement": "n/a", "ragged-streams": "n/a",
                    "exported-copy": "ONNX Runtime, OpenVINO, LiteRT: pass",
                    "loops-are-batch-calls": "n/a",
                    "stateful-loop-rules": "n/a", "stream-pool": "n/a"}
