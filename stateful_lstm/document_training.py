"""Training a sequence model on a library of documents, in three layouts, and measuring each on
held-out documents in bits per character: the question of where the state may flow.

- ``ragged``: ``streams.document_streams``, each row reading whole documents one after another,
  its state zeroed at every document start, the padding masked (clause 19);
- ``end-to-end``: the documents joined into one text cut into parallel streams
  (``streams.stream_batches``, clause 12), the state carried across windows and so from one
  document into the next;
- ``reset-every-window``: the same batches, the state reset before every window.

Every layout is a list of ``streams.DocumentBatch``: the end-to-end layouts mask the targets
that cross a document boundary (a document's last character predicting the next one's first),
so that the three learn and are scored on the same kind of prediction: the next character within
a document. The training documents are shuffled before every epoch, in every layout; each
layout is measured, on the held-out documents in their order, the way it was trained.
"""
from dataclasses import dataclass

import numpy as np

from .streams import (
    DocumentBatch,
    check_split_fills_one_batch,
    document_streams,
    reset_rows,
    stream_batches,
)
from .text import Vocabulary

LAYOUTS = {
    "ragged": "ragged streams, reset at document starts",
    "end-to-end": "end to end, state carried across documents",
    "reset-every-window": "end to end, reset before every window",
}


@dataclass
class Library:
    """Documents cut into training and held-out documents (token arrays), with the vocabulary
    of all of them."""
    vocabulary: Vocabulary
    train: list
    held_out: list


def split_documents(documents, characters, streams, window, held_out=0.1):
    """The documents (strings), in order, up to ``characters`` characters in all (whole
    documents: the last one taken is the one that reaches the limit); the documents from the one
    that starts after ``1 - held_out`` of those characters on are held out. ValueError if fewer
    than two documents of two characters or more are left, or if either part, laid end to end,
    is too short for one batch of ``streams`` x ``window`` (naming the lengths)."""
    taken, total = [], 0
    for document in documents:
        if len(document) >= 2 and total < characters:
            taken.append(document)
            total += len(document)
    if len(taken) < 2:
        raise ValueError(f"needs at least 2 documents of 2 characters or more (one to train "
                         f"on, one held out); received {len(taken)}")
    starts = np.cumsum([0] + [len(d) for d in taken[:-1]])
    cut = int(min(max(np.searchsorted(starts, (1 - held_out) * total), 1), len(taken) - 1))
    vocabulary = Vocabulary("".join(taken))
    encoded = [vocabulary.encode(d) for d in taken]
    library = Library(vocabulary, encoded[:cut], encoded[cut:])
    check_split_fills_one_batch(sum(d.size for d in library.train),
                                sum(d.size for d in library.held_out), streams, window,
                                f"{total} characters in {len(taken)} documents, the last "
                                f"{len(taken) - cut} held out")
    return library


def layout_batches(layout, documents, streams, window):
    """``documents`` (token arrays) laid out as ``layout`` (a key of ``LAYOUTS``)."""
    if layout == "ragged":
        return document_streams(documents, streams, window)
    tokens = np.concatenate(documents)
    document_of = np.repeat(np.arange(len(documents)), [len(d) for d in documents])
    batches = []
    for k, (i, j) in enumerate(stream_batches(np.arange(tokens.size), streams, window)):
        reset = np.full(streams, layout == "reset-every-window" or k == 0)
        batches.append(DocumentBatch(tokens[i], tokens[j], document_of[i] == document_of[j],
                                     reset))
    return batches


def train(model, layout, documents, streams, window, epochs, seed=0, progress=None):
    """``epochs`` passes over ``documents`` laid out as ``layout``, the documents shuffled
    before each (the order drawn from ``seed`` and the epoch); one masked ``train_on_batch`` per
    batch, each batch's ``reset`` rows zeroed before it, the state reset at each epoch's start
    and at the end. Returns each epoch's mean loss. ``progress(epoch, batch, batches, loss)``
    after every batch."""
    losses = []
    for epoch in range(epochs):
        order = np.random.default_rng([seed, epoch]).permutation(len(documents))
        batches = layout_batches(layout, [documents[k] for k in order], streams, window)
        model.reset_states()
        total = 0.0
        for k, batch in enumerate(batches):
            reset_rows(model, batch.reset)
            loss = model.train_on_batch(batch.x, batch.y, mask=batch.mask)
            total += loss
            if progress:
                progress(epoch, k + 1, len(batches), loss)
        losses.append(total / len(batches))
    model.reset_states()
    return losses


def bits_per_character(model, batches):
    """``model``'s mean bits per character over the real targets of ``batches``, fed as
    ``train`` feeds them (from a reset)."""
    model.reset_states()
    bits, count = 0.0, 0
    for batch in batches:
        reset_rows(model, batch.reset)
        p = model.predict_on_batch(batch.x, mask=batch.mask)
        chosen = np.take_along_axis(p, batch.y[..., None], axis=2)[..., 0][batch.mask]
        bits += float(-np.log2(np.maximum(chosen.astype(np.float64),
                                          np.finfo(np.float32).tiny)).sum())
        count += int(batch.mask.sum())
    model.reset_states()
    return bits / count
