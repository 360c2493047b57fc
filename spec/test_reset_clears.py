"""Clause `reset-clears`: reset_states() zeroes h and c of every row and changes nothing else
(SPEC.md section 3)."""
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .assertions import assert_close, assert_identical, assert_states_identical
from .models import (
    describe_call,
    draw_classifier,
    feed,
    make_classifier,
    make_model,
    weight_names,
)
from .run import given

pytestmark = [pytest.mark.clause("reset-clears"), pytest.mark.every_cell, pytest.mark.stacks]


@given(data=st.data(), setup=sst.setups())
def test_reset_makes_h_and_c_exactly_zero(stateful_lstm_impl, data, setup):
    model = make_model(stateful_lstm_impl, setup)
    feed(model, data.draw(sst.input_batches(setup, count=(1, 3)), label="history"))
    model.reset_states()
    assert_states_identical(model.get_states(), setup.zero_states(),
                            f"after reset_states() {describe_call(setup)}")


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_outputs_after_reset_equal_a_fresh_model(stateful_lstm_impl, data, setup, steps):
    impl = stateful_lstm_impl
    model = make_model(impl, setup)
    feed(model, data.draw(sst.input_batches(setup, count=(1, 3)), label="history"))
    model.reset_states()
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    assert_close(model.predict_on_batch(x), make_model(impl, setup).predict_on_batch(x),
                 f"predict_on_batch after reset_states() vs on a fresh model "
                 f"{describe_call(setup, timesteps=steps)}")


@given(data=st.data(), setup=sst.setups(), stateful=st.booleans())
def test_reset_leaves_the_weights_untouched(stateful_lstm_impl, data, setup, stateful):
    model = make_model(stateful_lstm_impl, setup, stateful=stateful)
    feed(model, data.draw(sst.input_batches(setup, count=1), label="history"))
    model.reset_states()
    for name, after, before in zip(weight_names(setup), model.get_weights(), setup.weights):
        assert_identical(after, before, f"{name} after reset_states() "
                                        f"{describe_call(setup, stateful=stateful)}")


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_reset_is_idempotent(stateful_lstm_impl, data, setup, steps):
    impl = stateful_lstm_impl
    once, twice = make_model(impl, setup), make_model(impl, setup)
    history = data.draw(sst.input_batches(setup, count=(1, 2)), label="history")
    for model, resets in [(once, 1), (twice, 2)]:
        feed(model, history)
        for _ in range(resets):
            model.reset_states()
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    assert_states_identical(twice.get_states(), once.get_states(),
                            f"after two reset_states() vs one {describe_call(setup)}")
    assert_close(twice.predict_on_batch(x), once.predict_on_batch(x),
                 f"predict_on_batch after two reset_states() vs one "
                 f"{describe_call(setup, timesteps=steps)}")


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(max_classes=sst.MAX_CLASSES), steps=sst.timesteps())
def test_a_classifier_reset_clears_h_and_c(stateful_lstm_impl, data, setup, steps):
    # The classifier's recurrent layer carries state as the bare one does, and resets the same
    # way.
    impl = stateful_lstm_impl
    model, n_classes, dense = draw_classifier(data, impl, setup)
    for x in data.draw(sst.input_batches(setup, count=(1, 3)), label="history"):
        model.predict_on_batch(x)
    model.reset_states()
    label = describe_call(setup, n_classes=n_classes)
    assert_states_identical(model.get_states(), setup.zero_states(),
                            f"a classifier's state after reset_states() {label}")
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    fresh = make_classifier(impl, setup, n_classes, dense)
    assert_close(model.predict_on_batch(x), fresh.predict_on_batch(x),
                 f"a classifier's predict_on_batch after reset_states() vs a new one {label}")
