"""OpenVINO (the ``openvino`` alias): the contract's layers as OpenVINO stateful models, the carried
state held by the infer request.

Each layer is OpenVINO's own sequence operator (``LSTMSequence``, ``GRUSequence`` with
``linear_before_reset``, ``RNNSequence``; batch first, one direction) built with its opset, the
state as ``h`` (and ``c``) parameters fed to the operator and its final state as ``h_next``
(``c_next``) results; a stateful layer is then made stateful by OpenVINO's ``MakeStateful``
transformation, which turns each parameter/result pair into a ``ReadValue``/``Assign``
variable. The compiled model's infer request holds the state from one ``infer`` to the next:
``reset_states`` is ``request.reset_state()``, ``get_states``/``set_states`` read and write
``request.query_state()``. A stateless layer's operator starts from zeros built in the graph.
The time axis is dynamic (one compiled model serves every T); the batch is fixed for a stateful
layer (its variables' shape) and dynamic for a stateless one. A right-padded mask goes in as the
operator's ``sequence_lengths`` (every row's T without a mask).

Weights. Compiling costs 0.1-0.3 s on this project's 2 cores, so the weights are parameters
too (fed with every ``infer``), and one compiled model serves every layer of the same cell,
sizes and batch (``COMPILES_PER_SHAPE``: the spec draws sizes from its palette). Keras' arrays
map to the operator's ``W (1, G*u, input_dim)``, ``R (1, G*u, u)`` and ``B``: the LSTM's gate
blocks reordered to OpenVINO's f, i, c, o; the GRU's z, r, h as Keras', ``B = [bz_in + bz_rec,
br_in + br_rec, bh_in, bh_rec]`` (OpenVINO holds the z and r biases as one sum each); the
SimpleRNN's as they are. A new layer's weights are the reference's for its seed.

``step_model`` gives the stream pool (clause 23) the layer's graph with the state explicit (not
made stateful) and any batch size: one compiled model, an infer request per thread (a request
holds one call's tensors). Nothing else is added around OpenVINO: its errors and results reach
the caller unchanged.
"""
import functools

import numpy as np

from .. import LAYERS, validation
from ..cells import CELLS
from ..openvino_session import CPU_CONFIG
from .common import PerThread, configure, known_deviations, version

REQUIRES = ("openvino",)
INSTALL_HINT = " (pip install 'stateful-lstm-spec[openvino]')"
MASKS = "right-padded"             # sequence_lengths: a length per row
COMPILES_PER_SHAPE = True          # one compiled model per cell, sizes and batch
KNOWN_DEVIATIONS = known_deviations(__name__)     # known_deviations.toml
# The CPU plugin's defaults (a single inference thread skips its input checks), but float32 on a
# CPU where its default is bf16 (the contract is float32: ``openvino_session.CPU_CONFIG``).
CONFIG = CPU_CONFIG


def describe():
    return (f"OpenVINO {version('openvino')} (LSTMSequence, GRUSequence, RNNSequence on the CPU "
            f"plugin, inference precision f32; state in the infer request, made stateful by "
            f"MakeStateful)")


@functools.cache
def _core():
    import openvino
    return openvino.Core()


def openvino_weights(cell, kernel, recurrent_kernel, bias):
    """Keras' ``[kernel, recurrent_kernel, bias]`` of ``cell`` as the OpenVINO operator's ``W,
    R, B`` (one direction)."""
    units = recurrent_kernel.shape[0]
    columns = CELLS[cell].columns("openvino", units)
    W, R = (np.ascontiguousarray(np.asarray(a, np.float32)[:, columns].T[None])
            for a in (kernel, recurrent_kernel))
    bias = np.asarray(bias, np.float32)
    if cell == "gru":                     # rows: input, recurrent; blocks z, r, h
        inputs, recurrent = bias
        bias = np.concatenate([inputs[:2 * units] + recurrent[:2 * units],
                               inputs[2 * units:], recurrent[2 * units:]])
    else:
        bias = bias[columns]
    return W, R, np.ascontiguousarray(bias[None])


def _named(output, name):
    output.get_tensor().set_names({name})
    return output


@functools.cache
def compiled(cell, input_dim, units, batch, stateful, explicit=False):
    """The compiled model of ``cell``'s layer: inputs ``x`` (B, T, input_dim), ``lengths``
    (B,) int32, ``W``, ``R``, ``B``; output ``y`` (B, T, units). ``batch`` None: any.
    A stateful layer's state is ``h`` (and ``c``) in, ``h_next`` (``c_next``) out, made
    request variables by ``MakeStateful`` unless ``explicit`` (the step model's)."""
    import openvino as ov
    from openvino import opset15 as ops
    from openvino import passes
    names, blocks = CELLS[cell].states, len(CELLS[cell].blocks)
    dynamic = -1 if batch is None else batch
    x = ops.parameter(ov.PartialShape([dynamic, -1, input_dim]), np.float32, "x")
    lengths = ops.parameter(ov.PartialShape([dynamic]), np.int32, "lengths")
    bias_width = (blocks + 1) * units if cell == "gru" else blocks * units
    weights = [ops.parameter([1, blocks * units, input_dim], np.float32, "W"),
               ops.parameter([1, blocks * units, units], np.float32, "R"),
               ops.parameter([1, bias_width], np.float32, "B")]
    if stateful:
        state = [ops.parameter([dynamic, units], np.float32, n) for n in names]
        start = [ops.unsqueeze(s, 1) for s in state]
    else:
        state = []
        rows = ops.gather(ops.shape_of(x), [0], 0)
        zeros = ops.broadcast(np.float32(0), ops.concat([rows, np.array([1, units])], 0))
        start = [zeros] * len(names)
    operator = getattr(ops, CELLS[cell].layers["openvino"].replace("Sequence", "").lower()
                       + "_sequence")
    extra = {"linear_before_reset": True} if cell == "gru" else {}
    sequence = operator(x, *start, lengths, *weights, units, "forward", **extra)
    results = [ops.result(_named(ops.squeeze(sequence.output(0), [1]).output(0), "y"))]
    results += [ops.result(_named(ops.squeeze(sequence.output(1 + k), [1]).output(0),
                                  f"{n}_next")) for k, n in enumerate(names) if stateful]
    for p, name in zip([x, lengths, *weights, *state], ["x", "lengths", "W", "R", "B", *names]):
        _named(p.output(0), name)
    model = ov.Model(results, [x, lengths, *weights, *state], f"stateful_lstm_{cell}")
    if stateful and not explicit:
        manager = passes.Manager()
        manager.register_pass(passes.MakeStateful({n: f"{n}_next" for n in names}))
        manager.run_passes(model)
    return _core().compile_model(model, "CPU", CONFIG)


