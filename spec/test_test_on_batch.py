"""Clause `test-on-batch`: test_on_batch returns the loss train_on_batch would return, with or
without sample weights, changes no weight and no optimizer state, and moves the state as
prediction does (SPEC.md section 17)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from . import strategies as sst
from .models import SEQUENCE_WEIGHT_NAMES, make_classifier, make_sequence_model
from .training_oracle import sequence_gradient_and_error_bound
from .training_steps import LEARNING_RATES, METHODS, assert_training_steps, batch_drawer

pytestmark = pytest.mark.clause("test-on-batch")
# At most one call of either kind, then a test step and a training step: the training step after
# test_on_batch is checked against Adam's history as it was before the test step.
CALLS = st.lists(st.sampled_from(METHODS), max_size=1).map(
    lambda first: [*first, "test_on_batch", "train_on_batch"])


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(), n_classes=sst.class_counts(), stateful=st.booleans(),
       steps=sst.timesteps(), calls=CALLS, learning_rate=st.sampled_from(LEARNING_RATES))
def test_classifier_test_on_batch_is_the_training_loss_without_the_step(
        stateful_lstm_impl, data, setup, n_classes, stateful, steps, calls, learning_rate):
    dense = data.draw(sst.dense_weights(setup.units, n_classes), label="dense")
    model = make_classifier(stateful_lstm_impl, setup, n_classes, dense, stateful=stateful,
                            learning_rate=learning_rate)
    assert_training_steps(stateful_lstm_impl, model, data, setup, stateful=stateful, calls=calls,
                          learning_rate=learning_rate, n_classes=n_classes,
                          draw_batch=batch_drawer(data, setup, steps, n_classes=n_classes,
                                                  weighted=True))


@pytest.mark.needs("make_sequence_model")
@given(data=st.data(), setup=sst.sequence_setups(), stateful=st.booleans(),
       steps=sst.timesteps(), calls=CALLS, learning_rate=st.sampled_from(LEARNING_RATES))
def test_sequence_test_on_batch_is_the_training_loss_without_the_step(
        stateful_lstm_impl, data, setup, stateful, steps, calls, learning_rate):
    model = make_sequence_model(stateful_lstm_impl, setup, stateful=stateful,
                                learning_rate=learning_rate)
    assert_training_steps(stateful_lstm_impl, model, data, setup, stateful=stateful, calls=calls,
                          learning_rate=learning_rate, oracle=sequence_gradient_and_error_bound,
                          weight_names=SEQUENCE_WEIGHT_NAMES,
                          draw_batch=batch_drawer(data, setup, steps, weighted=True))
