"""Clause `training-agreement`: one train_on_batch step gives the reference's loss, state and
updated weights (SPEC.md section 8); the weights within the range Adam allows for a gradient known
to float32 precision (``training_oracle``)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from . import strategies as sst
from .assertions import assert_close, assert_states_close, assert_within
from .models import CLASSIFIER_WEIGHT_NAMES, describe_call, make_classifier
from .training_oracle import AdamRange, expected_step, gradient_and_error_bound

pytestmark = pytest.mark.clause("training-agreement")
# The contract's default and two others (a few values, so that compiled models can be reused).
LEARNING_RATES = (0.001, 0.01, 0.0003)


def check_training_steps(model, data, setup, *, stateful, n_steps, learning_rate, draw_batch,
                         oracle=gradient_and_error_bound, weight_names=CLASSIFIER_WEIGHT_NAMES,
                         **details):
    """``n_steps`` train_on_batch calls of ``model`` (built from ``setup`` with
    ``learning_rate``), each on a batch ``(x, y) = draw_batch()``, checked against the oracle's
    step: the loss, every weight within Adam's range, the new state. A stateful model starts from
    a drawn carried state. (Clauses 8 and 13; ``oracle`` as ``expected_step``'s ``model``.)"""
    zeros = np.zeros((setup.batch_size, setup.units), np.float32)
    states = [zeros, zeros]
    if stateful:
        states = data.draw(sst.carried_states(setup.batch_size, setup.units), label="states")
        model.set_states([s.copy() for s in states])
    adam = AdamRange(learning_rate)
    for step in range(n_steps):
        x, y = draw_batch()
        expected = expected_step(model.get_weights(), x, states, y, adam, model=oracle)
        label = describe_call(setup, **details, stateful=stateful, timesteps=x.shape[1],
                              learning_rate=learning_rate, step=step + 1)
        assert_close(model.train_on_batch(x, y), expected.loss,
                     f"loss returned by train_on_batch vs the reference's {label}")
        for name, got, low, high in zip(weight_names, model.get_weights(), expected.low,
                                        expected.high):
            assert_within(got, low, high, f"{name} after train_on_batch vs the reference's "
                                          f"Adam step {label}")
        if stateful:
            states = model.get_states()
            assert_states_close(states, expected.state,
                                f"state after train_on_batch vs the reference's {label}")


@given(data=st.data(), setup=sst.setups(), n_classes=sst.class_counts(), stateful=st.booleans(),
       steps=sst.timesteps(), n_steps=st.integers(1, 2),
       learning_rate=st.sampled_from(LEARNING_RATES))
def test_train_on_batch_matches_the_reference(stateful_lstm_impl, data, setup, n_classes,
                                              stateful, steps, n_steps, learning_rate):
    dense = data.draw(sst.dense_weights(setup.units, n_classes), label="dense")
    model = make_classifier(stateful_lstm_impl, setup, n_classes, dense, stateful=stateful,
                            learning_rate=learning_rate)

    def draw_batch():
        return (data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x"),
                data.draw(sst.one_hot_targets(setup.batch_size, n_classes), label="y"))
    check_training_steps(model, data, setup, stateful=stateful, n_steps=n_steps,
                         learning_rate=learning_rate, draw_batch=draw_batch, n_classes=n_classes)
