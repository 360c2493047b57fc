"""A long token sequence (a whole text) laid out for a stateful model: parallel streams.

A stateful model carries row i's state into row i of the next batch (clause 1), so a text is
trained on whole by cutting it into ``batch_size`` contiguous streams, one per row, and feeding
each stream window by window: batch k holds window k of every stream, and the state carried
between batches is the context of everything the stream has seen so far.

    tokens:   t0 t1 t2 ... (n tokens)
    stream i: the tokens from i * K * seq_len on, K * seq_len inputs and one more for the target
    batch k:  x[i] = stream i's window k (seq_len tokens), y[i] = the same window one token ahead

Many documents of different lengths (``document_streams``): each row reads whole documents one
after another, each starting at a window start from a reset state; padding is masked.
"""
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from .validation import positive_int


def batch_count(n_tokens: int, batch_size: int, seq_len: int) -> int:
    """How many batches ``stream_batches`` yields for ``n_tokens`` tokens: each batch takes
    ``batch_size * seq_len`` inputs, and the last input needs one more token as its target."""
    return max(n_tokens - 1, 0) // (batch_size * seq_len)


def check_split_fills_one_batch(train: int, held_out: int, batch_size: int, seq_len: int,
                                context: str) -> None:
    """ValueError unless both parts of a training / held-out split (their lengths in characters)
    hold the ``batch_size * seq_len + 1`` characters one batch needs; the message names the part,
    its length and ``context`` (what was split)."""
    need = batch_size * seq_len + 1
    for name, length in (("training", train), ("held-out", held_out)):
        if length < need:
            raise ValueError(f"the {name} part has {length} characters ({context}); one batch "
                             f"of {batch_size} streams x {seq_len} characters needs {need}")


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


class DocumentBatch(NamedTuple):
    """One batch of ``document_streams``: ``x``, ``y`` int64 and ``mask`` bool, each
    ``(batch_size, seq_len)``, and ``reset`` bool ``(batch_size,)``, True for the rows whose state
    must be zero before this batch (``reset_rows``): those that start a document at it."""
    x: np.ndarray
    y: np.ndarray
    mask: np.ndarray
    reset: np.ndarray


def document_streams(documents, batch_size: int, seq_len: int) -> list[DocumentBatch]:
    """A library of documents of different lengths laid out for a stateful model: each row reads
    whole documents one after another, and the state never passes from one document into the
    next.

    A document of n tokens gives n - 1 inputs, each with the token after it as its target; it
    fills ``ceil((n - 1) / seq_len)`` consecutive windows of one row, starting at a window start,
    and its last window is padded (``mask`` False, token 0 in ``x`` and ``y``) up to the window's
    end. A row's next document starts at its next window, with ``reset`` True for that row: the
    caller zeroes the row's state before the batch, so every document starts from a zero state
    (a reset can only fall between calls, hence documents start at window starts).

    Rows are balanced: the documents are dealt longest first (ties: the earlier document), each
    to the row that has the fewest windows so far (ties: the lowest row), and each row reads its
    documents in their given order. So the rows end within one document of each other when no
    document is longer than a row's share, and a long document does not leave one row running
    alone at the end; to vary what the rows read together, shuffle ``documents`` (once per epoch,
    say). When a row runs out of documents its remaining windows are masked entirely; there are
    as many batches as the fullest row has windows. Documents of fewer than 2 tokens have no
    input with a target and are skipped; nothing else is dropped.

    Raises ValueError at the call, naming what was received, if ``documents`` is not a sequence
    of 1-D integer sequences or has no document of 2 tokens or more."""
    positive_int("batch_size", batch_size)
    positive_int("seq_len", seq_len)
    given = [_document(k, d) for k, d in enumerate(documents)]
    docs = [d for d in given if d.size >= 2]
    if not docs:
        raise ValueError(f"document_streams: needs a document of at least 2 tokens (an input "
                         f"and its target); received {len(given)} documents, of lengths "
                         f"{[d.size for d in given]}")
    windows = [-(-(d.size - 1) // seq_len) for d in docs]
    rows = [[] for _ in range(batch_size)]                  # per row: its documents' indices
    used = np.zeros(batch_size, int)
    for k in sorted(range(len(docs)), key=lambda k: -windows[k]):
        row = int(np.argmin(used))
        rows[row].append(k)
        used[row] += windows[k]
    count = int(used.max())
    x, y = (np.zeros((batch_size, count * seq_len), np.int64) for _ in range(2))
    mask = np.zeros((batch_size, count * seq_len), bool)
    reset = np.zeros((batch_size, count), bool)
    for i, placed in enumerate(rows):
        window = 0
        for k in sorted(placed):
            doc, start = docs[k], window * seq_len
            x[i, start:start + doc.size - 1] = doc[:-1]
            y[i, start:start + doc.size - 1] = doc[1:]
            mask[i, start:start + doc.size - 1] = True
            reset[i, window] = True
            window += windows[k]
    return [DocumentBatch(*(a[:, k * seq_len:(k + 1) * seq_len].copy() for a in (x, y, mask)),
                          reset[:, k].copy()) for k in range(count)]


def _document(index, document):
    tokens = np.asarray(document)
    if tokens.ndim != 1 or not (np.issubdtype(tokens.dtype, np.integer) or tokens.size == 0):
        raise ValueError(f"document_streams: each document must be a 1-D sequence of integers; "
                         f"document {index} is an array of shape {tokens.shape} and dtype "
                         f"{tokens.dtype}")
    return tokens.astype(np.int64, copy=False)


def reset_rows(model, reset) -> None:
    """Zero the carried state of the rows where ``reset`` (batch,) is True, leaving the others
    as they are (through ``get_states`` / ``set_states``); nothing if no row is reset."""
    reset = np.asarray(reset, bool)
    if reset.any():
        model.set_states([np.where(reset[:, None], np.float32(0), s).astype(np.float32)
                          for s in model.get_states()])
