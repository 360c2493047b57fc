"""What every framework adapter shares: version lines read from package metadata, the
factories' argument checks (the reference's), and the cell types (``CELLS``)."""
from importlib import metadata
from typing import NamedTuple

import numpy as np

from .. import LAYERS, validation


class Cell(NamedTuple):
    """A cell type as the adapters see it: its Keras layer, its gate blocks, the number of its
    carried arrays (the reference layer's ``STATES``)."""
    keras_layer: str
    blocks: int
    states: int


# The contract's cell types (spec/SPEC.md, "Cell types"), by the name the factories take.
CELLS = {cell: Cell(keras_layer, blocks, len(LAYERS[cell].STATES)) for cell, keras_layer, blocks
         in [("lstm", "LSTM", 4), ("gru", "GRU", 3), ("simple_rnn", "SimpleRNN", 1)]}


def keras_initial_weights(initializers, cell, input_dim, units, seed):
    """Keras' default weights of ``cell`` drawn from ``seed`` with Keras' ``initializers``
    (Keras 3's or Keras 2's): Glorot-uniform kernel, orthogonal recurrent kernel, zero biases but
    the LSTM's forget gate's, 1 (``unit_forget_bias``)."""
    blocks = CELLS[cell].blocks
    bias = np.zeros({"lstm": (4 * units,), "gru": (2, 3 * units)}.get(cell, (units,)), np.float32)
    if cell == "lstm":
        bias[units:2 * units] = 1.0
    return [np.asarray(initializers.GlorotUniform(seed=seed)((input_dim, blocks * units)),
                       np.float32),
            np.asarray(initializers.Orthogonal(seed=seed)((units, blocks * units)), np.float32),
            bias]


def version(*distributions):
    """The installed version of the first of ``distributions`` found, or "not installed"
    (read from package metadata: nothing is imported)."""
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return "not installed"


def configure(model, *, units, input_dim, stateful, batch_size, seed, **classifier):
    """Check the factory's arguments as the reference does (``make_lstm``'s, and with
    ``n_classes`` and ``learning_rate`` ``make_classifier``'s) and set the contract's attributes
    on ``model``."""
    validation.check_config(units=units, input_dim=input_dim, stateful=stateful,
                        batch_size=batch_size, seed=seed)
    if classifier:
        validation.check_classifier_config(**classifier)
        model.n_classes = classifier["n_classes"]
    model.units, model.input_dim = units, input_dim
    model.stateful, model.batch_size = stateful, batch_size


def configure_sequence(model, *, vocab_size, embedding_dim, units, stateful, batch_size, seed,
                       learning_rate):
    """``make_sequence_model``'s arguments checked as the reference checks them, and the
    contract's attributes set on ``model`` (``n_classes`` too: one class per token)."""
    configure(model, units=units, input_dim=embedding_dim, stateful=stateful,
              batch_size=batch_size, seed=seed, n_classes=vocab_size, learning_rate=learning_rate)
    validation.check_sequence_config(vocab_size=vocab_size, embedding_dim=embedding_dim,
                                     learning_rate=learning_rate)
    model.vocab_size, model.embedding_dim = vocab_size, embedding_dim
