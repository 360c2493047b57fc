"""``stateful_lstm.export``: the step models of the LSTM (GRU, SimpleRNN), the classifier and the
sequence model, their weights mapped to the ONNX LSTM (GRU, RNN) operator and back, any batch
size, and the errors. (Clause 20 checks the layers' and the sequence model's copies on every
implementation.)"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stateful_lstm
from stateful_lstm import export
from stateful_lstm.cells import CELLS

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
from stateful_lstm.step_session import ExportedCopy, StepSession  # noqa: E402


def random_weights(model, seed=0):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.uniform(-1, 1, w.shape).astype(np.float32)
                       for w in model.get_weights()])
    return model


@settings(max_examples=20, deadline=None)
@given(input_dim=st.integers(1, 5), units=st.integers(1, 8), seed=st.integers(0, 99))
def test_the_operator_weights_map_back_to_keras_exactly(input_dim, units, seed):
    model = random_weights(stateful_lstm.make_lstm(units=units, input_dim=input_dim,
                                                   stateful=False), seed)
    W, R, B = export.onnx_weights("lstm", *model.get_weights())
    assert (W.shape, R.shape, B.shape) == ((1, 4 * units, input_dim), (1, 4 * units, units),
                                           (1, 8 * units))
    assert not B[0, 4 * units:].any()                       # Rb: zero
    for got, expected in zip(export.keras_weights("lstm", W, R, B), model.get_weights()):
        np.testing.assert_array_equal(got, expected)


@settings(max_examples=20, deadline=None)
@given(input_dim=st.integers(1, 5), units=st.integers(1, 8), seed=st.integers(0, 99),
       cell=st.sampled_from(["gru", "simple_rnn"]))
def test_the_gru_and_rnn_operator_weights_map_back_to_keras_exactly(input_dim, units, seed,
                                                                    cell):
    # The GRU's blocks z, r, h are ONNX's order; its bias rows are Wb and Rb. The RNN's second
    # bias (Rb) is zero.
    factory = stateful_lstm.make_gru if cell == "gru" else stateful_lstm.make_simple_rnn
    model = random_weights(factory(units=units, input_dim=input_dim, stateful=False), seed)
    kernel, recurrent_kernel, bias = model.get_weights()
    W, R, B = export.onnx_weights(cell, kernel, recurrent_kernel, bias)
    blocks = 3 if cell == "gru" else 1
    assert (W.shape, R.shape, B.shape) == ((1, blocks * units, input_dim),
                                           (1, blocks * units, units), (1, 2 * blocks * units))
    np.testing.assert_array_equal(W[0], kernel.T)            # no reordering for either
    np.testing.assert_array_equal(B[0], bias.reshape(-1) if cell == "gru" else
                                  np.concatenate([bias, np.zeros_like(bias)]))
    for got, expected in zip(export.keras_weights(cell, W, R, B), model.get_weights()):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("factory", [stateful_lstm.make_gru, stateful_lstm.make_simple_rnn])
def test_a_gru_and_an_rnn_copy_run_the_batch_with_h_alone(factory):
    model = random_weights(factory(units=3, input_dim=2, stateful=True, batch_size=2))
    proto = export.to_onnx(model, batch_size=None)
    assert [i.name for i in proto.graph.input] == ["x", "h"]
    assert [o.name for o in proto.graph.output] == ["y", "h_next"]
    x = np.random.default_rng(3).uniform(-2, 2, (2, 4, 2)).astype(np.float32)
    model.predict_on_batch(x)
    (h,) = model.get_states()
    y, h_next = StepSession(proto).run(x, h)
    np.testing.assert_allclose(y, model.predict_on_batch(x), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(h_next, model.get_states()[0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cell", list(CELLS))
def test_the_classifier_copy_continues_each_row_step_by_step(cell):
    model = random_weights(stateful_lstm.make_classifier(units=4, input_dim=3, n_classes=5,
                                                         stateful=True, batch_size=3, cell=cell))
    rng = np.random.default_rng(1)
    model.predict_on_batch(rng.uniform(-2, 2, (3, 4, 3)).astype(np.float32))
    states = model.get_states()
    session = StepSession(export.to_onnx(model, batch_size=1))
    assert session.states == CELLS[cell].states
    x = rng.uniform(-2, 2, (3, 5, 3)).astype(np.float32)
    expected = model.predict_on_batch(x)
    for row in range(3):
        state = [s[row:row + 1] for s in states]
        for t in range(5):
            p, *state = session.run(x[row:row + 1, t:t + 1], *state)
        np.testing.assert_allclose(p[0], expected[row], rtol=1e-5, atol=1e-5)
        for got, final in zip(state, model.get_states(), strict=True):
            np.testing.assert_allclose(got, final[row:row + 1], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cell", list(CELLS))
def test_the_sequence_model_copy_continues_a_row_as_an_exported_copy(cell):
    model = random_weights(stateful_lstm.make_sequence_model(
        vocab_size=6, embedding_dim=3, units=4, stateful=True, batch_size=1, cell=cell))
    tokens = np.random.default_rng(2).integers(0, 6, (1, 7))
    copy = ExportedCopy(export.to_onnx(model, batch_size=1))
    for t in range(7):
        np.testing.assert_allclose(copy.predict_on_batch(tokens[:, t:t + 1]),
                                   model.predict_on_batch(tokens[:, t:t + 1]), rtol=1e-5,
                                   atol=1e-6)
    for got, expected in zip(copy.state, model.get_states(), strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_a_copy_of_any_batch_size_runs_the_whole_batch():
    model = random_weights(stateful_lstm.make_sequence_model(
        vocab_size=6, embedding_dim=2, units=3, stateful=True, batch_size=4))
    proto = export.to_onnx(model, batch_size=None)
    batch, steps = proto.graph.input[0].type.tensor_type.shape.dim
    assert (batch.dim_value, batch.dim_param, steps.dim_param) == (0, "", "time")  # both free
    session = StepSession(proto)
    x = np.random.default_rng(2).integers(0, 6, (4, 7))
    p, h, c = session.run(x, *model.get_states())
    np.testing.assert_allclose(p, model.predict_on_batch(x), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(h, model.get_states()[0], rtol=1e-5, atol=1e-5)


def test_a_stateless_graph_starts_every_run_from_zeros():
    model = random_weights(stateful_lstm.make_lstm(units=3, input_dim=2, stateful=False))
    session = StepSession(export.layer_model(model.get_weights(), batch_size=None, state=False))
    assert [i.name for i in session.session.get_inputs()] == ["x"]
    x = np.random.default_rng(3).uniform(-2, 2, (2, 4, 2)).astype(np.float32)
    first, second = session.run(x), session.run(x)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_allclose(first[0], model.predict_on_batch(x), rtol=1e-5, atol=1e-5)


def test_a_text_models_metadata_and_file(tmp_path):
    model = stateful_lstm.make_sequence_model(vocab_size=3, embedding_dim=2, units=2,
                                              stateful=True, batch_size=2)
    path = tmp_path / "text.onnx"
    export.export(model, path, vocabulary="abc", prompt="ab")
    onnx.checker.check_model(str(path), full_check=True)
    copy = ExportedCopy(path)
    assert (copy.vocabulary, copy.prompt, copy.units) == ("abc", "ab", 2)
    assert copy.predict_on_batch(np.array([[0, 1]])).shape == (1, 2, 3)


@pytest.mark.parametrize("make, call, message", [
    (lambda: stateful_lstm.make_lstm(units=2, input_dim=1, stateful=False),
     dict(batch_size=0), "batch_size must be a positive int or None; received 0"),
    (lambda: stateful_lstm.make_lstm(units=2, input_dim=1, stateful=False),
     dict(vocabulary="ab"), "a vocabulary and a prompt go with a sequence model; received a "
                            "model of kind 'lstm'"),
    (lambda: stateful_lstm.make_sequence_model(vocab_size=3, embedding_dim=1, units=2,
                                               stateful=False),
     dict(vocabulary="ab"), "the vocabulary has 2 characters; the model has 3 tokens"),
])
def test_bad_arguments_are_refused(make, call, message):
    with pytest.raises(ValueError, match=message):
        export.to_onnx(make(), **call)


def test_a_model_s_cell_is_read_from_the_model_and_a_wrong_one_is_refused():
    gru = stateful_lstm.make_gru(units=2, input_dim=3, stateful=True, batch_size=1)
    def operators(model_proto):
        return {node.op_type for node in model_proto.graph.node} & {"LSTM", "GRU", "RNN"}
    assert operators(export.to_onnx(gru)) == {"GRU"}                   # its ``cell``

    class Unnamed:             # an implementation's GRU without a ``cell`` attribute
        units, input_dim = 2, 3
        get_weights = gru.get_weights
    with pytest.raises(ValueError, match=r"exporting a LSTM: expected weights of shapes "
                                         r"\[\(3, 8\), \(2, 8\), \(8,\)\].*\(pass cell=\)"):
        export.to_onnx(Unnamed())
    assert operators(export.to_onnx(Unnamed(), cell="gru")) == {"GRU"}


@pytest.mark.slow
@pytest.mark.parametrize("factory", ["make_lstm", "make_gru", "make_simple_rnn"])
@pytest.mark.parametrize("layers", [1, 3])
@pytest.mark.parametrize("runtime, suffix, any_batch", [("openvino", "xml", None),
                                                        ("ai_edge_litert", "tflite", 2)])
def test_a_copy_with_its_state_inside_carries_it_as_the_model_does(tmp_path, factory, layers,
                                                                   runtime, suffix, any_batch):
    # export to .xml (OpenVINO) or .tflite (LiteRT) with state="internal": OpenVINO's request or
    # LiteRT's interpreter carries the state (every cell, every layer of a stack), reset_state()
    # starts it from zeros again; with state="explicit", h (and c) in and out, a stack's every
    # layer's (any batch size, but LiteRT's: static). A stack's copies run here, not in each
    # column's clause 20 (SPEC.md, "Stacked layers").
    pytest.importorskip(runtime)
    from stateful_lstm.step_session import open_session
    model = random_weights(getattr(stateful_lstm, factory)(units=3, input_dim=2, stateful=True,
                                                           batch_size=2, layers=layers), seed=4)
    export.export(model, tmp_path / f"inside.{suffix}", batch_size=2, state="internal")
    export.export(model, tmp_path / f"explicit.{suffix}", batch_size=any_batch)
    inside, explicit = (open_session(tmp_path / f"{n}.{suffix}") for n in ("inside", "explicit"))
    assert inside.internal and not explicit.internal and explicit.batch_size == any_batch
    xs = np.random.default_rng(1).uniform(-2, 2, (3, 2, 4, 2)).astype(np.float32)
    state = [np.zeros((2, 3), np.float32) for _ in explicit.states]
    for x in xs:
        expected = model.predict_on_batch(x)
        np.testing.assert_allclose(inside.run(x)[0], expected, rtol=1e-5, atol=1e-5)
        y, *state = explicit.run(x, *state)
        np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    inside.reset_state()
    model.reset_states()
    np.testing.assert_allclose(inside.run(xs[0])[0], model.predict_on_batch(xs[0]), rtol=1e-5,
                               atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["gru", "simple_rnn"])
@pytest.mark.parametrize("runtime, suffix", [("openvino", "xml"), ("ai_edge_litert", "tflite")])
@pytest.mark.parametrize("state", ["explicit", "internal"])
def test_a_sequence_model_copy_of_each_cell_runs_in_each_runtime(tmp_path, cell, runtime, suffix,
                                                                 state):
    # The text copy (what generate runs) of a GRU's or SimpleRNN's sequence model: h alone.
    pytest.importorskip(runtime)
    model = random_weights(stateful_lstm.make_sequence_model(
        vocab_size=5, embedding_dim=2, units=3, stateful=True, batch_size=1, cell=cell), seed=3)
    export.export(model, tmp_path / f"copy.{suffix}", state=state)
    copy = ExportedCopy(tmp_path / f"copy.{suffix}")
    tokens = np.random.default_rng(4).integers(0, 5, (1, 6))
    for t in range(0, 6, 2):
        np.testing.assert_allclose(copy.predict_on_batch(tokens[:, t:t + 2]),
                                   model.predict_on_batch(tokens[:, t:t + 2]), rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.parametrize("path, call, message", [
    ("copy.xml", dict(state="inside"), r"state must be one of \['explicit', 'internal'\]; "
                                       r"received 'inside'"),
    ("copy.xml", dict(state="internal", batch_size=None), "give a batch_size"),
    ("copy.onnx", dict(state="internal"), "an ONNX step model's state is explicit"),
    ("copy.tflite", dict(batch_size=None), "a LiteRT model's batch is static"),
    ("copy.tflite", dict(state="inside"), r"state must be one of"),
])
def test_bad_export_arguments_are_refused_before_writing(tmp_path, path, call, message):
    # Refused before the runtime's converter is imported (none needs to be installed).
    with pytest.raises(ValueError, match=message):
        export.export(stateful_lstm.make_lstm(units=2, input_dim=1, stateful=True,
                                              batch_size=1), tmp_path / path, **call)
    assert not list(tmp_path.iterdir())
