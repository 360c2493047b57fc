"""Tests of the reference sequence model: its gradients (finite differences), its errors, and that
training one batch with per-timestep targets moves the state as prediction does."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stateful_lstm
from stateful_lstm.sequence import forward_backward

NAMES = ["embeddings", "kernel", "recurrent", "bias", "dense W", "dense b"]


@settings(max_examples=10)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 3), steps=st.integers(1, 4),
       vocab=st.integers(2, 5), embedding_dim=st.integers(1, 3), units=st.integers(1, 4),
       masked=st.booleans())
def test_gradients_match_finite_differences(seed, batch, steps, vocab, embedding_dim, units,
                                            masked):
    # In float64: central differences with step 1e-6 are accurate to about 1e-9 here. Masked:
    # random masks and per-token sample weights.
    rng = np.random.default_rng(seed)
    extra = (rng.uniform(0, 2, (batch, steps)), rng.random((batch, steps)) < 0.6) if masked \
        else ()
    shapes = [(vocab, embedding_dim), (embedding_dim, 4 * units), (units, 4 * units),
              (4 * units,), (units, vocab), (vocab,)]
    weights = [rng.uniform(-1, 1, shape) for shape in shapes]
    x, y = rng.integers(0, vocab, (2, batch, steps))
    h0, c0 = rng.uniform(-1, 1, (2, batch, units))
    gradients = forward_backward(weights, x, y, h0, c0, *extra).gradients
    for name, w, g in zip(NAMES, weights, gradients):
        numeric = np.zeros_like(w)
        for index in np.ndindex(w.shape):
            old = w[index]
            w[index] = old + 1e-6
            plus = forward_backward(weights, x, y, h0, c0, *extra).loss
            w[index] = old - 1e-6
            minus = forward_backward(weights, x, y, h0, c0, *extra).loss
            w[index] = old
            numeric[index] = (plus - minus) / 2e-6
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def make(**overrides):
    config = dict(vocab_size=5, embedding_dim=3, units=4, stateful=True, batch_size=2, seed=1)
    return stateful_lstm.make_sequence_model(**{**config, **overrides})


def test_loss_is_the_mean_per_token_cross_entropy_and_training_moves_the_state_as_prediction():
    model, twin = make(), make()
    x, y = np.array([[0, 1, 2], [3, 4, 0]]), np.array([[1, 2, 3], [4, 0, 1]])
    p = twin.predict_on_batch(x)
    expected = -np.log(np.take_along_axis(p, y[..., None], axis=2)).mean()
    np.testing.assert_allclose(model.train_on_batch(x, y), expected, rtol=1e-6)
    for a, b in zip(model.get_states(), twin.get_states()):
        np.testing.assert_array_equal(a, b)


def test_same_seed_same_weights_and_keras_shapes():
    weights = make().get_weights()
    assert [w.shape for w in weights] == [(5, 3), (3, 16), (4, 16), (16,), (4, 5), (5,)]
    for a, b in zip(weights, make().get_weights()):
        np.testing.assert_array_equal(a, b)
    assert np.abs(weights[0]).max() <= 0.05


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
])
def test_bad_configuration_is_refused(config, message):
    with pytest.raises(ValueError, match=message):
        make(**config)
