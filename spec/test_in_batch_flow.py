"""Clause `in-batch-flow`: inside one call the state flows through each row's timesteps, and rows do
not leak into each other, so no batch size of 1 is needed to carry state (SPEC.md section 4)."""
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .assertions import assert_close, assert_states_close
from .models import describe_call, feed, make_model
from .run import given

pytestmark = [pytest.mark.clause("in-batch-flow"), pytest.mark.every_cell, pytest.mark.stacks]


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_one_call_of_T_steps_equals_T_calls_of_one_step(stateful_lstm_impl, data, setup, steps):
    impl = stateful_lstm_impl
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    whole = make_model(impl, setup)
    expected = whole.predict_on_batch(x)
    stepped = make_model(impl, setup)
    actual = feed(stepped, [x[:, t:t + 1] for t in range(steps)])
    label = describe_call(setup, timesteps=steps)
    assert_close(expected, actual, f"one predict_on_batch of all timesteps vs one call per "
                                   f"timestep {label}")
    assert_states_close(whole.get_states(), stepped.get_states(),
                        f"final state of one call vs one call per timestep {label}")


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps(), stateful=st.booleans())
def test_each_row_equals_that_row_run_alone(stateful_lstm_impl, data, setup, steps, stateful):
    impl = stateful_lstm_impl
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    together = make_model(impl, setup, stateful=stateful).predict_on_batch(x)
    alone = make_model(impl, setup, stateful=stateful, batch_size=1)
    for i in range(setup.batch_size):
        alone.reset_states()
        assert_close(together[i], alone.predict_on_batch(x[i:i + 1])[0],
                     f"row {i} inside the batch vs alone in a batch of 1 "
                     f"{describe_call(setup, timesteps=steps, stateful=stateful, row=i)}")
