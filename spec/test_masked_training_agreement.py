"""Clause `masked-training-agreement`: train_on_batch and test_on_batch with a mask and sample
weights give the reference's loss, weights and state (SPEC.md section 18): masked steps keep the
state and get no loss."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from . import strategies as sst
from .models import SEQUENCE_WEIGHT_NAMES, make_classifier, make_sequence_model
from .training_oracle import sequence_gradient_and_error_bound
from .training_steps import LEARNING_RATES, METHODS, assert_training_steps, batch_drawer

pytestmark = [pytest.mark.clause("masked-training-agreement"), pytest.mark.needs("masks")]
CALLS = st.lists(st.sampled_from(METHODS), min_size=1, max_size=2)


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(), n_classes=sst.class_counts(), stateful=st.booleans(),
       steps=sst.timesteps(), calls=CALLS, learning_rate=st.sampled_from(LEARNING_RATES))
def test_masked_classifier_steps_match_the_reference(stateful_lstm_impl, data, setup, n_classes,
                                                     stateful, steps, calls, learning_rate):
    dense = data.draw(sst.dense_weights(setup.units, n_classes), label="dense")
    model = make_classifier(stateful_lstm_impl, setup, n_classes, dense, stateful=stateful,
                            learning_rate=learning_rate)
    assert_training_steps(stateful_lstm_impl, model, data, setup, stateful=stateful, calls=calls,
                          learning_rate=learning_rate, n_classes=n_classes,
                          draw_batch=batch_drawer(data, setup, steps, n_classes=n_classes,
                                                  weighted=True, masked=True))


@pytest.mark.needs("make_sequence_model")
@given(data=st.data(), setup=sst.sequence_setups(), stateful=st.booleans(),
       steps=sst.timesteps(), calls=CALLS, learning_rate=st.sampled_from(LEARNING_RATES))
def test_masked_sequence_steps_match_the_reference(stateful_lstm_impl, data, setup, stateful,
                                                   steps, calls, learning_rate):
    model = make_sequence_model(stateful_lstm_impl, setup, stateful=stateful,
                                learning_rate=learning_rate)
    assert_training_steps(stateful_lstm_impl, model, data, setup, stateful=stateful, calls=calls,
                          learning_rate=learning_rate, oracle=sequence_gradient_and_error_bound,
                          weight_names=SEQUENCE_WEIGHT_NAMES,
                          draw_batch=batch_drawer(data, setup, steps, weighted=True,
                                                  masked=True))
