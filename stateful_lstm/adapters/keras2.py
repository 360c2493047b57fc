"""Keras 2, through the ``tf_keras`` package (the ``tf-keras`` alias), driven as the seed's code
drove it: a ``Sequential`` model whose LSTM (GRU, SimpleRNN: Keras' defaults, the GRU's
``reset_after=True``) gets ``batch_input_shape=(B, None, F)`` (a stack: ``layers`` of them in
the ``Sequential``, each ``return_sequences=True``), ``model.predict_on_batch``,
``model.reset_states()``, and the layer's own ``reset_states(states=[h, c])`` to set the state
(a stack's list, checked whole by the adapter, split over its layers: Keras 2 has no model-level
``set_states``); with a mask, a functional model on the same
layers whose LSTM is called as ``lstm(x, mask=mask)`` (``keras_pool.masked_companion``). No check
is added: Keras 2's errors reach the caller unchanged. Models are pooled as in ``keras3``;
TensorFlow is imported on the first call.
"""
import os

import numpy as np

from .. import validation
from ..cells import CELLS
from .common import (
    configure,
    configure_sequence,
    keras_initial_weights,
    known_deviations,
    version,
)
from .keras_pool import PooledKerasModel, PooledTokenModel, PooledTrainedModel, read_states

REQUIRES = ("tf_keras", "tensorflow")
INSTALL_HINT = " (pip install 'stateful-lstm-spec[tf-keras]')"
# Traced and compiled per input shape: the spec draws sizes from its palette (SPEC.md).
COMPILES_PER_SHAPE = True
MASKS = "any"          # any pattern, through keras_pool.masked_companion
LOOPS = True           # Keras' own predict, evaluate and fit (keras_pool)
KNOWN_DEVIATIONS = known_deviations(__name__)     # known_deviations.toml


def tf_keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tf_keras as module
    return module


def describe():
    return (f"tf_keras {version('tf_keras', 'tf-keras')} (Keras 2) on TensorFlow "
            f"{version('tensorflow', 'tensorflow-cpu')} (predict_on_batch of a Sequential model)")


def _recurrent_layer(k, cell, units, input_dim, batch_size, stateful, return_sequences):
    return getattr(k.layers, CELLS[cell].layers["keras"])(
        units, stateful=stateful, return_sequences=return_sequences,
        batch_input_shape=(batch_size, None, input_dim))


def _build(cell, units, input_dim, batch_size, stateful, layers):
    k = tf_keras()
    return k.Sequential([_recurrent_layer(k, cell, units, input_dim, batch_size, stateful, True)] +
                        [getattr(k.layers, CELLS[cell].layers["keras"])(
                            units, stateful=stateful, return_sequences=True)
                         for _ in range(layers - 1)])


