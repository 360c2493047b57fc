"""Clause `stream-layout`: a token sequence laid out as contiguous parallel streams, window by
window, with next-token targets (SPEC.md section 12). The layout tested is the implementation's
own ``stream_batches`` if it offers one, else the kit's (``stateful_lstm.streams``)."""
import re

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from stateful_lstm import streams

from . import strategies as sst
from .assertions import assert_that
from .run import given

pytestmark = pytest.mark.clause("stream-layout")
TOKENS = hnp.arrays(np.int64, st.integers(0, 400), elements=st.integers(0, 50))


def layout(impl):
    """The ``stream_batches`` the clause tests for ``impl``."""
    return getattr(impl, "stream_batches", streams.stream_batches)


@given(tokens=TOKENS, batch_size=sst.batch_sizes(), seq_len=sst.timesteps())
def test_streams_are_contiguous_windows_with_next_token_targets(stateful_lstm_impl, tokens,
                                                               batch_size, seq_len):
    width = batch_size * seq_len
    label = f"stream_batches(<{tokens.size} tokens>, batch_size={batch_size}, seq_len={seq_len})"
    if tokens.size < width + 1:
        return          # too short: test_too_short_a_sequence_is_refused_naming_the_lengths
    batches = list(layout(stateful_lstm_impl)(tokens, batch_size, seq_len))
    count = (tokens.size - 1) // width
    assert_that(len(batches) == count, f"{label}: {len(batches)} batches, expected "
                                 f"(n - 1) // (batch_size * seq_len) = {count}")
    for k, (x, y) in enumerate(batches):
        assert_that(np.shape(x) == np.shape(y) == (batch_size, seq_len),
              f"{label}: batch {k} has shapes {np.shape(x)}, {np.shape(y)}, expected "
              f"{(batch_size, seq_len)} for both")
        assert_that(np.issubdtype(np.asarray(x).dtype, np.integer) and
              np.issubdtype(np.asarray(y).dtype, np.integer),
              f"{label}: batch {k} is not integer token ids")
    rows_x = np.concatenate([x for x, _ in batches], axis=1)     # row i: stream i, joined
    rows_y = np.concatenate([y for _, y in batches], axis=1)
    assert_that(np.array_equal(rows_x.ravel(), tokens[:count * width]),
          f"{label}: the rows joined over the batches are not the text in order (row i of batch "
          f"k + 1 must continue row i of batch k, stream i the i-th stretch of the text)")
    assert_that(np.array_equal(rows_y.ravel(), tokens[1:count * width + 1]),
          f"{label}: y is not the token after each token of x")


@given(tokens=TOKENS, batch_size=sst.batch_sizes(), seq_len=sst.timesteps())
def test_too_short_a_sequence_is_refused_naming_the_lengths(stateful_lstm_impl, tokens,
                                                            batch_size, seq_len):
    need = batch_size * seq_len + 1
    if tokens.size >= need:
        return
    label = f"stream_batches(<{tokens.size} tokens>, batch_size={batch_size}, seq_len={seq_len})"
    try:
        layout(stateful_lstm_impl)(tokens, batch_size, seq_len)   # refused at the call
    except ValueError as error:
        numbers = set(re.findall(r"\d+", str(error)))
        assert_that({str(need), str(tokens.size)} <= numbers,
              f"{label} refused, but the message does not name the {need} tokens needed and the "
              f"{tokens.size} received: {error}")
    else:
        assert_that(False, f"{label} did not raise ValueError at the call; {need} tokens are needed")


def test_the_batches_are_the_callers_own_arrays(stateful_lstm_impl):
    tokens = np.arange(9)
    x, y = next(iter(layout(stateful_lstm_impl)(tokens, 2, 4)))
    x[:] = -1
    y[:] = -1
    assert_that(tokens.tolist() == list(range(9)), "writing into a batch changed the caller's tokens")