def _inputs(x, mask, weights):
    """An infer's inputs: ``x`` as given, its lengths (every row's T without a mask), the
    weights in OpenVINO's layout."""
    x = np.asarray(x)
    lengths = validation.right_padded_lengths("predict_on_batch", mask)
    if lengths is None:
        lengths = np.full(x.shape[:1], x.shape[1] if x.ndim > 1 else 0, np.int32)
    return {"x": x, "lengths": lengths, **dict(zip("WRB", weights))}


class OpenVINORecurrent:
    """A layer of ``cell`` run by an OpenVINO infer request, which holds a stateful layer's
    state (``query_state``, ``reset_state``)."""

    def __init__(self, *, units, input_dim, stateful, batch_size=None, seed=0, cell="lstm"):
        configure(self, units=units, input_dim=input_dim, stateful=stateful,
                  batch_size=batch_size, seed=seed)
        self.cell = cell
        self.set_weights(LAYERS[cell].initial_weights(input_dim, units, seed))
        model = compiled(cell, input_dim, units, batch_size if stateful else None, stateful)
        self._request = model.create_infer_request()

    def predict_on_batch(self, x, mask=None):
        outputs = self._request.infer(_inputs(x, mask, self._openvino))
        return np.array(outputs["y"])

    def _variables(self):
        """The request's state variables in the cell's order (``h``, ``c``)."""
        validation.require_stateful(self, "the carried state")
        found = {v.name: v for v in self._request.query_state()}
        return [found[f"{n}{n}_next"] for n in CELLS[self.cell].states]

    def reset_states(self):
        self._request.reset_state()

    def get_states(self):
        return [np.array(v.state.data) for v in self._variables()]

    def set_states(self, states):
        import openvino as ov
        variables = self._variables()
        checked = validation.check_states(states, self.batch_size, self.units, finite=False,
                                          count=len(variables))
        for variable, value in zip(variables, checked):
            variable.state = ov.Tensor(value)

    def get_weights(self):
        return [w.copy() for w in self._weights]

    def set_weights(self, weights):
        self._weights = validation.check_weights(weights, self.input_dim, self.units,
                                                 finite=False, cell=self.cell)
        self._openvino = openvino_weights(self.cell, *self._weights)


class StepModel:
    """The stream pool's step model of a layer (``stream_pool``): its graph with the state
    explicit and any batch size, one compiled model, an infer request per thread."""

    dtype = np.float32

    def __init__(self, layer):
        self.cell, self.units = layer.cell, layer.units
        self.states, self.step_shape = CELLS[self.cell].states, (layer.input_dim,)
        self._weights = openvino_weights(self.cell, *layer.get_weights())
        model = compiled(self.cell, layer.input_dim, layer.units, None, True, explicit=True)
        self._requests = PerThread(model.create_infer_request)

    def run(self, x, *state):
        outputs = self._requests.get().infer({**_inputs(x, None, self._weights), **dict(zip(self.states,
                                                                                state))})
        return [np.array(outputs[name]) for name in ("y", *(f"{n}_next" for n in self.states))]


def step_model(model):
    """The stream pool's step model of ``model`` (this adapter's layer of any cell)."""
    return StepModel(model)


def make_lstm(*, units, input_dim, stateful, batch_size=None, seed=0):
    """An OpenVINO LSTMSequence layer, its state in the infer request (``spec/SPEC.md``)."""
    return OpenVINORecurrent(units=units, input_dim=input_dim, stateful=stateful,
                             batch_size=batch_size, seed=seed)


def make_gru(*, units, input_dim, stateful, batch_size=None, seed=0):
    """An OpenVINO GRUSequence layer (``linear_before_reset``), its state in the request."""
    return OpenVINORecurrent(units=units, input_dim=input_dim, stateful=stateful,
                             batch_size=batch_size, seed=seed, cell="gru")


def make_simple_rnn(*, units, input_dim, stateful, batch_size=None, seed=0):
    """An OpenVINO RNNSequence layer (tanh), its state in the request."""
    return OpenVINORecurrent(units=units, input_dim=input_dim, stateful=stateful,
                             batch_size=batch_size, seed=seed, cell="simple_rnn")
