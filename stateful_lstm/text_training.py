"""Training a sequence model on a whole text laid out as parallel streams (``streams``), with the
state carried from window to window (truncated BPTT), or reset before every window (the baseline
that sees no context beyond its window), and measuring it in bits per character.

The setup is a ``TextSetup``; ``TextSetup.FULL`` is the issue's measured run (the first 120,000
characters of Python's bundled documentation, 32 streams, windows of 16, embedding 32, LSTM(128),
Adam 3e-3, 6 epochs), which ``python -m stateful_lstm text`` runs by default.
"""
from dataclasses import dataclass, replace

import numpy as np

from .streams import batch_count, stream_batches
from .text import Vocabulary


@dataclass(frozen=True)
class TextSetup:
    """The sizes of a character-level run."""
    characters: int = 120_000      # how much of the text (from its start) is used
    held_out: float = 0.1          # the last part of it, for evaluation
    streams: int = 32              # batch size: parallel streams
    window: int = 16               # timesteps per batch (the truncation of BPTT)
    embedding_dim: int = 32
    units: int = 128
    learning_rate: float = 3e-3
    epochs: int = 6

    def with_(self, **changes):
        return replace(self, **changes)


TextSetup.FULL = TextSetup()


@dataclass
class Corpus:
    """A text cut into training and held-out tokens, with its vocabulary."""
    vocabulary: Vocabulary
    train: np.ndarray
    held_out: np.ndarray


def split_text(text, setup):
    """The first ``setup.characters`` characters of ``text``: the vocabulary of all of them, the
    first ``1 - held_out`` as training tokens and the rest held out. ValueError if either part is
    too short for one batch of ``setup.streams`` x ``setup.window`` (naming the lengths)."""
    text = text[:setup.characters]
    vocabulary = Vocabulary(text)
    tokens = vocabulary.encode(text)
    cut = int(round(len(tokens) * (1 - setup.held_out)))
    corpus = Corpus(vocabulary, tokens[:cut], tokens[cut:])
    need = setup.streams * setup.window + 1
    for name, part in (("training", corpus.train), ("held-out", corpus.held_out)):
        if len(part) < need:
            raise ValueError(f"the text is too short: its {name} part has {len(part)} characters "
                             f"({len(text)} characters in all, {setup.held_out:.0%} held out); "
                             f"one batch of {setup.streams} streams x {setup.window} characters "
                             f"needs {need}")
    return corpus


def make_model(impl, corpus, setup, seed=0, batch_size=None):
    """``impl``'s stateful sequence model for ``corpus`` and ``setup`` (batch size: the
    streams)."""
    return impl.make_sequence_model(vocab_size=len(corpus.vocabulary),
                                    embedding_dim=setup.embedding_dim, units=setup.units,
                                    stateful=True, batch_size=batch_size or setup.streams,
                                    seed=seed, learning_rate=setup.learning_rate)


def train(model, tokens, setup, carry=True, progress=None):
    """``setup.epochs`` passes over ``tokens`` as ``setup.streams`` streams, one
    ``train_on_batch`` per window, the state reset at the start of each epoch and, without
    ``carry``, before every window. Returns each epoch's mean loss (nats per character).
    ``progress(epoch, batch, batches, loss)`` is called after every batch."""
    batches = batch_count(len(tokens), setup.streams, setup.window)
    losses = []
    for epoch in range(setup.epochs):
        model.reset_states()
        total = 0.0
        for k, (x, y) in enumerate(stream_batches(tokens, setup.streams, setup.window)):
            if not carry:
                model.reset_states()
            loss = model.train_on_batch(x, y)
            total += loss
            if progress:
                progress(epoch, k + 1, batches, loss)
        losses.append(total / batches)
    model.reset_states()
    return losses


def bits_by_position(model, tokens, setup, carry=True):
    """Bits per character of ``model`` predicting ``tokens`` (laid out as in ``train``), for each
    position in the window (``setup.window`` values), from a reset and, without ``carry``, reset
    before every window."""
    model.reset_states()
    total, count = np.zeros(setup.window), 0
    for x, y in stream_batches(tokens, setup.streams, setup.window):
        if not carry:
            model.reset_states()
        p = model.predict_on_batch(x)
        chosen = np.take_along_axis(p, y[..., None], axis=2)[..., 0].astype(np.float64)
        total += -np.log2(np.maximum(chosen, np.finfo(np.float32).tiny)).sum(axis=0)
        count += len(x)
    model.reset_states()
    return total / count


@dataclass
class Comparison:
    """Held-out bits per character by window position, of the carried and the reset model."""
    carried: np.ndarray
    reset: np.ndarray
    first: int = 4                 # "the first positions": how many

    def overall(self, which):
        return float(getattr(self, which).mean())

    def first_positions(self, which):
        return float(getattr(self, which)[:self.first].mean())


def compare(impl, corpus, setup, seed=0, progress=None, make=None):
    """Train a carried and a reset model from the same initial weights (``seed``; ``make()``
    builds each model, default ``make_model``) and measure both on the held-out text, each the
    way it was trained. ``progress(carry, epoch, batch, batches, loss)`` as in ``train``."""
    results = {}
    for carry in (True, False):
        model = make() if make else make_model(impl, corpus, setup, seed)
        train(model, corpus.train, setup, carry, progress and (
            lambda *a, carry=carry: progress(carry, *a)))
        results[carry] = bits_by_position(model, corpus.held_out, setup, carry)
    return Comparison(results[True], results[False])
