"""``python -m stateful_lstm alphabet``: the tutorial's printout, the remedies, the picture."""
import pytest

from stateful_lstm.__main__ import main


def test_tutorial_run_prints_what_the_question_saw(capsys):
    main(["alphabet", "--start", "M", "--quiet"])
    out = capsys.readouterr().out.splitlines()
    assert "Model Accuracy: 100.00%" in out
    assert out[out.index("Model Accuracy: 100.00%") + 1:][:25] == [
        f"{a} -> {b}" for a, b in zip("ABCDEFGHIJKLMNOPQRSTUVWXY", "BCDEFGHIJKLMNOPQRSTUVWXYZ")]
    start = out.index("New start: M")
    assert out[start + 1:start + 6] == ["M -> B", "B -> C", "C -> D", "D -> E", "E -> F"]


def test_remedies_and_plot(tmp_path, capsys):
    picture = tmp_path / "starts.png"
    main(["alphabet", "--scheme", "pairs", "--scheme", "subsequences", "--encoding", "onehot",
          "--start", "k", "--epochs", "100", "--quiet", "--plot", str(picture)])
    out = capsys.readouterr().out.splitlines()
    start = out.index("New start: K")
    assert out[start + 1:start + 6] == ["K -> L", "L -> M", "M -> N", "N -> O", "O -> P"]
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sum("the true successor 25/25" in line for line in out) == 2     # both remedies


@pytest.mark.parametrize("argv, message", [
    (["alphabet", "--epochs", "0"], "--epochs must be at least 1; received 0"),
    (["alphabet", "--start", "Z"], "invalid choice: 'Z'"),
    (["alphabet", "--impl", "tests.broken_impls.never_carries"], "has no make_classifier"),
])
def test_bad_arguments_are_refused_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    assert message in capsys.readouterr().err
