"""The reference's stacked layers (``stateful_lstm.stack``): a stack is its layers chained, each
carrying its own state; every layer's state and weights, in order, are the stack's; a reset or
``set_states`` reaches every layer; a refused call changes no layer."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import stateful_lstm
from stateful_lstm.cells import CELLS, weights_by_layer

FACTORIES = {cell: getattr(stateful_lstm, spec.factory) for cell, spec in CELLS.items()}


@st.composite
def stacks(draw):
    """A stateful stack of 2 or 3 layers of a drawn cell, random weights and carried state, and
    an input batch for it."""
    cell = draw(st.sampled_from(sorted(CELLS)))
    layers, batch, units, input_dim, steps = (draw(st.integers(lo, hi)) for lo, hi in
                                              [(2, 3), (1, 3), (1, 4), (1, 3), (1, 5)])
    model = FACTORIES[cell](units=units, input_dim=input_dim, stateful=True, batch_size=batch,
                            layers=layers, seed=draw(st.integers(0, 9)))
    floats = st.floats(-1, 1, width=32)
    model.set_weights([draw(hnp.arrays(np.float32, w.shape, elements=floats))
                       for w in model.get_weights()])
    model.set_states([draw(hnp.arrays(np.float32, s.shape, elements=floats))
                      for s in model.get_states()])
    x = draw(hnp.arrays(np.float32, (batch, steps, input_dim), elements=st.floats(-2, 2, width=32)))
    return cell, layers, model, x


def alone(cell, model, k):
    """Layer ``k`` of the stacked ``model`` as a layer of its own, with its weights and state."""
    weights = weights_by_layer(model.get_weights())[k]
    layer = FACTORIES[cell](units=model.units, input_dim=weights[0].shape[0], stateful=True,
                            batch_size=model.batch_size)
    layer.set_weights(weights)
    layer.set_states(CELLS[cell].by_layer(model.get_states())[k])
    return layer


@settings(max_examples=30, deadline=None)
@given(stacks(), st.data())
def test_a_stack_is_its_layers_chained_each_carrying_its_own_state(drawn, data):
    cell, layers, model, x = drawn
    chained = [alone(cell, model, k) for k in range(layers)]
    for call in range(2):                               # two calls: the state carries on
        mask = data.draw(st.none() | hnp.arrays(np.bool_, x.shape[:2]), label=f"mask {call}")
        expected = x
        for layer in chained:                           # a mask reaches every layer
            expected = layer.predict_on_batch(expected, mask=mask)
        np.testing.assert_array_equal(model.predict_on_batch(x, mask=mask), expected)
        np.testing.assert_array_equal(np.concatenate(model.get_states()),
                                      np.concatenate([s for layer in chained
                                                      for s in layer.get_states()]))


@settings(max_examples=20, deadline=None)
@given(stacks(), st.data())
def test_set_states_and_reset_reach_every_layer(drawn, data):
    cell, layers, model, x = drawn
    k = data.draw(st.integers(0, layers - 1), label="the layer whose state is set")
    per_layer = len(CELLS[cell].states)
    states = [np.zeros_like(s) for s in model.get_states()]
    states[k * per_layer] = np.full_like(states[0], 0.5)
    model.set_states(states)
    for index, got in enumerate(model.get_states()):
        np.testing.assert_array_equal(got, states[index])
    model.reset_states()
    assert all(not s.any() for s in model.get_states())


@settings(max_examples=20, deadline=None)
@given(stacks())
def test_a_refused_call_changes_no_layer(drawn):
    _, _, model, x = drawn
    before = model.get_states()
    refused = [x[:, :, :0], x[0], np.concatenate([x, x]),   # no features, 2-D, more rows
               list(model.get_states())[:-1]]
    for call, argument in zip(["predict_on_batch"] * 3 + ["set_states"], refused):
        with pytest.raises(ValueError):
            getattr(model, call)(argument)
    with pytest.raises(ValueError, match="set_weights expects"):
        model.set_weights(model.get_weights()[:-1])
    for got, kept in zip(model.get_states(), before):
        np.testing.assert_array_equal(got, kept)


def test_one_layer_is_the_plain_layer_and_no_layers_is_refused():
    assert type(stateful_lstm.make_gru(units=2, input_dim=1, stateful=False, layers=1)) is \
        stateful_lstm.GRU
    for layers in (0, -1, 1.5, True, None):
        with pytest.raises(ValueError, match="layers must be a positive integer"):
            stateful_lstm.make_lstm(units=2, input_dim=1, stateful=False, layers=layers)
