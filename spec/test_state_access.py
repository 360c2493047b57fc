"""Clause `state-access`: get_states() shows the carried state at any moment and set_states()
replaces it; neither shares memory with the caller (SPEC.md section 5)."""
import numpy as np
import pytest
from hypothesis import strategies as st

import stateful_lstm as reference

from . import strategies as sst
from .assertions import (
    assert_close,
    assert_float32,
    assert_identical,
    assert_raises,
    assert_states_close,
    assert_states_identical,
    assert_that,
)
from .contract import CELLS
from .models import WEIGHT_NAMES, describe_call, draw_classifier, feed, make_model, weight_names
from .run import given

pytestmark = [pytest.mark.clause("state-access"), pytest.mark.every_cell, pytest.mark.stacks]


@given(data=st.data(), setup=sst.setups())
def test_h_equals_the_last_output_and_shapes_are_float32(stateful_lstm_impl, data, setup):
    model = make_model(stateful_lstm_impl, setup)
    label = describe_call(setup)
    for x in data.draw(sst.input_batches(setup, count=(1, 3)), label="batches"):
        out = model.predict_on_batch(x)
        assert_float32(out, (setup.batch_size, x.shape[1], setup.units),
                       f"predict_on_batch(x of shape {x.shape}) {label}")
        states, names = model.get_states(), setup.state_names()
        assert_that(len(states) == len(names), f"get_states() returned {len(states)} arrays, "
                                               f"but should be {len(names)}: {names} {label}")
        for name, state in zip(names, states):
            assert_float32(state, (setup.batch_size, setup.units), f"get_states() {name} {label}")
        top = len(names) - len(CELLS[setup.cell].states)      # the top layer's h (a stack's)
        assert_close(states[top], out[:, -1], f"get_states() {names[top]} vs the last "
                                              f"timestep's output {label}")


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_set_states_then_predict_continues_from_exactly_that_state(stateful_lstm_impl, data,
                                                                   setup, steps):
    impl = stateful_lstm_impl
    first = data.draw(sst.input_batches(setup, count=1), label="first")
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    original = make_model(impl, setup)
    feed(original, first)
    copy = make_model(impl, setup)
    copy.set_states(original.get_states())
    label = describe_call(setup, timesteps=steps)
    assert_close(copy.predict_on_batch(x), original.predict_on_batch(x),
                 f"predict_on_batch after set_states(another model's state) vs on that model {label}")
    assert_states_close(copy.get_states(), original.get_states(), f"state after that call {label}")


@given(data=st.data(), setup=sst.setups())
def test_get_states_returns_what_set_states_stored(stateful_lstm_impl, data, setup):
    states = data.draw(sst.states_of(setup),
                       label="states")
    model = make_model(stateful_lstm_impl, setup)
    model.set_states([s.copy() for s in states])
    assert_states_identical(model.get_states(), states,
                            f"get_states() after set_states {describe_call(setup)}")


def assert_owned_by_the_caller(returned, given, what):
    """Each array in ``returned`` is a writable NumPy array sharing no memory with any array in
    ``given`` (the caller's) or returned earlier: the caller owns what it receives."""
    __tracebackhide__ = True
    for i, array in enumerate(returned):
        assert_that(isinstance(array, np.ndarray), f"{what}[{i}] is a {type(array).__name__}, but "
                                             f"should be a NumPy array")
        assert_that(array.flags.writeable, f"{what}[{i}] is read-only, but the caller owns what a "
                                     f"model returns (it may change it in place)")
        for j, other in enumerate(given):
            assert_that(not np.shares_memory(array, other),
                  f"{what}[{i}] shares memory with the caller's array {j}")


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps(),
       layouts=st.tuples(sst.memory_layouts(), sst.memory_layouts(), sst.memory_layouts()))
