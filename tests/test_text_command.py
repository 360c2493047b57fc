"""``python -m stateful_lstm text``: training on a whole text as streams, the held-out figures,
saving, generating with a batch-size-1 copy, and the errors."""
import numpy as np
import pytest

from stateful_lstm import document_training as dt
from stateful_lstm.commands import main

SMALL = ["--characters", "6000", "--streams", "4", "--window", "8", "--embedding-dim", "8",
         "--units", "16", "--epochs", "1", "--length", "40", "--quiet"]


def test_a_small_run_trains_both_models_saves_plots_and_generates(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    saved, picture = tmp_path / "model.npz", tmp_path / "bpc.png"
    main(["text", *SMALL, "--compare-reset", "--save", str(saved), "--plot", str(picture)])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Text: Python's bundled documentation (pydoc_data.topics), the "
                             "first 6,000 of ")
    assert out[1] == "Training: 5,400 characters as 4 streams x 168 windows of 8; held out: " \
                     "600 characters"
    figures = [line for line in out if line.startswith("Held-out bits per character")]
    assert [f.split(",")[1].split(":")[0].strip() for f in figures] == [
        "state carried", "reset every window"]
    assert f"Saved the weights and vocabulary to {saved}" in out
    assert f"Saved {picture}" in out and picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    generated = out[out.index("Generated with a batch-size-1 copy (temperature 0.8, seed 0):") + 1:]
    assert "\n".join(generated).startswith("The ") and len("\n".join(generated)) == 44
    with np.load(saved) as npz:
        assert [npz[f"weight_{i}"].shape for i in range(6)][1:3] == [(8, 64), (16, 64)]


def test_a_saved_model_generates_what_the_trained_one_did(tmp_path, capsys):
    saved = tmp_path / "model.npz"
    main(["text", *SMALL, "--save", str(saved), "--seed", "4", "--prompt", "a"])
    trained = capsys.readouterr().out.split("seed 4):\n", 1)[1]
    main(["text", "--load", str(saved), "--seed", "4", "--prompt", "a", "--length", "40"])
    out = capsys.readouterr().out
    assert out.startswith(f"Loaded {saved}: Embedding(")
    assert out.split("seed 4):\n", 1)[1] == trained


def test_a_stack_is_trained_beside_one_layer_saved_loaded_and_exported(tmp_path, capsys):
    # --layers 2: the stack and one layer trained alike, both measured; the stack saved (every
    # layer's weights), loaded and exported (one operator per layer) generates what it did.
    saved, exported = tmp_path / "stack.npz", tmp_path / "stack.onnx"
    main(["text", *SMALL, "--layers", "2", "--save", str(saved), "--export", str(exported)])
    out = capsys.readouterr().out
    assert "-> 2 x LSTM(16, stateful) ->" in out
    figures = [line.split(":")[0] for line in out.splitlines()
               if line.startswith("Held-out bits per character")]
    assert figures == ["Held-out bits per character, state carried, 2 layers",
                       "Held-out bits per character, state carried, 1 layer"]
    trained = out.split("seed 0):\n", 1)[1]
    with np.load(saved) as npz:
        assert int(npz["layers"]) == 2
        assert [npz[f"weight_{i}"].shape for i in range(1, 7)] == [(8, 64), (16, 64), (64,),
                                                                  (16, 64), (16, 64), (64,)]
    main(["text", "--load", str(saved), "--length", "40"])
    loaded = capsys.readouterr().out
    assert "-> 2 x LSTM(16) ->" in loaded and loaded.split("seed 0):\n", 1)[1] == trained
    main(["generate", str(exported), "--length", "40"])
    assert capsys.readouterr().out.strip().endswith(trained.strip()[-20:])


def test_a_user_text_file_is_read(tmp_path, capsys):
    book = tmp_path / "book.txt"
    book.write_text("the quick brown fox jumps over the lazy dog. " * 40, encoding="utf-8")
    main(["text", *SMALL, "--file", str(book), "--save", str(tmp_path / "m.npz")])
    out = capsys.readouterr().out
    assert f"Text: {book}, the first 1,800 of 1,800 characters, 28 distinct" in out
    assert out.split("seed 0):\n", 1)[1].startswith("the ")     # the text's first characters


