"""Keras 3, on whichever backend a process chose: the adapter the ``keras`` (TensorFlow) and
``keras-jax`` aliases share. A thin adapter, no semantics.

``predict_on_batch`` is Keras' ``Model.predict_on_batch`` on ``Input(batch_size=B, shape=(None, F))``
followed by ``LSTM(units, stateful=..., return_sequences=True)`` (``GRU``, ``SimpleRNN`` for the
other cells, Keras' defaults: the GRU's ``reset_after=True``; a stack: ``layers`` of them, one
after another); ``reset_states`` is each layer's ``reset_states()`` (Keras 3's ``Model`` has
none: its users reset each stateful layer); the carried state is the layers' ``states``
variables, bottom layer first. A call with a mask goes
to a functional model on the same layers with a mask input, ``LSTM(...)(x, mask=mask)``
(``keras_pool.masked_companion``). Keras' own errors and
outputs reach the caller unchanged, so the spec sees what Keras really does. The only checks added
here are the count and shapes of the arrays given to ``set_states`` (a method Keras lacks) and
``set_weights``, so that a refused call changes nothing; unlike the reference's, they accept NaN
and infinity, as Keras does.

Keras reads ``KERAS_BACKEND`` once, when it is first imported, so one process runs one backend:
``python -m spec`` runs every implementation in its own processes. Built models are kept in a pool
per (units, input_dim, batch_size, stateful) and handed out again, with fresh weights and zero
state, once the wrapper that used one is garbage collected. Keras is imported on the first
``make_*`` call, never by importing this module.
"""
import os
import sys

import numpy as np

from .. import validation
from ..cells import CELLS
from .common import configure, configure_sequence, keras_initial_weights, version
from .keras_pool import PooledKerasModel, PooledTokenModel, PooledTrainedModel, read_states

_seeded_weights = {}   # (cell, input_dim, units, seed) -> initial weights drawn by Keras
BACKEND_PACKAGES = {"tensorflow": ("tensorflow", "tensorflow-cpu"), "jax": ("jax",)}


def backend_in_use():
    """The backend Keras runs in this process, or None if Keras is not imported (yet)."""
    module = sys.modules.get("keras")
    return module.backend.backend() if module is not None else None


def keras(backend):
    """The ``keras`` module on ``backend``; refuses a process whose Keras runs another backend."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")     # TensorFlow's start-up chatter
    chosen = os.environ.setdefault("KERAS_BACKEND", backend)
    if chosen != backend:
        raise RuntimeError(f"this adapter runs Keras on the {backend!r} backend; KERAS_BACKEND is "
                           f"{chosen!r}. Keras reads it once per process: unset it or set it to "
                           f"{backend!r} before keras is first imported (python -m spec runs each "
                           f"implementation in its own processes).")
    import keras as keras_module
    if keras_module.backend.backend() != backend:
        raise RuntimeError(f"keras was already imported with the "
                           f"{keras_module.backend.backend()!r} backend in this process; this "
                           f"adapter needs {backend!r}")
    return keras_module


def describe(backend):
    """One line naming Keras and the backend's versions, read without importing them."""
    return (f"Keras {version('keras')} on {backend} {version(*BACKEND_PACKAGES[backend])} "
            f"(predict_on_batch of a keras.Model)")


def _recurrent_layer(k, cell, units, stateful, return_sequences):
    """Keras' layer of ``cell`` (``LSTM``, ``GRU``, ``SimpleRNN``) with its defaults."""
    return getattr(k.layers, CELLS[cell].layers["keras"])(units, stateful=stateful,
                                                          return_sequences=return_sequences)


def _build(backend, cell, units, input_dim, batch_size, stateful, layers):
    k = keras(backend)
    inputs = k.Input(batch_size=batch_size, shape=(None, input_dim))
    h = inputs
    for _ in range(layers):
        h = _recurrent_layer(k, cell, units, stateful, True)(h)
    return k.Model(inputs, h)


def _initial_weights(backend, input_dim, units, seed, cell="lstm"):
    """Keras' default initialisation of ``cell`` drawn from ``seed`` (kept, as it costs a few
    ms)."""
    key = (cell, input_dim, units, seed)
    if key not in _seeded_weights:
        _seeded_weights[key] = keras_initial_weights(keras(backend).initializers, cell,
                                                     input_dim, units, seed)
    return _seeded_weights[key]


