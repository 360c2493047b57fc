"""Tests of the reference classifier: its gradients (finite differences), Adam, its errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stateful_lstm
from stateful_lstm import LAYERS
from stateful_lstm.adam import Adam
from stateful_lstm.cells import CELLS
from stateful_lstm.dense import dense_softmax_loss

from .gradients import assert_gradients_match


def loss_and_gradients(cell, params, x, start, y, weight=None, mask=None):
    """The classifier's loss and gradients, from the reference's equations of ``cell``."""
    layer, cache = LAYERS[cell], []
    hs = layer.forward(x, *start, *params[:3], cache=cache, mask=mask)[0]
    _, loss, dh, dW, db = dense_softmax_loss(hs[:, -1], params[3], params[4], y, weight)
    return loss, layer.backward(x, dh, cache, params[1]) + [dW, db]


@pytest.mark.parametrize("cell", list(CELLS))
@settings(max_examples=10)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 3), steps=st.integers(1, 4),
       input_dim=st.integers(1, 3), units=st.integers(1, 4), n_classes=st.integers(2, 4),
       masked=st.booleans())
def test_gradients_match_finite_differences(cell, seed, batch, steps, input_dim, units,
                                            n_classes, masked):
    # Masked: random masks (masked steps keep the state) and sample weights.
    rng = np.random.default_rng(seed)
    mask = rng.random((batch, steps)) < 0.6 if masked else None
    weight = rng.uniform(0, 2, batch) if masked else None
    shapes = CELLS[cell].weight_shapes(input_dim, units) + [(units, n_classes), (n_classes,)]
    params = [rng.uniform(-1, 1, shape) for shape in shapes]
    x = rng.uniform(-2, 2, (batch, steps, input_dim))
    start = rng.uniform(-1, 1, (len(CELLS[cell].states), batch, units))
    y = np.eye(n_classes)[rng.integers(0, n_classes, batch)]
    assert_gradients_match(
        lambda: loss_and_gradients(cell, params, x, start, y, weight, mask)[0], params,
        loss_and_gradients(cell, params, x, start, y, weight, mask)[1],
        ["kernel", "recurrent", "bias", "dense W", "dense b"], f"{CELLS[cell].title} classifier")


@pytest.mark.parametrize("cell", list(CELLS))
def test_the_gradient_stops_at_the_start_of_the_batch(cell):
    # Truncated BPTT: the carried state is an input of the batch, not something to differentiate;
    # changing the earlier batches changes the gradient only through that state.
    model = stateful_lstm.make_classifier(units=3, input_dim=2, n_classes=3, stateful=True,
                                          batch_size=1, seed=2, cell=cell)
    x, y = np.ones((1, 2, 2), np.float32), np.eye(3, dtype=np.float32)[[1]]
    model.train_on_batch(x, y)
    weights, states = model.get_weights(), model.get_states()
    assert [w.shape for w in weights] == CELLS[cell].weight_shapes(2, 3) + [(3, 3), (3,)]
    assert len(states) == len(CELLS[cell].states)
    twin = stateful_lstm.make_classifier(units=3, input_dim=2, n_classes=3, stateful=True,
                                         batch_size=1, seed=2, cell=cell)
    twin.set_weights(weights)
    twin.set_states(states)
    model.parameters.optimizer, twin.parameters.optimizer = Adam(0.001), Adam(0.001)  # fresh
    assert model.train_on_batch(x, y) == twin.train_on_batch(x, y)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_adam_first_steps_follow_keras_formula():
    w, adam = np.array([1.0, -2.0]), Adam(0.1)
    adam.step(w, np.array([0.5, -0.25]))
    np.testing.assert_allclose(w, [1.0 - 0.1, -2.0 + 0.1], rtol=1e-6)   # step 1 moves by lr
    adam.step(w, np.array([0.5, 0.0]))
    m = 0.9 * 0.05 + 0.05
    v = 0.999 * 0.00025 + 0.00025
    lr_t = 0.1 * np.sqrt(1 - 0.999 ** 2) / (1 - 0.9 ** 2)
    np.testing.assert_allclose(w[0], 0.9 - lr_t * m / (np.sqrt(v) + 1e-7), rtol=1e-6)


@pytest.mark.parametrize("call, message", [
    (lambda m: m.train_on_batch(np.ones((2, 1, 3)), np.eye(4)[[0]]),
     r"targets y of shape \(batch=2, n_classes=4\), one-hot; received shape \(1, 4\)"),
    (lambda m: m.train_on_batch(np.ones((2, 1, 3)), np.full((2, 4), 0.5)),
     r"one-hot targets .* received rows summing to \[2.0, 2.0\]"),
    (lambda m: m.train_on_batch(np.ones((2, 0, 3)), np.eye(4)[[0, 1]]),
     r"reads the last timestep; received an input with 0 timesteps"),
    (lambda m: m.predict_on_batch(np.ones((3, 1, 3))), r"batch_size=2 rows; received a batch of 3"),
    (lambda m: m.set_weights(m.get_weights()[:3]), r"expects a list of 5 arrays"),
    (lambda m: m.train_on_batch(np.full((2, 1, 3), np.nan), np.eye(4)[[0, 1]]),
     r"predict_on_batch expects a finite input"),
    (lambda m: m.train_on_batch(np.ones((2, 1, 3)), np.full((2, 4), np.nan)),
     r"one-hot targets"),
    (lambda m: m.set_weights(m.get_weights()[:4] + [np.full(4, np.inf)]),
     r"set_weights expects a finite array 4"),
])
def test_bad_training_input_is_refused_and_changes_nothing(call, message):
    model = stateful_lstm.make_classifier(units=2, input_dim=3, n_classes=4, stateful=True,
                                          batch_size=2, seed=1)
    model.predict_on_batch(np.ones((2, 2, 3)))
    states, weights = model.get_states(), model.get_weights()
    with pytest.raises(ValueError, match=message):
        call(model)
    for a, b in zip(model.get_states() + model.get_weights(), states + weights):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("config, message", [
    (dict(n_classes=0), "n_classes must be a positive integer"),
    (dict(learning_rate=0), "learning_rate must be a positive number; received 0"),
    (dict(learning_rate=float("inf")), "learning_rate must be a positive number; received inf"),
    (dict(cell="GRU"), r"cell must be one of \['lstm', 'gru', 'simple_rnn'\]; received 'GRU'"),
])
def test_bad_classifier_configuration_is_refused(config, message):
    with pytest.raises(ValueError, match=message):
        stateful_lstm.make_classifier(**{**dict(units=2, input_dim=1, n_classes=3,
                                                stateful=False), **config})
