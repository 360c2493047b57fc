"""``stateful_lstm.streams``: a token sequence laid out as parallel streams, window by window. The
properties of the layout are the spec's clause 12 (``spec/test_stream_layout.py``); here, an
example and the kit's errors."""
import numpy as np
import pytest

from stateful_lstm.streams import stream_batches


def test_each_row_is_a_stream_of_the_text():
    tokens = np.arange(25)
    batches = list(stream_batches(tokens, batch_size=2, seq_len=4))   # K = 24 // 8 = 3
    np.testing.assert_array_equal(batches[0][0], [[0, 1, 2, 3], [12, 13, 14, 15]])
    np.testing.assert_array_equal(batches[1][0], [[4, 5, 6, 7], [16, 17, 18, 19]])
    np.testing.assert_array_equal(batches[2][1], [[9, 10, 11, 12], [21, 22, 23, 24]])


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
