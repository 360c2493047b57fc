"""The Keras 3 (TensorFlow backend) implementation of the contract: a thin adapter, no semantics.

``predict_on_batch`` is Keras' ``Model.predict_on_batch`` on ``Input(batch_size=B, shape=(None, F))``
followed by ``LSTM(units, stateful=..., return_sequences=True)``; ``reset_states`` is the layer's
``reset_states()``; the carried state is the layer's ``states`` variables. Keras' own errors reach
the caller unchanged, so the spec sees what Keras really does. The only checks added here are the
count and shapes of the arrays given to ``set_states`` (a method Keras lacks) and ``set_weights``,
so that a refused call changes nothing; unlike the reference's, they accept NaN and infinity, as
Keras does.

Building a Keras model and tracing its predict function costs about 0.2 s, so built models are kept
in a pool per (units, input_dim, batch_size, stateful) and handed out again, with fresh weights and
zero state, once the wrapper that used one is garbage collected. TensorFlow is imported on the first
``make_lstm`` call, never by importing this module.
"""
import os
import weakref
from importlib import metadata

import numpy as np

from . import checks

# The modules this implementation needs: without them the spec reports it as "not installed".
REQUIRES = ("tensorflow", "keras")
INSTALL_HINT = " (pip install 'stateful-lstm-spec[keras]')"

# Where Keras breaks the spec (found by it). The spec runs these tests as strict expected failures
# of a spec assertion, so they are reported, and turn into errors once a Keras release fixes them.
KNOWN_DEVIATIONS = {
    "test_batch_of_one_row_is_refused_by_a_larger_model":
        "a stateful LSTM built for batch_size B > 1 accepts a batch of 1 row through "
        "predict_on_batch once the model has been called before: it broadcasts that row over all "
        "B carried states, returns (B, T, units) and moves the state (other wrong batch sizes "
        "raise). Keras 3.15.1, TensorFlow 2.21. Upstream: keras-team/keras#21183 (open). Its fix "
        "in Keras 3.12, keras-team/keras#21742, checks the batch size only when it is known at "
        "trace time (RNN.call: `actual_batch_size is not None`), and predict_on_batch's "
        "tf.function (reduce_retracing=True) retraces a new input shape with the batch dimension "
        "relaxed to None. Repro: repros/keras_stateful_broadcasts_one_row.py",
}

_free_models = {}      # (builder, *sizes) -> built Keras models not in use
_seeded_weights = {}   # (input_dim, units, seed) -> initial weights drawn by Keras' initializers


def keras():
    """The ``keras`` module on the TensorFlow backend; refuses any other backend."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")     # TensorFlow's start-up chatter
    backend = os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if backend != "tensorflow":
        raise RuntimeError(f"stateful_lstm.keras_lstm runs Keras on the TensorFlow backend; "
                           f"KERAS_BACKEND is {backend!r}. Unset it or set it to 'tensorflow' "
                           f"before keras is first imported.")
    import keras as keras_module
    if keras_module.backend.backend() != "tensorflow":
        raise RuntimeError(f"keras was already imported with the {keras_module.backend.backend()!r} "
                           f"backend; stateful_lstm.keras_lstm needs 'tensorflow'")
    return keras_module


def describe():
    """One line naming Keras and TensorFlow versions, read without importing them."""
    def version(*names):
        for name in names:
            try:
                return metadata.version(name)
            except metadata.PackageNotFoundError:
                pass
        return "not installed"
    return (f"Keras {version('keras')} on TensorFlow "
            f"{version('tensorflow', 'tensorflow-cpu')} (predict_on_batch of a keras.Model)")


def _build(units, input_dim, batch_size, stateful):
    k = keras()
    inputs = k.Input(batch_size=batch_size, shape=(None, input_dim))
    outputs = k.layers.LSTM(units, stateful=stateful, return_sequences=True)(inputs)
    return k.Model(inputs, outputs)


def _initial_weights(input_dim, units, seed):
    """Keras' default LSTM initialisation drawn from ``seed`` (kept, as it costs a few ms)."""
    key = (input_dim, units, seed)
    if key not in _seeded_weights:
        init = keras().initializers
        bias = np.zeros(4 * units, np.float32)
        bias[units:2 * units] = 1.0          # unit_forget_bias=True
        _seeded_weights[key] = [
            np.asarray(init.GlorotUniform(seed=seed)((input_dim, 4 * units)), np.float32),
            np.asarray(init.Orthogonal(seed=seed)((units, 4 * units)), np.float32),
            bias]
    return _seeded_weights[key]


def _checkout(owner, build, *key):
    """A built Keras model for ``key`` that no live wrapper uses (built by ``build(*key)`` if the
    pool has none); it returns to the pool when ``owner`` is garbage collected."""
    free = _free_models.setdefault((build.__name__, *key), [])
    model = free.pop() if free else build(*key)
    weakref.finalize(owner, free.append, model)
    return model


