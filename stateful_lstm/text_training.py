"""Training a sequence model on a whole text laid out as parallel streams (``streams``), with the
state carried from window to window (truncated BPTT), or reset before every window (the baseline
that sees no context beyond its window), measuring it in bits per character, saving it, and
generating text with a batch-size-1 copy of it.

The setup is a ``TextSetup``; ``TextSetup.FULL`` is the issue's measured run (the first 120,000
characters of Python's bundled documentation, 32 streams, windows of 16, embedding 32, LSTM(128),
Adam 3e-3, 6 epochs), which ``python -m stateful_lstm text`` runs by default.
"""
import itertools
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .stream_pool import StreamPool
from .streams import batch_count, check_split_fills_one_batch, stream_batches
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
    layers: int = 1                # stacked recurrent layers (the reference's make_sequence_model)

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
    check_split_fills_one_batch(corpus.train.size, corpus.held_out.size, setup.streams,
                                setup.window, f"the text's first {len(text)} characters, "
                                              f"{setup.held_out:.0%} held out")
    return corpus


def sequence_model(impl, setup, vocab_size, batch_size, seed=0):
    """``impl``'s stateful sequence model of ``setup``'s sizes (``layers`` passed only for a
    stack: an implementation whose sequence model has one layer need not take it)."""
    stack = {"layers": setup.layers} if setup.layers > 1 else {}
    return impl.make_sequence_model(vocab_size=vocab_size, embedding_dim=setup.embedding_dim,
                                    units=setup.units, stateful=True, batch_size=batch_size,
                                    seed=seed, learning_rate=setup.learning_rate, **stack)


def make_model(impl, corpus, setup, seed=0, batch_size=None):
    """``impl``'s stateful sequence model for ``corpus`` and ``setup`` (batch size: the
    streams)."""
    return sequence_model(impl, setup, len(corpus.vocabulary), batch_size or setup.streams, seed)


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


FIRST_POSITIONS = 4       # "the first positions of a window", where context matters most


def first_positions(bits):
    """How many positions count as the first, and the mean bits per character over them."""
    first = min(FIRST_POSITIONS, len(bits))
    return first, float(bits[:first].mean())


@dataclass
class Comparison:
    """Held-out bits per character by window position, of the carried and the reset model."""
    carried: np.ndarray
    reset: np.ndarray

    @property
    def first(self):
        return first_positions(self.carried)[0]

    def overall(self, which):
        return float(getattr(self, which).mean())

    def first_positions(self, which):
        return first_positions(getattr(self, which))[1]


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


def batch1_copy(impl, model, vocab_size, setup, seed=0):
    """A stateful batch-size-1 sequence model of ``impl`` with ``model``'s weights and zero state:
    what generates text from a model trained on ``setup.streams`` streams (clause 15)."""
    copy = sequence_model(impl, setup, vocab_size, 1, seed)
    copy.set_weights(model.get_weights())
    return copy


def sample(copy, vocabulary, prompt, temperature=1.0, seed=0):
    """Characters sampled one at a time, without end, from the batch-size-1 ``copy`` after it has
    read ``prompt`` from a reset: each drawn from the predicted probabilities raised to the power
    ``1 / temperature`` (renormalized), then fed back in. ValueError, at the call, for an empty
    prompt, a character the vocabulary lacks, or a temperature that is not positive."""
    if not prompt:
        raise ValueError("the prompt must have at least one character")
    if not temperature > 0:
        raise ValueError(f"temperature must be positive; received {temperature}")
    tokens = vocabulary.encode(prompt)
    copy.reset_states()
    return _sampled(copy, vocabulary, copy.predict_on_batch(tokens[None, :])[0, -1],
                    temperature, np.random.default_rng(seed))


def _sampled(copy, vocabulary, p, temperature, rng):
    while True:
        drawn = _draw(p, temperature, rng)
        yield vocabulary.decode([drawn])
        p = copy.predict_on_batch(np.array([[drawn]]))[0, -1]


