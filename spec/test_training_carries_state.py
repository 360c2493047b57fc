"""Clause `training-carries-state`: train_on_batch and predict_on_batch of a stateful classifier
move the carried state exactly as the bare layer's (LSTM, GRU, SimpleRNN) predict_on_batch; a
stateless one carries nothing (SPEC.md section 9)."""
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .assertions import assert_close, assert_states_close
from .models import describe_call, factory, make_classifier
from .run import given

pytestmark = [pytest.mark.clause("training-carries-state"), pytest.mark.needs("make_classifier"),
              pytest.mark.every_cell]
CALLS = st.lists(st.sampled_from(["train_on_batch", "predict_on_batch"]), min_size=1, max_size=4)


def run(model, call, x, y):
    return model.train_on_batch(x, y) if call == "train_on_batch" else model.predict_on_batch(x)


@given(data=st.data(), setup=sst.setups(max_classes=5), calls=CALLS)
def test_stateful_classifier_moves_the_state_like_the_bare_lstm(stateful_lstm_impl, data, setup,
                                                                calls):
    n_classes = setup.n_classes
    impl = stateful_lstm_impl
    dense = data.draw(sst.dense_weights(setup.units, n_classes), label="dense")
    model = make_classifier(impl, setup, n_classes, dense)
    bare = factory(impl, setup.cell)(units=setup.units, input_dim=setup.input_dim,
                                     stateful=True, batch_size=setup.batch_size)
    for k, call in enumerate(calls):
        x = data.draw(sst.inputs(setup.batch_size, data.draw(sst.timesteps()), setup.input_dim))
        y = data.draw(sst.one_hot_targets(setup.batch_size, n_classes))
        bare.set_weights(model.get_weights()[:3])     # the weights this call runs with
        bare.set_states(model.get_states())
        bare.predict_on_batch(x)
        run(model, call, x, y)
        assert_states_close(model.get_states(), bare.get_states(),
                            f"state after classifier {call} (call {k + 1} of {calls}) vs the bare "
                            f"layer's predict_on_batch {describe_call(setup, n_classes=n_classes)}")


@given(data=st.data(), setup=sst.setups(max_classes=5), calls=CALLS,
       steps=sst.timesteps())
def test_stateless_classifier_carries_nothing(stateful_lstm_impl, data, setup, calls,
                                              steps):
    n_classes = setup.n_classes
    impl = stateful_lstm_impl
    dense = data.draw(sst.dense_weights(setup.units, n_classes), label="dense")
    model = make_classifier(impl, setup, n_classes, dense, stateful=False)
    for call in calls:
        x = data.draw(sst.inputs(setup.batch_size, data.draw(sst.timesteps()), setup.input_dim))
        run(model, call, x, data.draw(sst.one_hot_targets(setup.batch_size, n_classes)))
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    weights, after_history = model.get_weights(), model.predict_on_batch(x)
    del model       # (an implementation that pools its models may hand the same one out again)
    fresh = make_classifier(impl, setup, n_classes, dense, stateful=False)
    fresh.set_weights(weights)
    assert_close(after_history, fresh.predict_on_batch(x),
                 f"stateless classifier after {calls} vs a fresh one with the same weights "
                 f"{describe_call(setup, n_classes=n_classes, timesteps=steps)}")