class _KerasModel:
    """What the LSTM and the classifier share: a Keras ``model`` whose LSTM ``layer`` holds the
    carried state."""

    def predict_on_batch(self, x):
        return self.model.predict_on_batch(x)

    def reset_states(self):
        self.layer.reset_states()

    def get_states(self):
        checks.require_stateful(self, "get_states")
        return [v.numpy().copy() for v in self.layer.states]

    def set_states(self, states):
        checks.require_stateful(self, "set_states")
        for variable, value in zip(self.layer.states,
                                   checks.check_states(states, self.batch_size, self.units,
                                                       finite=False)):
            variable.assign(value)


class KerasLSTM(_KerasModel):
    """One Keras LSTM model seen through the contract of ``spec/SPEC.md``."""

    def __init__(self, *, units, input_dim, stateful, batch_size=None, seed=0):
        checks.check_config(units=units, input_dim=input_dim, stateful=stateful,
                            batch_size=batch_size, seed=seed)
        self.units, self.input_dim = units, input_dim
        self.stateful, self.batch_size = stateful, batch_size
        self.model = _checkout(self, _build, units, input_dim, batch_size, stateful)
        self.layer = self.model.layers[-1]
        self.layer.set_weights(_initial_weights(input_dim, units, seed))
        self.layer.reset_states()

    def get_weights(self):
        return [w.copy() for w in self.layer.get_weights()]

    def set_weights(self, weights):
        self.layer.set_weights(checks.check_weights(weights, self.input_dim, self.units,
                                                     finite=False))


def make_lstm(*, units, input_dim, stateful, batch_size=None, seed=0):
    """A Keras LSTM satisfying the contract (see ``spec/SPEC.md``)."""
    return KerasLSTM(units=units, input_dim=input_dim, stateful=stateful, batch_size=batch_size,
                     seed=seed)


def _build_classifier(units, input_dim, n_classes, batch_size, stateful, learning_rate):
    k = keras()
    inputs = k.Input(batch_size=batch_size, shape=(None, input_dim))
    h = k.layers.LSTM(units, stateful=stateful)(inputs)
    model = k.Model(inputs, k.layers.Dense(n_classes, activation="softmax")(h))
    model.compile(optimizer=k.optimizers.Adam(learning_rate), loss="categorical_crossentropy")
    # Create Adam's moment variables now (Keras' own symbolic build does so under a distribution
    # strategy): created inside the first traced train step, they make TensorFlow trace it twice.
    model.optimizer.build(model.trainable_variables)
    return model


class KerasClassifier(_KerasModel):
    """A compiled Keras model, LSTM -> Dense softmax, seen through the classifier contract:
    ``train_on_batch`` is Keras' own (categorical cross-entropy, Adam)."""

    def __init__(self, *, units, input_dim, n_classes, stateful, batch_size=None, seed=0,
                 learning_rate=0.001):
        checks.check_config(units=units, input_dim=input_dim, stateful=stateful,
                            batch_size=batch_size, seed=seed)
        checks.check_classifier_config(n_classes=n_classes, learning_rate=learning_rate)
        self.units, self.input_dim, self.n_classes = units, input_dim, n_classes
        self.stateful, self.batch_size = stateful, batch_size
        self.model = _checkout(self, _build_classifier, units, input_dim, n_classes, batch_size,
                               stateful, learning_rate)
        self.layer = self.model.layers[1]
        dense_kernel = keras().initializers.GlorotUniform(seed=seed)((units, n_classes))
        self.model.set_weights(_initial_weights(input_dim, units, seed) + [
            np.asarray(dense_kernel, np.float32), np.zeros(n_classes, np.float32)])
        for variable in self.model.optimizer.variables:   # a fresh optimizer: step 0, no moments
            if variable.name != "learning_rate":
                variable.assign(np.zeros(variable.shape, variable.dtype))
        self.layer.reset_states()

    def train_on_batch(self, x, y):
        return float(self.model.train_on_batch(x, y))

    def get_weights(self):
        return [w.copy() for w in self.model.get_weights()]

    def set_weights(self, weights):
        self.model.set_weights(checks.check_classifier_weights(
            weights, self.input_dim, self.units, self.n_classes, finite=False))


def make_classifier(*, units, input_dim, n_classes, stateful, batch_size=None, seed=0,
                    learning_rate=0.001):
    """A compiled Keras LSTM -> Dense softmax classifier satisfying the classifier contract."""
    return KerasClassifier(units=units, input_dim=input_dim, n_classes=n_classes,
                           stateful=stateful, batch_size=batch_size, seed=seed,
                           learning_rate=learning_rate)