class _KerasModel(PooledKerasModel):
    """What the LSTM and the classifier share: a pooled Keras ``model`` whose LSTM ``layer`` holds
    the carried state."""

    def __init__(self, backend):
        # On JAX a traced step keeps the state it read when traced: never reuse a trace.
        self.REUSES_TRACES = backend == "tensorflow"
        self.keras_module = keras(backend)

    @property
    def recurrent(self):
        """The recurrent layers that carry the state, bottom layer first: ``layer``."""
        return [self.layer]

    def predict_on_batch(self, x, mask=None):
        return self._call("predict_on_batch", x, mask=mask)

    def reset_states(self):
        for layer in self.recurrent:
            layer.reset_states()

    def get_states(self):
        return read_states(self, [v for layer in self.recurrent for v in layer.states])

    def set_states(self, states):
        validation.require_stateful(self, "set_states")
        variables = [v for layer in self.recurrent for v in layer.states]
        checked = validation.check_states(states, self.batch_size, self.units, finite=False,
                                          count=len(variables))
        for variable, value in zip(variables, checked):
            variable.assign(value)


class KerasRecurrent(_KerasModel):
    """One Keras recurrent model (an LSTM, GRU or SimpleRNN layer: ``cell``; ``layers`` of them
    stacked) seen through the contract of ``spec/SPEC.md``. A mask goes to the first layer, and
    Keras propagates it to the others."""

    def __init__(self, backend, *, units, input_dim, stateful, batch_size=None, seed=0,
                 cell="lstm", layers=1):
        super().__init__(backend)
        configure(self, units=units, input_dim=input_dim, stateful=stateful,
                  batch_size=batch_size, seed=seed, cell=cell, layers=layers)
        self._checkout(_build, backend, cell, units, input_dim, batch_size, stateful, layers)
        self.layer = self.model.layers[1]
        for k, layer in enumerate(self.recurrent):      # layer k's initial weights from seed + k
            layer.set_weights(_initial_weights(backend, input_dim if k == 0 else units, units,
                                               seed + k, cell))
        self.reset_states()

    @property
    def recurrent(self):
        return self.model.layers[1:]

    def get_weights(self):
        return [np.array(w) for w in self.model.get_weights()]

    def set_weights(self, weights):
        self.model.set_weights(validation.check_weights(weights, self.input_dim, self.units,
                                                        finite=False, cell=self.cell,
                                                        layers=self.layers))


def _build_classifier(backend, cell, units, input_dim, n_classes, batch_size, stateful):
    k = keras(backend)
    inputs = k.Input(batch_size=batch_size, shape=(None, input_dim))
    h = _recurrent_layer(k, cell, units, stateful, False)(inputs)
    model = k.Model(inputs, k.layers.Dense(n_classes, activation="softmax")(h))
    # The learning rate is a variable of the optimizer, set for each wrapper (_fresh_optimizer):
    # one compiled model per size serves every learning rate.
    model.compile(optimizer=k.optimizers.Adam(), loss="categorical_crossentropy")
    # Create Adam's moment variables now (Keras' own symbolic build does so under a distribution
    # strategy): created inside the first traced train step, they make TensorFlow trace it twice.
    model.optimizer.build(model.trainable_variables)
    return model


class KerasClassifier(PooledTrainedModel, _KerasModel):
    """A compiled Keras model, LSTM (GRU, SimpleRNN: ``cell``) -> Dense softmax, seen through the
    classifier contract: ``train_on_batch`` is Keras' own (categorical cross-entropy, Adam)."""

    def __init__(self, backend, *, units, input_dim, n_classes, stateful, batch_size=None, seed=0,
                 learning_rate=0.001, cell="lstm"):
        configure(self, units=units, input_dim=input_dim, stateful=stateful,
                  batch_size=batch_size, seed=seed, cell=cell, n_classes=n_classes,
                  learning_rate=learning_rate)
        super().__init__(backend)
        self._checkout(_build_classifier, backend, cell, units, input_dim, n_classes, batch_size,
                       stateful)
        self.layer = self.model.layers[1]
        dense_kernel = keras(backend).initializers.GlorotUniform(seed=seed)((units, n_classes))
        self.model.set_weights(_initial_weights(backend, input_dim, units, seed, cell) + [
            np.asarray(dense_kernel, np.float32), np.zeros(n_classes, np.float32)])
        self._fresh_optimizer(learning_rate)
        self.layer.reset_states()

    def _fresh_optimizer(self, learning_rate):
        """A pooled model's optimizer as a new one's with ``learning_rate``: step 0, no
        moments."""
        for variable in self.model.optimizer.variables:
            variable.assign(np.full(variable.shape, learning_rate, variable.dtype)
                            if variable.name == "learning_rate" else
                            np.zeros(variable.shape, variable.dtype))

    def train_on_batch(self, x, y, sample_weight=None, mask=None):
        return float(self._call("train_on_batch", x, y, sample_weight, mask))

    def test_on_batch(self, x, y, sample_weight=None, mask=None):
        return float(self._call("test_on_batch", x, y, sample_weight, mask))

    def get_weights(self):
        return [np.array(w) for w in self.model.get_weights()]

    def set_weights(self, weights):
        self.model.set_weights(validation.check_classifier_weights(
            weights, self.input_dim, self.units, self.n_classes, finite=False, cell=self.cell))


