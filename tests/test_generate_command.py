"""``python -m stateful_lstm text --export`` and ``python -m stateful_lstm generate``: the exported
batch-size-1 copy generates what the trained model's copy generates, with numpy and ONNX Runtime
alone, and the errors."""
import subprocess
import sys
import textwrap

import pytest

from stateful_lstm import export, make_lstm
from stateful_lstm.commands import main

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")
SMALL = ["--characters", "3000", "--streams", "4", "--window", "8", "--embedding-dim", "8",
         "--units", "16", "--epochs", "1", "--length", "40", "--quiet"]
# What generate must not need: every training framework, the spec's test tools, the exporter.
NOT_NEEDED = ("tensorflow", "keras", "tf_keras", "torch", "jax", "jaxlib", "flax", "optax",
              "onnx", "pytest", "hypothesis", "matplotlib", "tqdm")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A small text model trained on the reference, exported; and what its own batch-size-1
    copy generated (seed 3, prompt "a", 40 characters)."""
    folder = tmp_path_factory.mktemp("exported")
    onnx_path = folder / "model.onnx"
    capture = subprocess.run([sys.executable, "-m", "stateful_lstm", "text", *SMALL, "--seed", "3",
                              "--prompt", "a", "--save", str(folder / "model.npz"), "--export",
                              str(onnx_path)], capture_output=True, text=True, check=True)
    assert f"Exported a copy of any batch size to {onnx_path}" in capture.stdout
    return onnx_path, capture.stdout.split("seed 3):\n", 1)[1]


def test_the_exported_copy_generates_what_the_trained_model_did(exported, capsys):
    onnx_path, trained = exported
    main(["generate", str(onnx_path), "--prompt", "a", "--seed", "3", "--length", "40"])
    assert capsys.readouterr().out == trained


def test_generate_starts_from_the_prompt_kept_in_the_model(exported, capsys):
    main(["generate", str(exported[0]), "--length", "10"])
    out = capsys.readouterr().out
    assert out.startswith("The ") and len(out) == len("The ") + 10 + 1


def test_a_reader_that_stops_early_ends_generate_quietly(exported):
    # As `generate model.onnx | head -c 10` does: the pipe closes after a few characters.
    process = subprocess.Popen([sys.executable, "-m", "stateful_lstm", "generate",
                                str(exported[0]), "--length", "100000"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert len(process.stdout.read(10)) == 10
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""


def generate_without(blocked, model):
    """What ``python -m stateful_lstm generate model --prompt a --seed 3 --length 40`` writes in
    a process where every module of ``blocked`` is refused at import, as if not installed."""
    script = textwrap.dedent(f"""
        import runpy, sys
        class Absent:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {tuple(blocked)!r}:
                    raise ModuleNotFoundError(f"No module named {{name!r}} (blocked)")
        sys.meta_path.insert(0, Absent())
        sys.argv = ["stateful_lstm", "generate", {str(model)!r}, "--prompt", "a",
                    "--seed", "3", "--length", "40"]
        runpy.run_module("stateful_lstm", run_name="__main__")
        """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_generate_runs_with_no_training_framework(exported):
    assert generate_without(NOT_NEEDED, exported[0]) == exported[1]


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "missing.onnx", "cannot load {path}: no such file"),
    (lambda tmp: _write(tmp / "bad.onnx", b"not a model"), "cannot load {path}: "),
    (lambda tmp: _lstm_model(tmp / "lstm.onnx"),
     "{path} is not a text model exported by python -m stateful_lstm text --export (not an "
     "exported sequence model: its inputs are ['x', 'h', 'c']; expected tokens, then the state "
     "(h, c; h; a stack's h_0, c_0, h_1, ...))"),
])
def test_a_file_that_is_not_an_exported_text_model_is_refused(tmp_path, capsys, make, message):
    path = make(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["generate", str(path)])
    assert exit_.value.code == 2
    assert message.format(path=path) in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--prompt", "\u20ac"], "--prompt: character '\u20ac' at position 0 is not in the model's "
                            "vocabulary"),
    (["--prompt", ""], "--prompt must have at least one character"),
    (["--temperature", "-1"], "argument --temperature: must be a positive number; received -1"),
    (["--length", "-2"], "argument --length: must be at least 0; received -2"),
    (["--streams", "0"], "argument --streams: must be at least 1; received 0"),
    (["--streams", "2", "--prompt", "a", "--prompt", "b", "--prompt", "c"],
     "3 prompts for 2 stream(s): give --prompt at most once per stream"),
    (["--streams", "2", "--prompt", "a", "--prompt", "\u20ac"],
     "--prompt: character '\u20ac' at position 0 is not in the model's vocabulary"),
])
def test_bad_options_are_refused_before_generating(exported, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(["generate", str(exported[0]), *argv])
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_streams_side_by_side_write_what_one_stream_each_writes(exported, capsys):
    # Three streams, two prompts of different lengths (used in turn): stream i is what a run
    # with one stream, its prompt and seed 5 + i writes.
    prompts = ["a", "The ", "a"]
    main(["generate", str(exported[0]), "--streams", "3", "--prompt", "a", "--prompt", "The ",
          "--seed", "5", "--length", "30"])
    together = capsys.readouterr().out
    alone = []
    for i, prompt in enumerate(prompts):
        main(["generate", str(exported[0]), "--prompt", prompt, "--seed", str(5 + i),
              "--length", "30"])
        alone.append(f"--- stream {i} (seed {5 + i})\n" + capsys.readouterr().out)
    assert together == "".join(alone)


def test_streams_need_a_model_exported_with_any_batch_size(tmp_path, capsys):
    from stateful_lstm import make_sequence_model
    path = tmp_path / "batch1.onnx"
    export.export(make_sequence_model(vocab_size=3, embedding_dim=2, units=2, stateful=True,
                                      batch_size=1), path, batch_size=1, vocabulary="abc")
    main(["generate", str(path), "--length", "3"])          # one stream: fine
    assert capsys.readouterr().out.startswith("a")
    with pytest.raises(SystemExit) as exit_:
        main(["generate", str(path), "--streams", "2"])
    assert exit_.value.code == 2
    assert (f"--streams 2: {path} was exported with batch size 1; serving streams side by side "
            f"needs a model exported with any batch size") in capsys.readouterr().err


def copies(exported, suffix):
    """The fixture's model exported with ``suffix`` by ``text --load ... --export`` (state
    explicit) and through the API with its state inside the model (batch 1)."""
    import stateful_lstm
    from stateful_lstm import text_training as tt
    folder = exported[0].parent
    explicit, internal = folder / f"model.{suffix}", folder / f"internal.{suffix}"
    main(["text", "--load", str(folder / "model.npz"), "--export", str(explicit), "--length", "1",
          "--quiet"])
    model, vocabulary, _, start = tt.load(folder / "model.npz", stateful_lstm)
    export.export(model, internal, state="internal", vocabulary=vocabulary.characters,
                  prompt=start)
    return explicit, internal


@pytest.fixture(scope="module")
def openvino_copies(exported):                 # its tests are slow: OpenVINO compiles each copy
    """OpenVINO IR copies (``copies``): the explicit one of any batch size."""
    pytest.importorskip("openvino")
    return copies(exported, "xml")


@pytest.mark.slow
@pytest.mark.parametrize("which", ["explicit", "internal"])
def test_an_openvino_copy_generates_what_the_trained_model_did(exported, openvino_copies,
                                                               capsys, which):
    path = openvino_copies[which == "internal"]
    main(["generate", str(path), "--prompt", "a", "--seed", "3", "--length", "40"])
    assert capsys.readouterr().out == exported[1]


@pytest.mark.slow
def test_openvino_streams_side_by_side_and_the_refusal_of_a_state_inside(openvino_copies,
                                                                         capsys):
    explicit, internal = openvino_copies
    main(["generate", str(explicit), "--streams", "2", "--prompt", "a", "--seed", "5",
          "--length", "20"])
    together = capsys.readouterr().out
    main(["generate", str(explicit), "--prompt", "a", "--seed", "6", "--length", "20"])
    assert together.endswith("--- stream 1 (seed 6)\n" + capsys.readouterr().out)
    with pytest.raises(SystemExit):
        main(["generate", str(internal), "--streams", "2"])
    assert "keeps its state inside the model, one stream" in capsys.readouterr().err


@pytest.mark.slow
def test_generate_runs_an_openvino_copy_with_openvino_alone(exported, openvino_copies):
    # No ONNX Runtime or onnx either: OpenVINO and numpy.
    assert generate_without((*NOT_NEEDED, "onnxruntime"), openvino_copies[0]) == exported[1]


def _write(path, data):
    path.write_bytes(data)
    return path


def _lstm_model(path):
    export.export(make_lstm(units=2, input_dim=1, stateful=True, batch_size=1), path)
    return path


@pytest.fixture(scope="module")
def litert_copies(exported):                   # its tests are slow: the converter takes seconds
    """LiteRT copies (``copies``): the explicit one of batch size 1."""
    pytest.importorskip("ai_edge_litert")
    pytest.importorskip("tensorflow")
    return copies(exported, "tflite")


@pytest.mark.slow
@pytest.mark.parametrize("which", ["explicit", "internal"])
def test_a_litert_copy_generates_what_the_trained_model_did(exported, litert_copies, capsys,
                                                            which):
    main(["generate", str(litert_copies[which == "internal"]), "--prompt", "a", "--seed", "3",
          "--length", "40"])
    assert capsys.readouterr().out == exported[1]


@pytest.mark.slow
def test_a_litert_copy_serves_one_stream(litert_copies, capsys):
    for path in litert_copies:
        with pytest.raises(SystemExit):
            main(["generate", str(path), "--streams", "2"])
        err = capsys.readouterr().err
        assert (f"--streams 2: {path} " in err and
                ("was exported with batch size 1" in err or "keeps its state inside" in err))


@pytest.mark.slow
def test_generate_runs_a_litert_copy_with_litert_alone(exported, litert_copies):
    # No TensorFlow, ONNX Runtime, onnx or OpenVINO: the LiteRT interpreter and numpy.
    for path in litert_copies:
        assert generate_without((*NOT_NEEDED, "onnxruntime", "openvino"), path) == exported[1]