def test_no_memory_is_shared_with_the_caller(stateful_lstm_impl, data, setup, steps, layouts):
    # Mutating arrays catches a model that keeps the caller's arrays; np.shares_memory catches
    # sharing that a framework does only for some layouts (JAX on the CPU shares page-aligned
    # NumPy buffers instead of copying them).
    states = data.draw(sst.states_of(setup),
                       label="states")
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    state_layout, input_layout, weight_layout = layouts
    label = describe_call(setup, timesteps=steps, layouts=layouts)
    model = make_model(stateful_lstm_impl, setup)
    passed = [sst.laid_out(s, state_layout) for s in states]
    model.set_states(passed)
    returned = model.get_states()
    assert_owned_by_the_caller(returned, passed, f"get_states() {label}")
    for array in passed:
        array += 1.0                       # the caller reuses its arrays...
    assert_states_identical(model.get_states(), states, f"after the caller changed the arrays "
                                                        f"it gave to set_states {label}")
    for array in returned:
        array += 1.0                       # ...or the ones it was given
    assert_states_identical(model.get_states(), states, f"after the caller changed what "
                                                        f"get_states returned {label}")
    x_given = sst.laid_out(x, input_layout)
    out = model.predict_on_batch(x_given)
    assert_identical(x_given, x, f"the input array after predict_on_batch {label}")
    h_after = model.get_states()
    assert_owned_by_the_caller([out], [x_given, *passed, *returned],
                               f"predict_on_batch(x) {label}")
    assert_owned_by_the_caller(h_after, [x_given, out], f"get_states() after predict {label}")
    out += 1.0
    x_given += 1.0
    assert_states_identical(model.get_states(), h_after,
                            f"the state after the caller changed the input and the output of "
                            f"predict_on_batch {label}")
    given_weights = [sst.laid_out(w, weight_layout) for w in setup.weights]
    model.set_weights(given_weights)
    got = model.get_weights()
    assert_owned_by_the_caller(got, given_weights, f"get_weights() {label}")
    for array in given_weights + got:
        array += 1.0
    for name, now, put in zip(weight_names(setup), model.get_weights(), setup.weights):
        assert_identical(now, put, f"{name} after the caller changed the arrays given to "
                                   f"set_weights and returned by get_weights {label}")


@pytest.mark.stacked_only
@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_each_layer_carries_its_own_state(stateful_lstm_impl, data, setup, steps):
    # A stack is its layers chained, each carrying its own state (SPEC.md, "Stacked layers"):
    # set_states gives layer k the k-th layer's arrays; layer k reads layer k-1's outputs and
    # ends with its own state (not the top layer's, not the first's); a reset reaches every
    # layer. The oracle is the reference's single layers, chained by hand.
    states = data.draw(sst.states_of(setup), label="states")
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    model = make_model(stateful_lstm_impl, setup)
    by_layer, label = CELLS[setup.cell].by_layer, describe_call(setup, timesteps=steps)
    for start, what in [(states, "from set states"), (setup.zero_states(), "after a reset")]:
        if start is states:
            model.set_states([s.copy() for s in states])
        else:
            model.reset_states()
        out, below, expected = model.predict_on_batch(x), x, []
        for k, layer_start in enumerate(by_layer(start)):
            layer = make_model(reference, setup.layer(k))
            layer.set_states(layer_start)
            below = layer.predict_on_batch(below)
            expected.append(layer.get_states())
        assert_close(out, below, f"predict_on_batch {what} vs the reference's layers chained, "
                                 f"each from its own state {label}")
        for k, (got, layer_states) in enumerate(zip(by_layer(model.get_states()), expected)):
            fed = f"layer {k - 1}'s outputs" if k else "x"
            assert_states_close(got, layer_states,
                                f"layer {k}'s carried state {what} vs layer {k} alone (the "
                                f"reference) fed {fed} {label}")


@given(data=st.data(), setup=sst.setups())
def test_set_weights_leaves_the_carried_state_alone(stateful_lstm_impl, data, setup):
    history = data.draw(sst.input_batches(setup, count=1), label="history")
    other = data.draw(sst.cell_weights(setup.input_dim, setup.units, setup.cell, setup.layers),
                      label="new weights")
    model = make_model(stateful_lstm_impl, setup)
    feed(model, history)
    before = model.get_states()
    model.set_weights([w.copy() for w in other])
    assert_states_identical(model.get_states(), before,
                            f"the carried state after set_weights {describe_call(setup)} (new "
                            f"weights change what comes next, not what was carried)")


