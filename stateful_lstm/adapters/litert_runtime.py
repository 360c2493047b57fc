"""LiteRT (the ``litert`` alias): the contract's layers as Keras 3 layers converted by the TFLite
converter and run by the LiteRT interpreter (``ai-edge-litert``), the carried state held by the
interpreter in resource variables.

Each layer is Keras 3's own (``LSTM``, ``GRU``, ``SimpleRNN`` on TensorFlow), traced in a
``tf.Module`` whose signatures the converter turns into one ``.tflite`` model: a stateful layer's
state is the module's variables (``h``, ``c``), read as the layer's initial state and assigned its
final state, which the converter keeps as resource variables (``experimental_enable_resource_
variables``), as it does a stateful Keras model's. Signatures: ``predict`` (``x``),
``predict_masked`` (``x`` and a bool ``mask``, Keras' ``layer(x, mask=mask)``), and for a stateful
layer ``get_states`` and ``set_states``. ``reset_states`` is the interpreter's
``reset_all_variables()``. A stateless layer starts from Keras' zeros at every ``invoke``. The time
axis is dynamic (the signature runner resizes the inputs); the batch is static, as the converter
needs it (the loop's tensor list), so a stateless layer converts once per batch size it is called
with.

Weights. Converting costs 0.3-1 s on this project's 2 cores, and the converter freezes the
variables it only reads, so the weights are signature inputs (Keras' own ``stateless_call`` runs
the layer with them) and one converted model serves every layer of the same cell, sizes and
batch (``COMPILES_PER_SHAPE``); the processes of a ``python -m spec`` run share what they
converted (``shared_between_processes``). Keras 3's arrays are the contract's, unchanged.

``step_model`` gives the stream pool (clause 23) a ``step`` signature with the state explicit and
any batch size: one converted model, an interpreter per thread (an interpreter is not
thread-safe). Nothing else is added around LiteRT: its errors and results reach the caller
unchanged.
"""
import functools

import numpy as np

from .. import LAYERS, validation
from ..cells import CELLS
from ..litert_export import convert, keras_layer, run_layer
from ..litert_session import interpreter
from .common import PerThread, configure, known_deviations, shared_between_processes, version

REQUIRES = ("tensorflow", "keras", "ai_edge_litert")
INSTALL_HINT = " (pip install 'stateful-lstm-spec[litert]')"
MASKS = "any"                  # a bool mask input passed to the Keras layer's call
COMPILES_PER_SHAPE = True      # one converted model per cell, sizes and batch
KNOWN_DEVIATIONS = known_deviations(__name__)     # known_deviations.toml
WEIGHTS = ("kernel", "recurrent_kernel", "bias")


def describe():
    return (f"LiteRT {version('ai-edge-litert')} interpreter, TensorFlow {version('tensorflow')} "
            f"converter, Keras {version('keras')} layers (state in resource variables)")


@functools.cache
def converted(cell, input_dim, units, batch, stateful, explicit=False):
    """``convert_layer``'s model, converted once in a ``python -m spec`` run: each of the run's
    processes reads back what another converted (the same bytes)."""
    key = (cell, input_dim, units, batch, stateful, explicit)
    return shared_between_processes("litert", key, lambda: convert_layer(*key))


def convert_layer(cell, input_dim, units, batch, stateful, explicit=False):
    """The ``.tflite`` model (bytes) of ``cell``'s Keras layer on ``(batch, T, input_dim)``
    inputs, its weights signature inputs. A stateful layer keeps its state in variables;
    ``explicit``: a ``step`` signature takes and returns the state instead."""
    import tensorflow as tf
    names = CELLS[cell].states
    layer = keras_layer(cell, units, input_dim, batch)
    weights = [tf.TensorSpec(s, tf.float32, n)
               for n, s in zip(WEIGHTS, CELLS[cell].weight_shapes(input_dim, units))]
    x_spec = tf.TensorSpec([batch, None, input_dim], tf.float32, "x")
    mask_spec = tf.TensorSpec([batch, None], tf.bool, "mask")
    state_specs = [tf.TensorSpec([batch, units], tf.float32, n) for n in names]
    module = tf.Module()
    if explicit:
        @tf.function(input_signature=[x_spec, *state_specs, *weights])
        def step(x, *args):
            y, final = run_layer(layer, x, args[len(names):], list(args[:len(names)]))
            return {"y": y, **{f"{n}_next": s for n, s in zip(names, final)}}
        return convert(module, [step])
    module.state = [tf.Variable(tf.zeros([batch, units]), name=n) for n in names] \
        if stateful else None

    def carried(x, mask, weights):
        y, final = run_layer(layer, x, weights, module.state, mask)
        for variable, value in zip(module.state or (), final):
            variable.assign(value)
        return {"y": y}

    @tf.function(input_signature=[x_spec, *weights])
    def predict(x, *weights):
        return carried(x, None, weights)

    @tf.function(input_signature=[x_spec, mask_spec, *weights])
    def predict_masked(x, mask, *weights):
        return carried(x, mask, weights)

    if not stateful:
        return convert(module, [predict, predict_masked])

    @tf.function(input_signature=[])
    def get_states():
        return {n: tf.identity(v) for n, v in zip(names, module.state)}

    @tf.function(input_signature=state_specs)
    def set_states(*states):
        for variable, value in zip(module.state, states):
            variable.assign(value)
        return get_states()

    @tf.function(input_signature=[])
    def reset_states():
        return set_states(*(tf.zeros_like(v) for v in module.state))
    return convert(module, [predict, predict_masked, get_states, set_states, reset_states])


