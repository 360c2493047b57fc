"""Tests of the reference sequence model: its gradients (finite differences), its errors, and that
training one batch with per-timestep targets moves the state as prediction does."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stateful_lstm
from stateful_lstm.cells import CELLS
from stateful_lstm.sequence import forward_backward

from .gradients import assert_gradients_match

NAMES = ["embeddings", "kernel", "recurrent", "bias", "dense W", "dense b"]


@pytest.mark.parametrize("cell", list(CELLS))
@settings(max_examples=10)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 3), steps=st.integers(1, 4),
       vocab=st.integers(2, 5), embedding_dim=st.integers(1, 3), units=st.integers(1, 4),
       masked=st.booleans(), layers=st.integers(1, 3))
def test_gradients_match_finite_differences(cell, seed, batch, steps, vocab, embedding_dim, units,
                                            masked, layers):
    # Masked: random masks and per-token sample weights. A stack: each layer's three arrays, its
    # gradient flowing down through the layers above.
    rng = np.random.default_rng(seed)
    extra = (rng.uniform(0, 2, (batch, steps)), rng.random((batch, steps)) < 0.6) if masked \
        else (None, None)
    shapes = [(vocab, embedding_dim),
              *(shape for k in range(layers) for shape in
                CELLS[cell].weight_shapes(embedding_dim if k == 0 else units, units)),
              (units, vocab), (vocab,)]
    weights = [rng.uniform(-1, 1, shape) for shape in shapes]
    x, y = rng.integers(0, vocab, (2, batch, steps))
    start = list(rng.uniform(-1, 1, (len(CELLS[cell].states) * layers, batch, units)))
    names = [NAMES[0], *(f"{name} {k}" for k in range(layers) for name in NAMES[1:4]),
             *NAMES[4:]]
    assert_gradients_match(lambda: forward_backward(weights, x, y, start, *extra, cell).loss,
                           weights, forward_backward(weights, x, y, start, *extra, cell).gradients,
                           names, f"{CELLS[cell].title} sequence model of {layers} layers")


@pytest.mark.parametrize("cell", list(CELLS))
def test_a_stacked_sequence_model_is_its_layers_chained(cell):
    # Prediction and training of a stack go through the same layers, each carrying its own
    # state: a train step from a state equals predict_on_batch from it (the loss of the
    # probabilities it gives), and both leave every layer's state where the other does.
    model, twin = make(cell=cell, layers=2), make(cell=cell, layers=2)
    rng = np.random.default_rng(0)
    states = [rng.uniform(-1, 1, s.shape).astype(np.float32) for s in model.get_states()]
    assert len(states) == 2 * len(CELLS[cell].states)
    model.set_states(states)
    twin.set_states(states)
    x, y = np.array([[0, 1, 2], [3, 4, 0]]), np.array([[1, 2, 3], [4, 0, 1]])
    p = twin.predict_on_batch(x)
    expected = -np.log(np.take_along_axis(p, y[..., None], axis=2)).mean()
    np.testing.assert_allclose(model.train_on_batch(x, y), expected, rtol=1e-6)
    for got, want in zip(model.get_states(), twin.get_states()):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert len(model.get_weights()) == 1 + 3 * 2 + 2      # embeddings, two layers, Dense


def make(**overrides):
    config = dict(vocab_size=5, embedding_dim=3, units=4, stateful=True, batch_size=2, seed=1)
    return stateful_lstm.make_sequence_model(**{**config, **overrides})


@pytest.mark.parametrize("cell", list(CELLS))
def test_loss_is_the_mean_per_token_cross_entropy_and_training_moves_the_state_as_prediction(
        cell):
    model, twin = make(cell=cell), make(cell=cell)
    x, y = np.array([[0, 1, 2], [3, 4, 0]]), np.array([[1, 2, 3], [4, 0, 1]])
    p = twin.predict_on_batch(x)
    expected = -np.log(np.take_along_axis(p, y[..., None], axis=2)).mean()
    np.testing.assert_allclose(model.train_on_batch(x, y), expected, rtol=1e-6)
    assert len(model.get_states()) == len(CELLS[cell].states)
    for a, b in zip(model.get_states(), twin.get_states(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cell", list(CELLS))
def test_same_seed_same_weights_and_keras_shapes(cell):
    weights = make(cell=cell).get_weights()
    assert [w.shape for w in weights] == \
        [(5, 3), *CELLS[cell].weight_shapes(3, 4), (4, 5), (5,)]
    for a, b in zip(weights, make(cell=cell).get_weights()):
        np.testing.assert_array_equal(a, b)
    assert np.abs(weights[0]).max() <= 0.05
    # the cell's weights are the layer's of the same seed (make_gru's, make_simple_rnn's)
    layer = stateful_lstm.LAYERS[cell](units=4, input_dim=3, stateful=False, seed=1)
    for a, b in zip(weights[1:4], layer.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("call, args, message", [
    ("predict_on_batch", (np.zeros((2, 3, 1), int),), "2-D array of token ids"),
    ("predict_on_batch", (np.zeros((2, 3)),), "integer token ids; received dtype float64"),
    ("predict_on_batch", (np.zeros((3, 3), int),), "batch_size=2 rows; received a batch of 3"),
    ("predict_on_batch", (np.array([[0, 5], [1, 2]]),), r"token ids in \[0, 5\)"),
    ("train_on_batch", (np.zeros((2, 3), int), np.zeros((2, 4), int)), r"shape \(2, 3\)"),
    ("train_on_batch", (np.zeros((2, 0), int), np.zeros((2, 0), int)), "at least one timestep"),
])
def test_bad_input_is_refused_and_the_state_kept(call, args, message):
    model = make()
    model.predict_on_batch(np.array([[1, 2], [3, 4]]))
    before = model.get_states()
    with pytest.raises(ValueError, match=message):
        getattr(model, call)(*args)
    for a, b in zip(model.get_states(), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("config, message", [
    (dict(vocab_size=0), "vocab_size must be a positive integer"),
    (dict(embedding_dim=1.5), "embedding_dim must be a positive integer"),
    (dict(learning_rate=0), "learning_rate must be a positive number"),
    (dict(batch_size=None), "needs a fixed batch_size"),
    (dict(cell="lstm2"), r"cell must be one of \['lstm', 'gru', 'simple_rnn'\]; received 'lstm2'"),
])
def test_bad_configuration_is_refused(config, message):
    with pytest.raises(ValueError, match=message):
        make(**config)
