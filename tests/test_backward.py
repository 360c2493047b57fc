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

from .gradients import assert_gradients_match


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
            assert_gradients_match(loss, [*params, x], [*gradients, dx],
                                   ["kernel", "recurrent_kernel", "bias", "x"], case)