@pytest.mark.parametrize("argv, message", [
    (["--file", "/nonexistent/book.txt"], "cannot read /nonexistent/book.txt: No such file"),
    (["--file", "{binary}"], "is not UTF-8 text: byte 0xff at offset 0 cannot be decoded"),
    (["--file", "{short}"], "the training part has 9 characters (the text's first 10 "
                            "characters, 10% held out); one batch of 32 streams x 16 "
                            "characters needs 513"),
    (["--temperature", "0"], "argument --temperature: must be a positive number; received 0"),
    (["--prompt", "\u20ac"], "character '\u20ac' at position 0 is not in the text's vocabulary"),
    (["--prompt", ""], "--prompt must have at least one character"),
    (["--load", "{short}"], "not a model saved by python -m stateful_lstm text (not an .npz"),
    (["--save", "/nonexistent/m.npz"], "--save /nonexistent/m.npz: the folder '/nonexistent' "
                                       "does not exist"),
    (["--impl", "tests.broken_impls.never_carries"], "has no make_sequence_model"),
    (["--epochs", "0"], "argument --epochs: must be at least 1; received 0"),
    (["--layers", "0"], "argument --layers: must be at least 1; received 0"),
    (["--layers", "2", "--impl", "tests.broken_impls.test_on_batch_keeps_state"],
     "--layers 2: the tests.broken_impls.test_on_batch_keeps_state implementation's "
     "make_sequence_model takes no layers argument (it has one layer)"),
    (["--documents", "--compare-reset"], "--documents trains and compares three layouts of a "
                                         "library; it cannot be used with --compare-reset"),
    (["--documents", "{short}"], "--documents, 1 files: needs at least 2 documents of 2 "
                                 "characters or more (one to train on, one held out); "
                                 "received 1"),
    (["--documents", "{binary}", "{short}"], "is not UTF-8 text: byte 0xff"),
    (["--documents", "/nonexistent/a.txt"], "cannot read /nonexistent/a.txt"),
    (["--documents", "{short}", "{short}"], "--documents, 2 files: the training part has 10 "
                                            "characters (20 characters in 2 documents, the "
                                            "last 1 held out); one batch of 4 streams x 32 "
                                            "characters needs 129"),
])
def test_bad_input_is_refused_before_any_training(argv, message, tmp_path, capsys,
                                                  monkeypatch):
    monkeypatch.chdir(tmp_path)           # nothing may be written, least of all here
    (tmp_path / "short.txt").write_text("short text", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe")
    argv = [a.format(short=tmp_path / "short.txt", binary=tmp_path / "binary.txt") for a in argv]
    with pytest.raises(SystemExit) as exit:
        main(["text", *argv, "--quiet"])
    captured = capsys.readouterr()
    assert exit.value.code == 2 and message in captured.err, captured.err
    assert captured.out == "" and "Traceback" not in captured.err


def test_a_library_of_documents_is_trained_in_three_layouts(tmp_path, capsys):
    library = tmp_path / "library"
    library.mkdir()
    for k, word in enumerate(["alpha beta ", "gamma delta epsilon ", "zeta eta ", "theta "]):
        (library / f"{k}.txt").write_text(word * (10 + 5 * k), encoding="utf-8")
    extra = tmp_path / "extra.txt"
    extra.write_text("iota kappa " * 8, encoding="utf-8")
    saved = tmp_path / "library.npz"
    main(["text", "--documents", str(library), str(extra), "--streams", "2", "--window", "8",
          "--embedding-dim", "4", "--units", "8", "--length", "20", "--quiet",
          "--save", str(saved)])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("Documents: 5 files, 5 documents, 828 characters, 17 distinct; held out: "
                      "the last 1 (88 characters)")
    figures = [line.split(":") for line in out if line.startswith("Held-out bits")]
    assert [f[0].split(", ", 1)[1] for f in figures] == list(dt.LAYOUTS.values())
    assert all(0 < float(f[1]) < 8 for f in figures)
    assert f"Saved the ragged-streams model's weights and vocabulary to {saved}" in out
    assert out[-1].startswith("alph") and len(out[-1]) == 24      # the first document's start
