"""A long token sequence (a whole text) laid out for a stateful model: parallel streams.

A stateful model carries row i's state into row i of the next batch (clause 1), so a text is
trained on whole by cutting it into ``batch_size`` contiguous streams, one per row, and feeding
each stream window by window: batch k holds window k of every stream, and the state carried
between batches is the context of everything the stream has seen so far.

    tokens:   t0 t1 t2 ... (n tokens)
    stream i: the tokens from i * K * seq_len on, K * seq_len inputs and one more for the target
    batch k:  x[i] = stream i's window k (seq_len tokens), y[i] = the same window one token ahead
"""
from collections.abc import Iterator

import numpy as np

from .validation import positive_int


def batch_count(n_tokens: int, batch_size: int, seq_len: int) -> int:
    """How many batches ``stream_batches`` yields for ``n_tokens`` tokens: each batch takes
    ``batch_size * seq_len`` inputs, and the last input needs one more token as its target."""
    return max(n_tokens - 1, 0) // (batch_size * seq_len)


def stream_batches(tokens, batch_size: int, seq_len: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """An iterator of ``(x, y)`` integer arrays of shape ``(batch_size, seq_len)``, the token sequence
    ``tokens`` (1-D, integers) cut into ``batch_size`` contiguous streams.

    With ``W = batch_size * seq_len`` inputs per batch and ``n = len(tokens)``, there are
    ``K = (n - 1) // W`` batches (``batch_count``). Stream i is ``tokens[i*K*seq_len :
    (i+1)*K*seq_len + 1]``; batch k holds window k of every stream: ``x[i] = tokens[s : s +
    seq_len]`` and ``y[i] = tokens[s + 1 : s + seq_len + 1]`` with ``s = (i*K + k) * seq_len``.
    So ``y`` is always the token after ``x``, row i of batch k + 1 starts where row i of batch k
    ended (no gap, no overlap), and no token is reordered. The first ``K*W + 1`` tokens are used;
    the last ``n - 1 - K*W`` (fewer than W) are dropped.

    Raises ValueError at the call, naming the lengths, if ``tokens`` is not a 1-D sequence of
    integers or is too short for one batch (fewer than ``W + 1`` tokens)."""
    positive_int("batch_size", batch_size)
    positive_int("seq_len", seq_len)
    tokens = np.asarray(tokens)
    if tokens.ndim != 1 or not (np.issubdtype(tokens.dtype, np.integer) or tokens.size == 0):
        raise ValueError(f"stream_batches: tokens must be a 1-D sequence of integers; received "
                         f"an array of shape {tokens.shape} and dtype {tokens.dtype}")
    count = batch_count(tokens.size, batch_size, seq_len)
    if count == 0:
        raise ValueError(f"stream_batches: one batch of {batch_size} streams x {seq_len} "
                         f"timesteps needs {batch_size * seq_len + 1} tokens (each input and "
                         f"the token after it); received {tokens.size}")
    tokens = tokens.astype(np.int64, copy=False)
    stream_length = count * seq_len
    inputs = tokens[:batch_size * stream_length].reshape(batch_size, stream_length)
    targets = tokens[1:batch_size * stream_length + 1].reshape(batch_size, stream_length)
    return _windows(inputs, targets, count, seq_len)


def _windows(inputs, targets, count, seq_len):
    for k in range(count):
        window = slice(k * seq_len, (k + 1) * seq_len)
        yield inputs[:, window].copy(), targets[:, window].copy()
