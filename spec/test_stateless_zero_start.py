"""Clause `stateless-zero-start`: a stateless model starts every batch from zeros (SPEC.md
section 2)."""
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .assertions import assert_close
from .models import describe_call, feed, make_model
from .run import given

pytestmark = [pytest.mark.clause("stateless-zero-start"), pytest.mark.every_cell, pytest.mark.stacks]


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps(),
       history_batch=sst.batch_sizes())
def test_output_does_not_depend_on_earlier_batches(stateful_lstm_impl, data, setup, steps,
                                                   history_batch):
    impl = stateful_lstm_impl
    history = data.draw(sst.input_batches(setup.with_batch_size(history_batch), count=(1, 3)),
                        label="history")
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    fresh = make_model(impl, setup, stateful=False).predict_on_batch(x)
    used = make_model(impl, setup, stateful=False)
    feed(used, history)
    label = describe_call(setup, timesteps=steps, history_batch=history_batch)
    assert_close(used.predict_on_batch(x), fresh,
                 f"stateless predict_on_batch after other batches vs on a fresh model {label}")
    assert_close(used.predict_on_batch(x), fresh,
                 f"stateless predict_on_batch of the same batch twice {label}")


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_equals_a_stateful_model_right_after_reset(stateful_lstm_impl, data, setup, steps):
    impl = stateful_lstm_impl
    history = data.draw(sst.input_batches(setup, count=(1, 2)), label="history")
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    stateful = make_model(impl, setup)
    feed(stateful, history)
    stateful.reset_states()
    label = describe_call(setup, timesteps=steps)
    assert_close(make_model(impl, setup, stateful=False).predict_on_batch(x),
                 stateful.predict_on_batch(x),
                 f"stateless predict_on_batch vs stateful right after reset_states() {label}")
