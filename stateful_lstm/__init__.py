"""stateful_lstm: the minimal implementation checked by the spec in ``spec/``.

The package itself is the NumPy reference implementation of the contract (``make_lstm``, and
the other cells ``make_gru`` and ``make_simple_rnn``); the
framework adapters (Keras 3 on TensorFlow or JAX, tf-keras, PyTorch, Flax) are in
``stateful_lstm.adapters``. Importing this package never
imports TensorFlow.
"""
from importlib import metadata

import numpy as np

from . import stack
from .classifier import Classifier
from .gru import GRU
from .layers import LAYERS as LAYERS
from .lstm import LSTM
from .sequence import SequenceModel
from .simple_rnn import SimpleRNN
from .stack import Stack
from .stream_pool import step_model as step_model  # the stream pool's backend (clause 23)

MASKS = "any"          # every mask pattern (spec/SPEC.md, "Masks")
LOOPS = True           # predict, evaluate and fit (spec/SPEC.md, "Loops"; stateful_lstm.loops)
try:
    __version__ = metadata.version("stateful-lstm-spec")
except metadata.PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0+checkout"


def make_lstm(*, units: int, input_dim: int, stateful: bool, batch_size: int | None = None,
              seed: int = 0, layers: int = 1) -> LSTM | Stack:
    """A NumPy reference LSTM, or ``layers`` of them stacked (see ``spec/SPEC.md`` for the
    contract it satisfies)."""
    return stack.make("lstm", layers, units=units, input_dim=input_dim, stateful=stateful,
                      batch_size=batch_size, seed=seed)


def make_gru(*, units: int, input_dim: int, stateful: bool, batch_size: int | None = None,
             seed: int = 0, layers: int = 1) -> GRU | Stack:
    """A NumPy reference GRU (Keras' ``reset_after=True``; ``spec/SPEC.md``), or ``layers``
    stacked."""
    return stack.make("gru", layers, units=units, input_dim=input_dim, stateful=stateful,
                      batch_size=batch_size, seed=seed)


def make_simple_rnn(*, units: int, input_dim: int, stateful: bool,
                    batch_size: int | None = None, seed: int = 0,
                    layers: int = 1) -> SimpleRNN | Stack:
    """A NumPy reference SimpleRNN (tanh; ``spec/SPEC.md``), or ``layers`` stacked."""
    return stack.make("simple_rnn", layers, units=units, input_dim=input_dim,
                      stateful=stateful, batch_size=batch_size, seed=seed)


def describe() -> str:
    """One line naming this implementation and its version, for test-report headers."""
    return f"NumPy reference, stateful_lstm {__version__}, numpy {np.__version__}"


def make_classifier(*, units: int, input_dim: int, n_classes: int, stateful: bool,
                    batch_size: int | None = None, seed: int = 0,
                    learning_rate: float = 0.001, cell: str = "lstm") -> Classifier:
    """A NumPy reference classifier: a recurrent layer of ``cell`` (LSTM, GRU or SimpleRNN) ->
    Dense softmax (see ``spec/SPEC.md``)."""
    return Classifier(units=units, input_dim=input_dim, n_classes=n_classes, stateful=stateful,
                      batch_size=batch_size, seed=seed, learning_rate=learning_rate, cell=cell)


def make_sequence_model(*, vocab_size: int, embedding_dim: int, units: int, stateful: bool,
                        batch_size: int | None = None, seed: int = 0,
                        learning_rate: float = 0.001, cell: str = "lstm",
                        layers: int = 1) -> SequenceModel:
    """A NumPy reference sequence model: embedding -> a recurrent layer of ``cell`` (LSTM, GRU or
    SimpleRNN; ``layers`` of them stacked) -> Dense softmax at every timestep (see
    ``spec/SPEC.md``; ``layers`` is the reference's: the text command's ``--layers``)."""
    return SequenceModel(vocab_size=vocab_size, embedding_dim=embedding_dim, units=units,
                         stateful=stateful, batch_size=batch_size, seed=seed,
                         learning_rate=learning_rate, cell=cell, layers=layers)