def _draw(p, temperature, rng):
    """A token id drawn from the probabilities ``p`` raised to the power ``1 / temperature``
    (renormalized)."""
    logp = np.log(np.maximum(p.astype(np.float64), 1e-300)) / temperature
    weights = np.exp(logp - logp.max())
    return int(rng.choice(len(weights), p=weights / weights.sum()))


def generate(copy, vocabulary, prompt, length, temperature=1.0, seed=0):
    """``length`` characters of ``sample``, the copy reset afterwards."""
    text = "".join(itertools.islice(sample(copy, vocabulary, prompt, temperature, seed), length))
    copy.reset_states()
    return text


def generate_streams(step_model, vocabulary, prompts, length, temperature=1.0, seed=0):
    """``length`` characters after each of ``prompts``, generated side by side as streams of a
    ``StreamPool`` of ``step_model`` (an exported sequence model with any batch size): stream i
    draws what ``generate`` draws from a batch-size-1 copy with ``prompts[i]`` and seed ``seed +
    i``. ValueError as ``sample``'s, before anything runs."""
    if not temperature > 0:
        raise ValueError(f"temperature must be positive; received {temperature}")
    if any(not prompt for prompt in prompts):
        raise ValueError("every prompt must have at least one character")
    tokens = [vocabulary.encode(prompt) for prompt in prompts]
    pool = StreamPool(step_model)
    streams = [pool.join() for _ in prompts]
    rngs = [np.random.default_rng(seed + i) for i in range(len(prompts))]
    p = pool.step(dict(zip(streams, tokens)))
    drawn = [[] for _ in prompts]
    for k in range(length):
        for i, stream in enumerate(streams):
            drawn[i].append(_draw(p[stream][-1], temperature, rngs[i]))
        if k + 1 < length:
            p = pool.step({stream: np.array(d[-1:]) for stream, d in zip(streams, drawn)})
    return [vocabulary.decode(np.array(d, np.int64)) for d in drawn]


SAVED_SIZES = ("embedding_dim", "units", "streams", "window", "learning_rate", "layers")


def save(path, model, vocabulary, setup, start):
    """Write ``model``'s weights (Keras' layout, any implementation can load them), the
    vocabulary, the sizes and ``start`` (a default prompt) to the ``.npz`` file ``path``."""
    np.savez(path, characters=np.array(vocabulary.characters), start=np.array(start),
             **{f"weight_{i}": w for i, w in enumerate(model.get_weights())},
             **{name: getattr(setup, name) for name in SAVED_SIZES})


def load(path, impl, setup=TextSetup.FULL):
    """``(model, vocabulary, setup, start)`` from a file ``save`` wrote: ``impl``'s stateful
    batch-size-1 sequence model with the saved weights. ValueError naming the file if it is not
    such a file."""
    not_saved = f"cannot load {path}: not a model saved by python -m stateful_lstm text"
    try:
        if not Path(path).is_file():
            raise OSError(f"{path} is not a file")
        if not zipfile.is_zipfile(path):
            raise ValueError(f"{not_saved} (not an .npz file)")
        with np.load(path, allow_pickle=False) as saved:
            vocabulary = Vocabulary(str(saved["characters"]))
            # (a file saved before stacks has no "layers": one layer)
            setup = setup.with_(**{name: saved[name].item() for name in SAVED_SIZES
                                   if name in saved.files})
            weights = [saved[f"weight_{i}"] for i in range(6 + 3 * (setup.layers - 1))]
            start = str(saved["start"])
    except OSError as error:
        raise ValueError(f"cannot load {path}: {error.strerror or error}") from None
    except KeyError as error:          # numpy: "'characters' is not a file in the archive"
        raise ValueError(f"{not_saved} ({error.args[0]})") from None
    model = sequence_model(impl, setup, len(vocabulary), 1)
    model.set_weights(weights)
    return model, vocabulary, setup, start
