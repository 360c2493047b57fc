"""Clause `test-on-batch`: test_on_batch returns the loss train_on_batch would return, with or
without sample weights, changes no weight and no optimizer state, and moves the state as
prediction does (SPEC.md section 17)."""
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .run import given
from .training_steps import (
    LEARNING_RATES,
    METHODS,
    assert_weighted_classifier_steps,
    assert_weighted_sequence_steps,
)

pytestmark = [pytest.mark.clause("test-on-batch"), pytest.mark.every_cell]
# At most one call of either kind, then a test step and a training step: the training step after
# test_on_batch is checked against Adam's history as it was before the test step.
CALLS = st.lists(st.sampled_from(METHODS), max_size=1).map(
    lambda first: [*first, "test_on_batch", "train_on_batch"])


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(max_classes=sst.MAX_CLASSES), stateful=st.booleans(),
       steps=sst.timesteps(), calls=CALLS, learning_rate=st.sampled_from(LEARNING_RATES))
def test_classifier_test_on_batch_is_the_training_loss_without_the_step(
        stateful_lstm_impl, data, setup, stateful, steps, calls, learning_rate):
    n_classes = setup.n_classes
    assert_weighted_classifier_steps(stateful_lstm_impl, data, setup, n_classes=n_classes,
                                     stateful=stateful, steps=steps, calls=calls,
                                     learning_rate=learning_rate, masked=False)


@pytest.mark.needs("make_sequence_model")
@given(data=st.data(), setup=sst.sequence_setups(), stateful=st.booleans(),
       steps=sst.timesteps(), calls=CALLS, learning_rate=st.sampled_from(LEARNING_RATES))
def test_sequence_test_on_batch_is_the_training_loss_without_the_step(
        stateful_lstm_impl, data, setup, stateful, steps, calls, learning_rate):
    assert_weighted_sequence_steps(stateful_lstm_impl, data, setup, stateful=stateful, steps=steps,
                                   calls=calls, learning_rate=learning_rate, masked=False)
