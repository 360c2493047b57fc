"""Each reference cell's backward pass (``LAYERS[cell].backward``) against central finite
differences of its forward pass: the gradients of the weights and of the input, for a loss read
at every timestep (a sequence model's) or at the last one only (a classifier's), with and
without masks."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stateful_lstm import LAYERS
from stateful_lstm.cells import CELLS

STEP = 1e-6        # float64: central differences with this step are accurate to about 1e-9 here


def numeric_gradient(loss, array):
    """d loss() / d array, by central differences, ``array`` changed in place and restored."""
    gradient = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + STEP
        plus = loss()
        array[index] = old - STEP
        minus = loss()
        array[index] = old
        gradient[index] = (plus - minus) / (2 * STEP)
    return gradient


@pytest.mark.parametrize("cell", list(CELLS))
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 3), steps=st.integers(1, 4),
       input_dim=st.integers(1, 3), units=st.integers(1, 4))
def test_each_cells_backward_pass_matches_finite_differences(cell, seed, batch, steps, input_dim,
                                                             units):
    # Each example tries the four cases: the loss sum(hs * weights) or sum(h_T * weights), with
    # no mask or a random one (a masked step keeps the state and outputs it, so the gradient
    # there reaches the row's earlier real step).
    layer = LAYERS[cell]
    rng = np.random.default_rng(seed)
    params = [rng.uniform(-1, 1, shape) for shape in CELLS[cell].weight_shapes(input_dim, units)]
    x = rng.uniform(-2, 2, (batch, steps, input_dim))
    start = rng.uniform(-1, 1, (len(layer.STATES), batch, units))
    for mask in (None, rng.random((batch, steps)) < 0.6):
        for weights in (rng.uniform(-1, 1, (batch, steps, units)),
                        rng.uniform(-1, 1, (batch, units))):
            def loss(cache=None, mask=mask, weights=weights):
                hs = layer.forward(x, *start, *params, cache=cache, mask=mask)[0]
                return ((hs if weights.ndim == 3 else hs[:, -1]) * weights).sum()
            cache = []
            loss(cache)
            gradients, dx = layer.backward(x, weights, cache, params[1], kernel=params[0])
            case = f"{CELLS[cell].title}, loss at {'every step' if weights.ndim == 3 else 'the last'}" \
                   f", {'no mask' if mask is None else f'mask {mask.tolist()}'}"
            for name, array, gradient in zip(["kernel", "recurrent_kernel", "bias", "x"],
                                             [*params, x], [*gradients, dx]):
                np.testing.assert_allclose(gradient, numeric_gradient(loss, array), rtol=1e-5,
                                           atol=1e-8, err_msg=f"{case}: d loss / d {name}")
