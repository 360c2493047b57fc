"""Tests of clause 8's oracle (``spec/training_oracle.py``): the range Adam's update may take when
the gradient is known only to float32 precision."""
import hypothesis
import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from spec import strategies as sst
from spec.assertions import ATOL
from spec.run import Run, given, resolve
from spec.training_oracle import AdamRange, gradient_and_error_bound, sequence_gradient_and_error_bound
from stateful_lstm import LAYERS
from stateful_lstm.adam import Adam
from stateful_lstm.cells import CELLS
from stateful_lstm.dense import dense_softmax_loss
from stateful_lstm.sequence import forward_backward

LR = 0.001
gradients = hnp.arrays(np.float64, 6, elements=st.floats(-1e-3, 1e-3))
spreads = hnp.arrays(np.float64, 6, elements=st.floats(0, 1e-6))


def adam_steps(gs):
    """What Keras' Adam (the reference's) subtracts at each step for the gradients ``gs``."""
    w, adam, steps = np.zeros(len(gs[0])), Adam(LR), []
    for g in gs:
        before = w.copy()
        adam.step(w, g)
        steps.append(before - w)
    return steps


@given(g1=gradients, g2=gradients)
def test_with_an_exact_gradient_the_range_is_adams_step(g1, g2):
    adam = AdamRange(LR)
    for g, step in zip([g1, g2], adam_steps([g1, g2])):
        low, high = adam.step(g, np.zeros_like(g))
        np.testing.assert_allclose(low, step, rtol=1e-12, atol=1e-18)
        np.testing.assert_allclose(high, step, rtol=1e-12, atol=1e-18)


@given(data=st.data(), g1=gradients, g2=gradients, d1=spreads, d2=spreads)
def test_every_gradient_within_the_spread_gives_a_step_within_the_range(data, g1, g2, d1, d2):
    u1, u2 = (data.draw(hnp.arrays(np.float64, 6, elements=st.floats(-1, 1))) for _ in range(2))
    adam = AdamRange(LR)
    steps = adam_steps([g1 + u1 * d1, g2 + u2 * d2])
    for g, d, step in zip([g1, g2], [d1, d2], steps):
        low, high = adam.step(g, d)
        assert np.all(low <= step + 1e-15) and np.all(step <= high + 1e-15)


def test_the_sign_of_rounding_noise_no_longer_decides_the_verdict():
    # The flaky case of clause 8: a gradient that is zero up to rounding, computed as +3e-8 by one
    # float32 implementation and -3e-8 by another. Adam moves a weight near 0 by about +-9e-6
    # either way, so the two differ by more than the tolerance: comparing both with one expected
    # value failed one of them, depending on the sign of the noise.
    noise = np.array([3e-8, -3e-8])
    plus, minus = adam_steps([noise])[0]
    assert abs(plus - minus) > ATOL
    low, high = AdamRange(LR).step(np.zeros(2), np.full(2, 1e-7))
    assert np.all(low <= [plus, minus]) and np.all([plus, minus] <= high)
    # ...while a clear gradient still pins the step far inside the tolerance
    low, high = AdamRange(LR).step(np.array([1e-3]), np.array([1e-8]))
    assert high - low < ATOL / 100


@pytest.mark.parametrize("cell", list(CELLS))
@settings(max_examples=25, deadline=None)
@hypothesis.given(data=st.data())
def test_the_float32_reference_gradient_is_within_the_bound(cell, data):
    # The classifier's oracle (clause 8) bounds the float32 reference's gradient, every cell.
    setup = data.draw(resolve(sst.setups(), Run(cell=cell)), label="setup")
    n_classes, steps = data.draw(st.integers(2, 6)), data.draw(resolve(sst.timesteps(), Run()))
    W, b = data.draw(sst.dense_weights(setup.units, n_classes))
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim))
    state = data.draw(sst.carried_states(setup.batch_size, setup.units, cell))
    y = data.draw(sst.one_hot_targets(setup.batch_size, n_classes))
    layer, cache = LAYERS[cell], []
    hs = layer.forward(x, *state, *setup.weights, cache)[0]
    _, _, dh, dW, db = dense_softmax_loss(hs[:, -1], W, b, y)
    float32 = layer.backward(x, dh, cache, setup.weights[1]) + [dW, db]
    _, _, exact, bounds = gradient_and_error_bound([*setup.weights, W, b], x, state, y,
                                                   cell=cell)
    for got, expected, bound in zip(float32, exact, bounds, strict=True):
        assert np.all(np.abs(got - expected) <= bound + 1e-12)


@pytest.mark.parametrize("cell", list(CELLS))
@settings(max_examples=25, deadline=None)
@hypothesis.given(data=st.data())
def test_the_float32_sequence_gradient_is_within_the_bound(cell, data):
    # The sequence model's oracle (clause 13) bounds the float32 reference's gradient too.
    setup = data.draw(resolve(sst.sequence_setups(), Run(cell=cell)), label="setup")
    steps = data.draw(resolve(sst.timesteps(), Run()))
    x = data.draw(sst.token_batches(setup.batch_size, steps, setup.vocab_size))
    y = data.draw(sst.token_batches(setup.batch_size, steps, setup.vocab_size))
    state = data.draw(sst.carried_states(setup.batch_size, setup.units, cell))
    float32 = forward_backward(list(setup.weights), x, y, state, cell=cell).gradients
    _, _, exact, bounds = sequence_gradient_and_error_bound(setup.weights, x, state, y, cell=cell)
    for got, expected, bound in zip(float32, exact, bounds, strict=True):
        assert np.all(np.abs(got - expected) <= bound + 1e-12)
