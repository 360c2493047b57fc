"""Clause `state-access`: get_states() shows the carried state at any moment and set_states()
replaces it; neither shares memory with the caller (SPEC.md section 5)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from . import strategies as sst
from .assertions import (assert_close, assert_float32, assert_identical, assert_states_close,
                         assert_states_identical, check)
from .models import WEIGHT_NAMES, describe_call, feed, make_model

pytestmark = pytest.mark.clause("state-access")


@given(data=st.data(), setup=sst.setups())
def test_h_equals_the_last_output_and_shapes_are_float32(stateful_lstm_impl, data, setup):
    model = make_model(stateful_lstm_impl, setup)
    label = describe_call(setup)
    for x in data.draw(sst.input_batches(setup, count=(1, 3)), label="batches"):
        out = model.predict_on_batch(x)
        assert_float32(out, (setup.batch_size, x.shape[1], setup.units),
                       f"predict_on_batch(x of shape {x.shape}) {label}")
        h, c = model.get_states()
        for name, state in [("h", h), ("c", c)]:
            assert_float32(state, (setup.batch_size, setup.units), f"get_states() {name} {label}")
        assert_close(h, out[:, -1], f"get_states() h vs the last timestep's output {label}")


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
    states = data.draw(sst.carried_states(setup.batch_size, setup.units), label="states")
    model = make_model(stateful_lstm_impl, setup)
    model.set_states([s.copy() for s in states])
    assert_states_identical(model.get_states(), states,
                            f"get_states() after set_states {describe_call(setup)}")


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_no_memory_is_shared_with_the_caller(stateful_lstm_impl, data, setup, steps):
    states = data.draw(sst.carried_states(setup.batch_size, setup.units), label="states")
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    label = describe_call(setup, timesteps=steps)
    model = make_model(stateful_lstm_impl, setup)
    passed = [s.copy() for s in states]
    model.set_states(passed)
    for array in passed:
        array += 1.0                       # the caller reuses its arrays...
    assert_states_identical(model.get_states(), states, f"after the caller changed the arrays "
                                                        f"it gave to set_states {label}")
    returned = model.get_states()
    for array in returned:
        array += 1.0                       # ...or the ones it was given
    assert_states_identical(model.get_states(), states, f"after the caller changed what "
                                                        f"get_states returned {label}")
    x_given = x.copy()
    out = model.predict_on_batch(x_given)
    assert_identical(x_given, x, f"the input array after predict_on_batch {label}")
    h_after = model.get_states()[0]
    out += 1.0
    assert_identical(model.get_states()[0], h_after,
                     f"h after the caller changed the output of predict_on_batch {label}")
    given_weights = [w.copy() for w in setup.weights]
    model.set_weights(given_weights)
    for array in given_weights + model.get_weights():
        array += 1.0
    for name, got, put in zip(WEIGHT_NAMES, model.get_weights(), setup.weights):
        assert_identical(got, put, f"{name} after the caller changed the arrays given to "
                                   f"set_weights and returned by get_weights {label}")


@given(setup=sst.setups(), stateful=st.booleans())
def test_model_reports_its_configuration(stateful_lstm_impl, setup, stateful):
    batch_size = setup.batch_size if stateful else None
    model = make_model(stateful_lstm_impl, setup, stateful=stateful, batch_size=batch_size)
    got = (model.units, model.input_dim, model.stateful, model.batch_size)
    expected = (setup.units, setup.input_dim, stateful, batch_size)
    check(got == expected, f"(units, input_dim, stateful, batch_size) is {got}, but should be "
                           f"{expected}")
    shapes = [np.shape(w) for w in model.get_weights()]
    check(shapes == [w.shape for w in setup.weights],
          f"get_weights() shapes {shapes}, but should be {[w.shape for w in setup.weights]} "
          f"(kernel, recurrent_kernel, bias) {describe_call(setup)}")
