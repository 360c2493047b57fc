"""Clause `batch1-copy`: a stateful batch-size-1 copy of a batch-size-B sequence model, given the
weights and row i's state (or fed row i's history), outputs step by step what row i of the batch
model outputs (SPEC.md section 15)."""
import numpy as np
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .assertions import assert_close, assert_states_close
from .models import (
    describe_call,
    fed_token_history,
    make_sequence_model,
    row_of,
    trained_batch_model,
)
from .run import given

pytestmark = [pytest.mark.clause("batch1-copy"), pytest.mark.needs("make_sequence_model"),
              pytest.mark.every_cell]


def batch1_copy(impl, setup, model):
    copy = make_sequence_model(impl, setup, batch_size=1)
    copy.set_weights(model.get_weights())
    return copy


def step_by_step(copy, tokens):
    """``copy``'s outputs for ``tokens`` (T,) fed one at a time: (T, vocab)."""
    return np.concatenate([copy.predict_on_batch(tokens[None, t:t + 1])[0]
                           for t in range(len(tokens))])


@given(data=st.data(), setup=sst.sequence_setups(), history=st.integers(0, 2),
       steps=sst.timesteps())
def test_a_copy_given_row_i_state_continues_row_i(stateful_lstm_impl, data, setup, history,
                                                  steps):
    model = trained_batch_model(stateful_lstm_impl, data, setup)
    for _ in range(history):
        model.predict_on_batch(data.draw(sst.token_batches(
            setup.batch_size, data.draw(sst.timesteps()), setup.vocab_size), label="history"))
    row = data.draw(st.integers(0, setup.batch_size - 1), label="row")
    copy = batch1_copy(stateful_lstm_impl, setup, model)
    copy.set_states(row_of(model.get_states(), row))
    x = data.draw(sst.token_batches(setup.batch_size, steps, setup.vocab_size), label="x")
    expected = model.predict_on_batch(x)[row]
    label = describe_call(setup, row=row, history=history, timesteps=steps)
    assert_close(step_by_step(copy, x[row]), expected,
                 f"batch-1 copy given row {row}'s state, fed its next tokens one at a time, vs "
                 f"row {row} of the batch model {label}")
    assert_states_close(copy.get_states(), row_of(model.get_states(), row),
                        f"batch-1 copy's state vs row {row} of the batch model's {label}")


@given(data=st.data(), setup=sst.sequence_setups(), history=st.integers(1, 3))
def test_a_copy_fed_row_i_history_continues_row_i(stateful_lstm_impl, data, setup, history):
    model = trained_batch_model(stateful_lstm_impl, data, setup)
    batches, expected = fed_token_history(data, setup, model, history)
    row = data.draw(st.integers(0, setup.batch_size - 1), label="row")
    copy = batch1_copy(stateful_lstm_impl, setup, model)
    got = step_by_step(copy, np.concatenate([x[row] for x in batches]))
    assert_close(got, expected[row],
                 f"batch-1 copy fed row {row}'s history one token at a time vs row {row} of the "
                 f"batch model {describe_call(setup, row=row, batches=len(batches))}")
