"""``python -m stateful_lstm alphabet``: the tutorial's printout, the remedies, the picture."""
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from stateful_lstm.commands import main

ROOT = Path(__file__).parents[1]


def test_tutorial_run_prints_what_the_question_saw(capsys):
    main(["alphabet", "--start", "M", "--quiet"])
    out = capsys.readouterr().out.splitlines()
    assert "Model Accuracy: 100.00%" in out
    assert out[out.index("Model Accuracy: 100.00%") + 1:][:25] == [
        f"{a} -> {b}" for a, b in zip("ABCDEFGHIJKLMNOPQRSTUVWXY", "BCDEFGHIJKLMNOPQRSTUVWXYZ")]
    start = out.index("New start: M")
    assert out[start + 1:start + 6] == ["M -> B", "B -> C", "C -> D", "D -> E", "E -> F"]


def test_remedies_and_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    picture = tmp_path / "starts.png"
    main(["alphabet", "--scheme", "pairs", "--scheme", "subsequences", "--encoding", "onehot",
          "--start", "k", "--epochs", "100", "--quiet", "--plot", str(picture)])
    out = capsys.readouterr().out.splitlines()
    start = out.index("New start: K")
    assert out[start + 1:start + 6] == ["K -> L", "L -> M", "M -> N", "N -> O", "O -> P"]
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sum("the true successor 25/25" in line for line in out) == 2     # both remedies


@pytest.mark.parametrize("argv, message", [
    (["alphabet", "--epochs", "0"], "argument --epochs: must be at least 1; received 0"),
    (["alphabet", "--seed", "-1"], "argument --seed: must be at least 0; received -1"),
    (["alphabet", "--seed", "abc"], "argument --seed: expected an integer; received 'abc'"),
    (["alphabet", "--start", "Z"], "invalid choice: 'Z'"),
    (["alphabet", "--impl", "tests.broken_impls.never_carries"], "has no make_classifier"),
    (["alphabet", "--impl", "nosuch"], "cannot load implementation 'nosuch': ModuleNotFoundError"),
    (["alphabet", "--plot", "/nonexistent/dir/x.png"],
     "--plot /nonexistent/dir/x.png: the folder '/nonexistent/dir' does not exist"),
    (["alphabet", "--plot", "out.txt"], "--plot out.txt: matplotlib cannot write '.txt' files"),
])
def test_bad_arguments_are_refused_before_any_training(argv, message, capsys):
    if "--plot" in argv:
        pytest.importorskip("matplotlib")
    with pytest.raises(SystemExit) as exit:
        main(argv + ["--quiet"])
    captured = capsys.readouterr()
    assert exit.value.code == 2 and message in captured.err
    assert captured.out == ""                      # nothing trained, nothing printed


def test_a_plot_without_a_suffix_is_saved_as_png_and_the_real_path_printed(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    main(["alphabet", "--epochs", "1", "--quiet", "--plot", str(tmp_path / "outfile")])
    assert f"Saved {tmp_path / 'outfile.png'}" in capsys.readouterr().out.splitlines()
    assert (tmp_path / "outfile.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("command", [["alphabet", "--epochs", "100000"],
                                     ["text", "--epochs", "1000", "--save", "/dev/null"]])
def test_ctrl_c_exits_130_with_one_line(command):
    process = subprocess.Popen([sys.executable, "-m", "stateful_lstm", *command], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stderr.read(1)                         # the progress bar: it is training
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1] == "interrupted" and "Traceback" not in err, err


def test_the_tutorial_through_fit_prints_fits_own_progress_then_the_summary(capsys):
    main(["alphabet", "--loop", "fit", "--epochs", "2"])
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" - ")[0] for line in out[:4]] == ["Epoch 1/1", "25/25", "Epoch 1/1",
                                                         "25/25"]
    assert out[4] == "== tutorial (scalar input, reference, trained through fit), 2 epochs, seed 0"
    assert out[5].startswith("Model Accuracy: ")


def test_the_tutorial_through_fit_needs_an_implementation_with_loops(tmp_path, capsys):
    no_loops = tmp_path / "no_loops.py"
    no_loops.write_text("from stateful_lstm import make_classifier, make_lstm  # noqa: F401\n")
    with pytest.raises(SystemExit) as exit:
        main(["alphabet", "--loop", "fit", "--impl", str(no_loops), "--quiet"])
    captured = capsys.readouterr()
    assert exit.value.code == 2 and "has no loops (LOOPS = True" in captured.err
    assert captured.out == ""
