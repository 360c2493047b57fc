"""Clause `training-agreement`: one train_on_batch step gives the reference's loss, state and
updated weights (SPEC.md section 8); the weights within the range Adam allows for a gradient known
to float32 precision (``training_oracle``)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from . import strategies as sst
from .models import make_classifier
from .training_steps import LEARNING_RATES, assert_training_steps

pytestmark = [pytest.mark.clause("training-agreement"), pytest.mark.needs("make_classifier")]


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
                data.draw(sst.one_hot_targets(setup.batch_size, n_classes), label="y"), {})
    assert_training_steps(stateful_lstm_impl, model, data, setup, stateful=stateful,
                          calls=["train_on_batch"] * n_steps, learning_rate=learning_rate,
                          draw_batch=draw_batch, n_classes=n_classes)
