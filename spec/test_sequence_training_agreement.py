"""Clause `sequence-training-agreement`: one train_on_batch step of the sequence model gives the
reference's loss, state and updated weights (SPEC.md section 13), the weights within the range
Adam allows for a gradient known to float32 precision, as in clause 8."""
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .models import SEQUENCE_WEIGHT_NAMES, make_sequence_model
from .run import given
from .training_oracle import sequence_gradient_and_error_bound
from .training_steps import LEARNING_RATES, assert_training_steps

pytestmark = [pytest.mark.clause("sequence-training-agreement"), pytest.mark.needs("make_sequence_model"),
              pytest.mark.every_cell]
# The distinct-token test's vocabulary: room for a batch of 2 x 12 or 8 x 3 distinct tokens.
DISTINCT_VOCAB = 24


def check_steps(impl, data, setup, stateful, steps, n_steps, learning_rate, tokens):
    """``n_steps`` train_on_batch calls on token batches ``tokens(batch, steps, vocab)`` (and
    freely drawn targets), each checked against the reference's step."""
    model = make_sequence_model(impl, setup, stateful=stateful, learning_rate=learning_rate)

    def draw_batch():
        return (data.draw(tokens(setup.batch_size, steps, setup.vocab_size), label="x"),
                data.draw(sst.token_batches(setup.batch_size, steps, setup.vocab_size),
                          label="y"), {})
    assert_training_steps(impl, model, data, setup, stateful=stateful,
                          calls=["train_on_batch"] * n_steps,
                         learning_rate=learning_rate, draw_batch=draw_batch,
                         oracle=sequence_gradient_and_error_bound,
                         weight_names=SEQUENCE_WEIGHT_NAMES)


@given(data=st.data(), setup=sst.sequence_setups(), stateful=st.booleans(),
       steps=sst.timesteps(), n_steps=st.integers(1, 2),
       learning_rate=st.sampled_from(LEARNING_RATES))
def test_sequence_train_on_batch_matches_the_reference(stateful_lstm_impl, data, setup,
                                                       stateful, steps, n_steps, learning_rate):
    check_steps(stateful_lstm_impl, data, setup, stateful, steps, n_steps, learning_rate,
                sst.repeating_token_batches)


@given(data=st.data(), setup=sst.sequence_setups(vocab=(DISTINCT_VOCAB, DISTINCT_VOCAB)),
       stateful=st.booleans(), n_steps=st.integers(1, 2),
       learning_rate=st.sampled_from(LEARNING_RATES))
def test_sequence_train_on_batch_matches_the_reference_when_no_token_repeats(
        stateful_lstm_impl, data, setup, stateful, n_steps, learning_rate):
    # Each token at most once per batch: the embedding's gradient has one row per token, so an
    # optimizer that mishandles repeated rows (Keras 3 on TensorFlow) is checked on the rest.
    steps = data.draw(sst.sizes(1, DISTINCT_VOCAB // setup.batch_size), label="steps")
    check_steps(stateful_lstm_impl, data, setup, stateful, steps, n_steps, learning_rate,
                sst.distinct_token_batches)