def _build_sequence_model(backend, cell, vocab_size, embedding_dim, units, batch_size, stateful):
    k = keras(backend)
    inputs = k.Input(batch_size=batch_size, shape=(None,), dtype="int32")
    embedded = k.layers.Embedding(vocab_size, embedding_dim)(inputs)
    hs = _recurrent_layer(k, cell, units, stateful, True)(embedded)
    model = k.Model(inputs, k.layers.Dense(vocab_size, activation="softmax")(hs))
    model.compile(optimizer=k.optimizers.Adam(), loss="sparse_categorical_crossentropy")
    model.optimizer.build(model.trainable_variables)      # as in _build_classifier
    return model


class KerasSequenceModel(PooledTokenModel, KerasClassifier):
    """A compiled Keras model, Embedding -> LSTM (GRU, SimpleRNN: ``cell``;
    ``return_sequences=True``) -> Dense softmax (a Dense
    on 3-D input acts at every timestep, as ``TimeDistributed(Dense)`` does), seen through the
    sequence-model contract: ``train_on_batch`` is Keras' own (sparse categorical cross-entropy,
    Adam)."""

    def __init__(self, backend, *, vocab_size, embedding_dim, units, stateful, batch_size=None,
                 seed=0, learning_rate=0.001, cell="lstm"):
        configure_sequence(self, vocab_size=vocab_size, embedding_dim=embedding_dim, units=units,
                           stateful=stateful, batch_size=batch_size, seed=seed,
                           learning_rate=learning_rate, cell=cell)
        _KerasModel.__init__(self, backend)
        self._checkout(_build_sequence_model, backend, cell, vocab_size, embedding_dim, units,
                       batch_size, stateful)
        self.layer = self.model.layers[2]
        init = keras(backend).initializers
        self.model.set_weights(
            [np.asarray(init.RandomUniform(-0.05, 0.05, seed=seed)((vocab_size, embedding_dim)),
                        np.float32)]
            + _initial_weights(backend, embedding_dim, units, seed, cell)
            + [np.asarray(init.GlorotUniform(seed=seed)((units, vocab_size)), np.float32),
               np.zeros(vocab_size, np.float32)])
        self._fresh_optimizer(learning_rate)
        self.layer.reset_states()

    def set_weights(self, weights):
        self.model.set_weights(validation.check_sequence_weights(
            weights, self.vocab_size, self.embedding_dim, self.units, finite=False,
            cell=self.cell))


def factories(backend):
    """``describe``, ``make_lstm``, ``make_gru``, ``make_simple_rnn``, ``make_classifier`` and
    ``make_sequence_model`` of the contract for Keras on ``backend``: what the
    ``keras3_tensorflow`` and ``keras3_jax`` modules export."""
    def describe_():
        return describe(backend)

    def make_lstm(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
        """A Keras LSTM (``layers`` stacked) seen through the contract (see ``spec/SPEC.md``)."""
        return KerasRecurrent(backend, units=units, input_dim=input_dim, stateful=stateful,
                              batch_size=batch_size, seed=seed, layers=layers)

    def make_gru(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
        """A Keras GRU (``reset_after=True``, its default; ``layers`` stacked) seen through the
        contract."""
        return KerasRecurrent(backend, units=units, input_dim=input_dim, stateful=stateful,
                              batch_size=batch_size, seed=seed, cell="gru", layers=layers)

    def make_simple_rnn(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
        """A Keras SimpleRNN (``layers`` stacked) seen through the contract."""
        return KerasRecurrent(backend, units=units, input_dim=input_dim, stateful=stateful,
                              batch_size=batch_size, seed=seed, cell="simple_rnn",
                              layers=layers)

    def make_classifier(*, units, input_dim, n_classes, stateful, batch_size=None, seed=0,
                        learning_rate=0.001, cell="lstm"):
        """A compiled Keras LSTM (GRU, SimpleRNN: ``cell``) -> Dense softmax classifier seen
        through the classifier contract."""
        return KerasClassifier(backend, units=units, input_dim=input_dim, n_classes=n_classes,
                               stateful=stateful, batch_size=batch_size, seed=seed,
                               learning_rate=learning_rate, cell=cell)

    def make_sequence_model(*, vocab_size, embedding_dim, units, stateful, batch_size=None,
                            seed=0, learning_rate=0.001, cell="lstm"):
        """A compiled Keras Embedding -> LSTM (GRU, SimpleRNN: ``cell``) -> per-timestep Dense
        softmax model seen through the sequence-model contract."""
        return KerasSequenceModel(backend, vocab_size=vocab_size, embedding_dim=embedding_dim,
                                  units=units, stateful=stateful, batch_size=batch_size,
                                  seed=seed, learning_rate=learning_rate, cell=cell)

    return describe_, make_lstm, make_gru, make_simple_rnn, make_classifier, make_sequence_model
