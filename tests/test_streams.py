"""``stateful_lstm.streams``: a token sequence laid out as parallel streams, window by window (the
properties of that layout are the spec's clause 12, ``spec/test_stream_layout.py``; here, an
example and the kit's errors), and a library of documents laid out as ragged streams."""
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from stateful_lstm import make_lstm
from stateful_lstm.streams import document_streams, reset_rows, stream_batches


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


def read_back(batches, seq_len):
    """The documents ``document_streams`` laid out, read back from its batches: per row, each
    reset window starts a document whose real steps run on without a gap; returned as
    ``(window, row, inputs, targets)`` sorted by window then row. Asserts that every real step
    belongs to such a run and that padding holds token 0."""
    x, y, mask = (np.concatenate([getattr(b, name) for b in batches], axis=1)
                  for name in ("x", "y", "mask"))
    reset = np.stack([b.reset for b in batches], axis=1)
    assert not x[~mask].any() and not y[~mask].any(), "padding should hold token 0"
    found, claimed = [], np.zeros_like(mask)
    for row, window in zip(*np.nonzero(reset)):
        start = window * seq_len
        later = np.nonzero(reset[row, window + 1:])[0]
        limit = (window + 1 + later[0]) * seq_len if later.size else mask.shape[1]
        end = start + np.argmin(np.append(mask[row, start:limit], False))
        assert end > start, f"row {row} is reset at window {window}, but its first step is padding"
        claimed[row, start:end] = True
        found.append((window, row, x[row, start:end], y[row, start:end]))
    np.testing.assert_array_equal(claimed, mask, "every real step belongs to a document that "
                                                 "starts at a reset")
    return sorted(found, key=lambda f: f[:2])


@given(bodies=st.lists(st.lists(st.integers(0, 50), max_size=20), max_size=8),
       batch_size=st.integers(1, 4), seq_len=st.integers(1, 5))
def test_documents_are_read_whole_from_a_reset_in_balanced_rows(bodies, batch_size, seq_len):
    # Document k starts with the token 100 + k, so that it can be told from the others; with an
    # empty body it has 1 token and is skipped.
    documents = [[100 + k, *body] for k, body in enumerate(bodies)]
    kept = [k for k, d in enumerate(documents) if len(d) >= 2]
    assume(kept)
    batches = document_streams(documents, batch_size, seq_len)
    assert all(b.x.shape == b.y.shape == b.mask.shape == (batch_size, seq_len)
               and b.reset.shape == (batch_size,) for b in batches)
    found = read_back(batches, seq_len)
    assert sorted(int(inputs[0]) - 100 for *_, inputs, _ in found) == kept, \
        "each document of 2 tokens or more once, no other"
    rows = {}
    for _, row, inputs, targets in found:
        k = int(inputs[0]) - 100
        np.testing.assert_array_equal(inputs, documents[k][:-1])
        np.testing.assert_array_equal(targets, documents[k][1:])
        rows.setdefault(row, []).append(k)
    assert all(order == sorted(order) for order in rows.values()), \
        f"each row reads its documents in their given order: {rows}"
    # Balanced: no batch after the last real step, and the fullest row holds no more windows
    # than the lightest one plus its own smallest document's (longest-first dealing).
    windows = {k: -(-(len(documents[k]) - 1) // seq_len) for k in kept}
    loads = [sum(windows[k] for k in rows.get(i, [])) for i in range(batch_size)]
    assert len(batches) == max(loads) and batches[-1].mask.any()
    fullest = int(np.argmax(loads))
    assert max(loads) - min(loads) <= min(windows[k] for k in rows[fullest])


def test_rows_are_balanced_longest_first_and_their_tails_are_masked():
    batches = document_streams([np.arange(1, 8), np.arange(10, 13), [5], np.arange(20, 30)],
                               batch_size=2, seq_len=3)
    np.testing.assert_array_equal([b.reset for b in batches],
                                  [[True, True], [False, False], [False, True]])
    np.testing.assert_array_equal(batches[0].x, [[20, 21, 22], [1, 2, 3]])
    np.testing.assert_array_equal(batches[1].y, [[24, 25, 26], [5, 6, 7]])
    np.testing.assert_array_equal(batches[2].mask, [[True] * 3, [True, True, False]])


@pytest.mark.parametrize("documents, message", [
    ([[1], []], r"needs a document of at least 2 tokens \(an input and its target\); received 2 "
                r"documents, of lengths \[1, 0\]"),
    ([[1, 2], [[1, 2]]], r"document 1 is an array of shape \(1, 2\)"),
    ([[0.5, 1.5]], "dtype float64"),
])
def test_bad_documents_are_refused_at_the_call(documents, message):
    with pytest.raises(ValueError, match=message):
        document_streams(documents, 2, 2)


def test_reset_rows_zeroes_only_the_rows_it_is_given():
    model = make_lstm(units=2, input_dim=1, stateful=True, batch_size=3)
    states = [np.full((3, 2), v, np.float32) for v in (1, 2)]
    model.set_states(states)
    reset_rows(model, [False, True, False])
    for got, was in zip(model.get_states(), states):
        np.testing.assert_array_equal(got, np.where([[True], [False], [True]], was, 0))