@given(setup=sst.setups())
def test_a_fresh_model_carries_zero_state(stateful_lstm_impl, setup):
    model = make_model(stateful_lstm_impl, setup)
    assert_states_identical(model.get_states(), setup.zero_states(),
                            f"get_states() of a new model, before any call {describe_call(setup)}")


@given(setup=sst.setups())
def test_a_stateless_model_has_no_state_to_get_or_set(stateful_lstm_impl, setup):
    model = make_model(stateful_lstm_impl, setup, stateful=False)
    label = describe_call(setup, stateful=False)
    assert_raises(model.get_states, f"get_states() on a stateless model {label}")
    assert_raises(lambda: model.set_states(setup.zero_states()),
                  f"set_states() on a stateless model {label}")
    model.reset_states()    # a no-op, which must not raise


@given(setup=sst.setups(), stateful=st.booleans())
def test_model_reports_its_configuration(stateful_lstm_impl, setup, stateful):
    batch_size = setup.batch_size if stateful else None
    model = make_model(stateful_lstm_impl, setup, stateful=stateful, batch_size=batch_size)
    got = (model.units, model.input_dim, model.stateful, model.batch_size)
    expected = (setup.units, setup.input_dim, stateful, batch_size)
    assert_that(got == expected, f"(units, input_dim, stateful, batch_size) is {got}, but should be "
                           f"{expected}")
    shapes = [np.shape(w) for w in model.get_weights()]
    assert_that(shapes == [w.shape for w in setup.weights],
          f"get_weights() shapes {shapes}, but should be {[w.shape for w in setup.weights]} "
          f"(kernel, recurrent_kernel, bias) {describe_call(setup)}")


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(max_classes=sst.MAX_CLASSES), steps=sst.timesteps(),
       layout=sst.memory_layouts())
def test_a_classifier_shares_no_memory_with_the_caller(stateful_lstm_impl, data, setup, steps,
                                                       layout):
    model, n_classes, dense = draw_classifier(data, stateful_lstm_impl, setup)
    label = describe_call(setup, n_classes=n_classes, timesteps=steps, layout=layout)
    x = sst.laid_out(data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x"),
                     layout)
    y = sst.laid_out(data.draw(sst.one_hot_targets(setup.batch_size, n_classes), label="y"),
                     layout)
    states = [sst.laid_out(s, layout) for s in
              data.draw(sst.states_of(setup),
                        label="states")]
    model.set_states(states)
    expected = [s.copy() for s in states]
    for array in states:
        array += 1.0                       # the caller reuses the arrays it set
    assert_states_identical(model.get_states(), expected, f"a classifier's state after the "
                                                          f"caller changed what it set {label}")
    states = expected
    weights = [sst.laid_out(w, layout) for w in (*setup.weights, *dense)]
    model.set_weights(weights)
    given_arrays = [x, y, *states, *weights]
    kept = [a.copy() for a in given_arrays]
    model.train_on_batch(x, y)
    out = model.predict_on_batch(x)
    returned = [out, *model.get_states(), *model.get_weights()]
    assert_owned_by_the_caller(returned, given_arrays, f"what a classifier returned {label}")
    for name, now, before in zip(["x", "y", "h", "c", *WEIGHT_NAMES, "dense kernel",
                                  "dense bias"], given_arrays, kept):
        assert_identical(now, before, f"the caller's {name} after a classifier's calls {label}")
    state, weights_now = model.get_states(), model.get_weights()
    for array in given_arrays + returned:
        array += 1.0
    assert_states_identical(model.get_states(), state,
                            f"a classifier's state after the caller changed its arrays {label}")
    for now, before in zip(model.get_weights(), weights_now):
        assert_identical(now, before, f"a classifier's weights after the caller changed its "
                                      f"arrays {label}")