def _build_classifier(cell, units, input_dim, n_classes, batch_size, stateful, learning_rate):
    k = tf_keras()
    model = k.Sequential([_recurrent_layer(k, cell, units, input_dim, batch_size, stateful, False),
                          k.layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=k.optimizers.Adam(learning_rate), loss="categorical_crossentropy")
    model.optimizer.build(model.trainable_variables)
    return model


def _build_sequence_model(cell, vocab_size, embedding_dim, units, batch_size, stateful,
                          learning_rate):
    k = tf_keras()
    model = k.Sequential([
        k.layers.Embedding(vocab_size, embedding_dim, batch_input_shape=(batch_size, None)),
        getattr(k.layers, CELLS[cell].layers["keras"])(units, stateful=stateful,
                                                       return_sequences=True),
        k.layers.Dense(vocab_size, activation="softmax")])
    model.compile(optimizer=k.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy")
    model.optimizer.build(model.trainable_variables)
    return model


class _Keras2Model(PooledKerasModel):
    REUSES_TRACES = True    # TensorFlow's traces read the state variables at each call

    def _setup(self, build, *key, seed):
        """Check out a pooled model; returns Keras 2's default initial weights of its recurrent
        layer (``layer``) from ``seed``."""
        self.keras_module = k = tf_keras()
        self._checkout(build, *key)
        self.recurrent = [layer for layer in self.model.layers if isinstance(layer, k.layers.RNN)]
        self.layer = self.recurrent[0]
        return keras_initial_weights(k.initializers, self.cell, self.input_dim, self.units, seed)

    def predict_on_batch(self, x, mask=None):
        return self._call("predict_on_batch", x, mask=mask)

    def reset_states(self):
        self.model.reset_states()

    def get_states(self):
        return read_states(self, [v for layer in self.recurrent for v in layer.states])

    def set_states(self, states):
        validation.require_stateful(self, "set_states")
        if len(self.recurrent) == 1:
            self.layer.reset_states(states=states)
            return
        cell = CELLS[self.cell]
        checked = validation.check_states(states, self.batch_size, self.units, finite=False,
                                          count=len(cell.states) * len(self.recurrent))
        for layer, layer_states in zip(self.recurrent, cell.by_layer(checked)):
            layer.reset_states(states=layer_states)

    def get_weights(self):
        return [np.array(w) for w in self.model.get_weights()]

    def set_weights(self, weights):
        self.model.set_weights(weights)


class Keras2Recurrent(_Keras2Model):
    """A ``Sequential([LSTM(..., return_sequences=True)])`` (``GRU``, ``SimpleRNN``: ``cell``;
    ``layers`` of them stacked) seen through the contract."""

    def __init__(self, *, units, input_dim, stateful, batch_size=None, seed=0, cell="lstm",
                 layers=1):
        configure(self, units=units, input_dim=input_dim, stateful=stateful,
                  batch_size=batch_size, seed=seed, cell=cell, layers=layers)
        weights = self._setup(_build, cell, units, input_dim, batch_size, stateful, layers,
                              seed=seed)
        for k in range(1, layers):         # layer k's initial weights from seed + k
            weights += keras_initial_weights(self.keras_module.initializers, cell, units, units,
                                             seed + k)
        self.model.set_weights(weights)
        self.model.reset_states()


class _Keras2Trained(PooledTrainedModel, _Keras2Model):
    """A compiled Keras 2 model (Adam): Keras' own ``train_on_batch`` and ``test_on_batch``."""

    def _fresh_optimizer(self):
        """A pooled model's optimizer as a new one's: step 0, no moments."""
        for variable in self.model.optimizer.variables():
            if "learning_rate" not in variable.name:
                variable.assign(np.zeros(variable.shape, variable.dtype.as_numpy_dtype))

    def train_on_batch(self, x, y, sample_weight=None, mask=None):
        return float(self._call("train_on_batch", x, y, sample_weight, mask))

    def test_on_batch(self, x, y, sample_weight=None, mask=None):
        return float(self._call("test_on_batch", x, y, sample_weight, mask))


class Keras2Classifier(_Keras2Trained):
    """``Sequential([LSTM, Dense(softmax)])`` (``GRU``, ``SimpleRNN``: ``cell``) compiled with
    Adam and categorical cross-entropy."""

    def __init__(self, *, units, input_dim, n_classes, stateful, batch_size=None, seed=0,
                 learning_rate=0.001, cell="lstm"):
        configure(self, units=units, input_dim=input_dim, stateful=stateful,
                  batch_size=batch_size, seed=seed, cell=cell, n_classes=n_classes,
                  learning_rate=learning_rate)
        lstm = self._setup(_build_classifier, cell, units, input_dim, n_classes, batch_size, stateful,
                           learning_rate, seed=seed)
        dense = tf_keras().initializers.GlorotUniform(seed=seed)((units, n_classes))
        self.model.set_weights(lstm + [np.asarray(dense, np.float32),
                                       np.zeros(n_classes, np.float32)])
        self._fresh_optimizer()
        self.model.reset_states()


class Keras2SequenceModel(PooledTokenModel, _Keras2Trained):
    """``Sequential([Embedding, LSTM(return_sequences=True), Dense(softmax)])`` (``GRU``,
    ``SimpleRNN``: ``cell``; a Dense on 3-D input acts at every timestep) compiled with Adam and
    sparse categorical cross-entropy."""

    def __init__(self, *, vocab_size, embedding_dim, units, stateful, batch_size=None, seed=0,
                 learning_rate=0.001, cell="lstm"):
        configure_sequence(self, vocab_size=vocab_size, embedding_dim=embedding_dim, units=units,
                           stateful=stateful, batch_size=batch_size, seed=seed,
                           learning_rate=learning_rate, cell=cell)
        lstm = self._setup(_build_sequence_model, cell, vocab_size, embedding_dim, units, batch_size,
                           stateful, learning_rate, seed=seed)
        init = tf_keras().initializers
        self.model.set_weights(
            [np.asarray(init.RandomUniform(-0.05, 0.05, seed=seed)((vocab_size, embedding_dim)),
                        np.float32)] + lstm
            + [np.asarray(init.GlorotUniform(seed=seed)((units, vocab_size)), np.float32),
               np.zeros(vocab_size, np.float32)])
        self._fresh_optimizer()
        self.model.reset_states()


def make_lstm(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
    """A Keras 2 LSTM (``layers`` stacked) seen through the contract (see ``spec/SPEC.md``)."""
    return Keras2Recurrent(units=units, input_dim=input_dim, stateful=stateful,
                           batch_size=batch_size, seed=seed, layers=layers)


def make_gru(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
    """A Keras 2 GRU (``reset_after=True``, its default; ``layers`` stacked) seen through the
    contract."""
    return Keras2Recurrent(units=units, input_dim=input_dim, stateful=stateful,
                           batch_size=batch_size, seed=seed, cell="gru", layers=layers)


def make_simple_rnn(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
    """A Keras 2 SimpleRNN (``layers`` stacked) seen through the contract."""
    return Keras2Recurrent(units=units, input_dim=input_dim, stateful=stateful,
                           batch_size=batch_size, seed=seed, cell="simple_rnn", layers=layers)


def make_classifier(*, units, input_dim, n_classes, stateful, batch_size=None, seed=0,
                    learning_rate=0.001, cell="lstm"):
    """A compiled Keras 2 LSTM (GRU, SimpleRNN: ``cell``) -> Dense softmax classifier seen through
    the classifier contract."""
    return Keras2Classifier(units=units, input_dim=input_dim, n_classes=n_classes,
                            stateful=stateful, batch_size=batch_size, seed=seed,
                            learning_rate=learning_rate, cell=cell)


def make_sequence_model(*, vocab_size, embedding_dim, units, stateful, batch_size=None, seed=0,
                        learning_rate=0.001, cell="lstm"):
    """A compiled Keras 2 Embedding -> LSTM (GRU, SimpleRNN: ``cell``) -> per-timestep Dense
    softmax model seen through the sequence-model contract."""
    return Keras2SequenceModel(vocab_size=vocab_size, embedding_dim=embedding_dim, units=units,
                               stateful=stateful, batch_size=batch_size, seed=seed,
                               learning_rate=learning_rate, cell=cell)
