"""``stateful_lstm.streams``: a token sequence laid out as parallel streams, window by window."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from stateful_lstm.streams import batch_count, stream_batches

TOKENS = hnp.arrays(np.int64, st.integers(0, 300), elements=st.integers(0, 50))


@given(tokens=TOKENS, batch_size=st.integers(1, 8), seq_len=st.integers(1, 12))
def test_streams_are_contiguous_windows_with_next_token_targets(tokens, batch_size, seq_len):
    width = batch_size * seq_len
    if tokens.size < width + 1:
        with pytest.raises(ValueError, match=f"needs {width + 1} tokens .* received {tokens.size}"):
            stream_batches(tokens, batch_size, seq_len)
        return
    batches = list(stream_batches(tokens, batch_size, seq_len))
    count = (tokens.size - 1) // width
    assert len(batches) == count == batch_count(tokens.size, batch_size, seq_len)
    for x, y in batches:
        assert x.shape == y.shape == (batch_size, seq_len) and x.dtype == y.dtype == np.int64
    rows_x = np.concatenate([x for x, _ in batches], axis=1)      # each row: its whole stream
    rows_y = np.concatenate([y for _, y in batches], axis=1)
    np.testing.assert_array_equal(rows_x[:, 1:], rows_y[:, :-1])   # y is x one token ahead,
    # and row i of batch k + 1 continues row i of batch k: each row is one contiguous stretch
    np.testing.assert_array_equal(rows_x.ravel(), tokens[:count * width])   # nothing reordered
    np.testing.assert_array_equal(rows_y.ravel(), tokens[1:count * width + 1])
    assert tokens.size - 1 - count * width < width                  # only a short tail dropped


def test_each_row_is_a_stream_of_the_text():
    tokens = np.arange(25)
    batches = list(stream_batches(tokens, batch_size=2, seq_len=4))   # K = 24 // 8 = 3
    np.testing.assert_array_equal(batches[0][0], [[0, 1, 2, 3], [12, 13, 14, 15]])
    np.testing.assert_array_equal(batches[1][0], [[4, 5, 6, 7], [16, 17, 18, 19]])
    np.testing.assert_array_equal(batches[2][1], [[9, 10, 11, 12], [21, 22, 23, 24]])


def test_the_batches_are_the_callers_own_arrays():
    tokens = np.arange(9)
    x, y = next(stream_batches(tokens, 2, 4))
    x[:] = -1
    y[:] = -1
    assert tokens.tolist() == list(range(9))


@pytest.mark.parametrize("args, message", [
    (([1, 2, 3], 2, 2), "one batch of 2 streams x 2 timesteps needs 5 tokens"),
    ((np.zeros((3, 3), int), 1, 1), "tokens must be a 1-D sequence of integers; received an "
                                    "array of shape (3, 3)"),
    ((np.linspace(0, 1, 10), 1, 1), "dtype float64"),
    ((list(range(10)), 0, 1), "batch_size must be a positive integer; received 0"),
    ((list(range(10)), 1, 2.0), "seq_len must be a positive integer; received 2.0"),
])
def test_bad_arguments_are_refused_at_the_call(args, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        stream_batches(*args)
