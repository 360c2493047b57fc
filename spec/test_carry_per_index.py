"""Clause `carry-per-index`: a stateful model carries each row's final state into the same row of
the next batch (SPEC.md section 1)."""
import numpy as np
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .assertions import assert_close, assert_states_close
from .models import describe_call, feed, make_model
from .run import given

pytestmark = [pytest.mark.clause("carry-per-index"), pytest.mark.every_cell, pytest.mark.stacks]


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps(min_value=2))
def test_batch_split_along_time_equals_one_call(stateful_lstm_impl, data, setup, steps):
    impl = stateful_lstm_impl
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    parts = data.draw(sst.splits(steps), label="parts")
    whole = make_model(impl, setup)
    expected = whole.predict_on_batch(x)
    split = make_model(impl, setup)
    actual = feed(split, [x[:, a:b] for a, b in parts])
    label = describe_call(setup, timesteps=steps, parts=parts)
    assert_close(actual, expected, f"outputs of predict_on_batch over the parts vs one call {label}")
    assert_states_close(split.get_states(), whole.get_states(),
                        f"final state after the parts vs after one call {label}")


@given(data=st.data(), setup=sst.setups())
def test_row_i_continues_row_i_of_the_previous_batch(stateful_lstm_impl, data, setup):
    impl = stateful_lstm_impl
    batches = data.draw(sst.input_batches(setup, count=(2, 3)), label="batches")
    model = make_model(impl, setup)
    outputs = feed(model, batches)
    states = model.get_states()
    single = make_model(impl, setup, batch_size=1)
    for i in range(setup.batch_size):
        single.reset_states()
        row_alone = single.predict_on_batch(np.concatenate([x[i:i + 1] for x in batches], axis=1))
        label = describe_call(setup, row=i, timesteps=[x.shape[1] for x in batches])
        assert_close(outputs[i], row_alone[0],
                     f"row {i} of consecutive batches vs that row's sequence alone in a "
                     f"batch-size-1 model {label}")
        assert_states_close([s[i:i + 1] for s in states], single.get_states(),
                            f"carried state of row {i} vs the batch-size-1 model's {label}")