class LiteRTRecurrent:
    """A layer of ``cell`` run by a LiteRT interpreter, which holds a stateful layer's state in
    resource variables (``get_states``/``set_states`` signatures, ``reset_all_variables``)."""

    def __init__(self, *, units, input_dim, stateful, batch_size=None, seed=0, cell="lstm"):
        configure(self, units=units, input_dim=input_dim, stateful=stateful,
                  batch_size=batch_size, seed=seed)
        self.cell = cell
        self.set_weights(LAYERS[cell].initial_weights(input_dim, units, seed))
        self._interpreters = {}     # batch -> interpreter (a stateful layer's: its batch_size)
        if stateful:
            self._interpreter(batch_size)

    def _interpreter(self, batch):
        if batch not in self._interpreters:
            self._interpreters[batch] = interpreter(converted(
                self.cell, self.input_dim, self.units, batch, self.stateful))
        return self._interpreters[batch]

    def _signature(self, name, batch=None):
        """The signature runner ``name`` of the interpreter for ``batch`` (a stateful layer's:
        its own)."""
        return self._interpreter(self.batch_size if self.stateful else batch) \
            .get_signature_runner(name)

    def predict_on_batch(self, x, mask=None):
        x, weights = np.asarray(x), dict(zip(WEIGHTS, self._weights))
        batch = len(x) if x.ndim else None
        if mask is None:
            return self._signature("predict", batch)(x=x, **weights)["y"]
        return self._signature("predict_masked", batch)(x=x, mask=np.asarray(mask),
                                                        **weights)["y"]

    def reset_states(self):
        if self.stateful:                  # a stateless layer has nothing to reset
            self._signature("reset_states")()

    def get_states(self):
        validation.require_stateful(self, "get_states")
        found = self._signature("get_states")()
        return [np.array(found[n]) for n in CELLS[self.cell].states]

    def set_states(self, states):
        validation.require_stateful(self, "set_states")
        names = CELLS[self.cell].states
        checked = validation.check_states(states, self.batch_size, self.units, finite=False,
                                          count=len(names))
        self._signature("set_states")(**dict(zip(names, checked)))

    def get_weights(self):
        return [w.copy() for w in self._weights]

    def set_weights(self, weights):
        self._weights = validation.check_weights(weights, self.input_dim, self.units,
                                                 finite=False, cell=self.cell)


class StepModel:
    """The stream pool's step model of a layer (``stream_pool``): the ``step`` signature, state
    explicit; a converted model per batch size, an interpreter per thread and batch size."""

    dtype = np.float32

    def __init__(self, layer):
        self.cell, self.units = layer.cell, layer.units
        self.states, self.step_shape = CELLS[self.cell].states, (layer.input_dim,)
        self.input_dim, self._weights = layer.input_dim, dict(zip(WEIGHTS, layer.get_weights()))
        self._interpreters = PerThread(dict)       # batch -> this thread's interpreter

    def run(self, x, *state):
        x, interpreters = np.asarray(x), self._interpreters.get()
        if len(x) not in interpreters:
            interpreters[len(x)] = interpreter(converted(
                self.cell, self.input_dim, self.units, len(x), True, explicit=True))
        step = interpreters[len(x)].get_signature_runner()       # its one signature
        outputs = step(x=np.asarray(x), **dict(zip(self.states, state)), **self._weights)
        return [np.array(outputs[name]) for name in ("y", *(f"{n}_next" for n in self.states))]


def step_model(model):
    """The stream pool's step model of ``model`` (this adapter's layer of any cell)."""
    return StepModel(model)


def make_lstm(*, units, input_dim, stateful, batch_size=None, seed=0):
    """A Keras 3 LSTM converted to LiteRT, its state in resource variables (``spec/SPEC.md``)."""
    return LiteRTRecurrent(units=units, input_dim=input_dim, stateful=stateful,
                           batch_size=batch_size, seed=seed)


def make_gru(*, units, input_dim, stateful, batch_size=None, seed=0):
    """A Keras 3 GRU (``reset_after``) converted to LiteRT, its state in resource variables."""
    return LiteRTRecurrent(units=units, input_dim=input_dim, stateful=stateful,
                           batch_size=batch_size, seed=seed, cell="gru")


def make_simple_rnn(*, units, input_dim, stateful, batch_size=None, seed=0):
    """A Keras 3 SimpleRNN (tanh) converted to LiteRT, its state in resource variables."""
    return LiteRTRecurrent(units=units, input_dim=input_dim, stateful=stateful,
                           batch_size=batch_size, seed=seed, cell="simple_rnn")
