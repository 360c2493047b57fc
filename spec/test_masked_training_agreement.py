"""Clause `masked-training-agreement`: train_on_batch and test_on_batch with a mask and sample
weights give the reference's loss, weights and state (SPEC.md section 18): masked steps keep the
state and get no loss."""
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

pytestmark = [pytest.mark.clause("masked-training-agreement"), pytest.mark.needs("masks"),
              pytest.mark.every_cell]
CALLS = st.lists(st.sampled_from(METHODS), min_size=1, max_size=2)


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(max_classes=sst.MAX_CLASSES), stateful=st.booleans(),
       steps=sst.timesteps(), calls=CALLS, learning_rate=st.sampled_from(LEARNING_RATES))
def test_masked_classifier_steps_match_the_reference(stateful_lstm_impl, data, setup, stateful,
                                                     steps, calls, learning_rate):
    n_classes = setup.n_classes
    assert_weighted_classifier_steps(stateful_lstm_impl, data, setup, n_classes=n_classes,
                                     stateful=stateful, steps=steps, calls=calls,
                                     learning_rate=learning_rate, masked=True)


@pytest.mark.needs("make_sequence_model")
@given(data=st.data(), setup=sst.sequence_setups(), stateful=st.booleans(),
       steps=sst.timesteps(), calls=CALLS, learning_rate=st.sampled_from(LEARNING_RATES))
def test_masked_sequence_steps_match_the_reference(stateful_lstm_impl, data, setup, stateful,
                                                   steps, calls, learning_rate):
    assert_weighted_sequence_steps(stateful_lstm_impl, data, setup, stateful=stateful, steps=steps,
                                   calls=calls, learning_rate=learning_rate, masked=True)
