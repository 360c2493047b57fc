"""ONNX Runtime (the ``onnxruntime`` alias): the contract's LSTM as an ONNX graph with the standard
``LSTM`` operator, run by ``onnxruntime.InferenceSession``.

ONNX has no stateful mode: a session keeps nothing between runs. The graph takes the carried
state as ``h``, ``c`` inputs (the operator's ``initial_h``, ``initial_c``) and returns the new one
(``Y_h``, ``Y_c``), which the adapter feeds into the next run (``held_state.HeldState``), as users
of exported stateful models do; a stateless model's graph has no state inputs, so the operator
starts from its default, zeros. The GRU is the ``GRU`` operator (``linear_before_reset=1``), the
SimpleRNN the ``RNN`` operator, fed back the same way with ``h`` alone. The graph is
``stateful_lstm.export.layer_model``: a stateful
model's has the batch size fixed (ONNX Runtime checks it), a stateless one's any batch size;
``T`` is symbolic. A right-padded mask goes in as the operator's ``sequence_lens`` (a length per
row). Nothing else is added: ONNX Runtime's errors and results reach the caller unchanged.

Weights. ``set_weights`` builds the graph with Keras' arrays mapped to the operator's ``W, R, B``
(gate order i, o, f, c; ``B = [Wb, Rb]``, Rb zero) and a new session (about 1 ms);
``get_weights`` reads them back from the graph's initializers (the bias as ``Wb + Rb``).
A new model's weights are the reference's initialisation for its seed (an ONNX model has no
initialiser of its own). ONNX Runtime cannot train, so there is no classifier or sequence model
(clauses 8-11, 13-15, 17, 18 are n/a); the exported copies of every implementation's trained
models are clause 20's.
"""
import numpy as np

from .. import LAYERS, validation
from .common import configure, known_deviations, version
from .held_state import HeldState

REQUIRES = ("onnxruntime", "onnx")
INSTALL_HINT = " (pip install 'stateful-lstm-spec[onnx]')"
# sequence_lens knows a length per row: a mask must be right-padded (the adapter refuses any
# other, which lengths could not express).
MASKS = "right-padded"
KNOWN_DEVIATIONS = known_deviations(__name__)     # known_deviations.toml


def describe():
    return (f"ONNX Runtime {version('onnxruntime')} (the ONNX LSTM operator, onnx "
            f"{version('onnx')}; state carried by the adapter as initial_h/initial_c)")


class OnnxRuntimeRecurrent(HeldState):
    """An ONNX ``LSTM`` graph (``GRU``, ``RNN``: ``cell``; a stack: one operator per layer, each
    reading the one below's ``Y``) run by an ``InferenceSession``, its ``Y_h`` (and ``Y_c``)
    fed back in as ``initial_h`` (and ``initial_c``)."""

    def __init__(self, *, units, input_dim, stateful, batch_size=None, seed=0, cell="lstm",
                 layers=1):
        configure(self, units=units, input_dim=input_dim, stateful=stateful,
                  batch_size=batch_size, seed=seed, cell=cell, layers=layers)
        self._build([w for k in range(layers) for w in LAYERS[cell].initial_weights(
            input_dim if k == 0 else units, units, seed + k)])       # the reference's
        self.reset_states()

    def _build(self, weights):
        """The graphs for ``weights`` (without and, on first use, with ``lengths``)."""
        from ..export import layer_model
        from ..step_session import StepSession
        batch = self.batch_size if self.stateful else None

        def graph(lengths):
            return layer_model(weights, cell=self.cell, batch_size=batch, state=self.stateful,
                               lengths=lengths)
        self._graph = graph(False)
        self._sessions = {False: StepSession(self._graph)}
        self._with_lengths = lambda: StepSession(graph(True))

    def predict_on_batch(self, x, mask=None):
        lengths = validation.right_padded_lengths("predict_on_batch", mask)
        masked = lengths is not None
        if masked not in self._sessions:
            self._sessions[masked] = self._with_lengths()
        carried = self._held if self.stateful else ()      # a stateless graph takes no state
        y, *final = self._sessions[masked].run(np.asarray(x), *carried, lengths=lengths)
        if final:
            self.keep(*final)
        return y

    def get_weights(self):
        from ..export import initializers, keras_weights
        found = initializers(self._graph)
        suffixes = [""] if self.layers == 1 else [f"_{k}" for k in range(self.layers)]
        return [w for s in suffixes
                for w in keras_weights(self.cell, found["W" + s], found["R" + s], found["B" + s])]

    def set_weights(self, weights):
        self._build(validation.check_weights(weights, self.input_dim, self.units, finite=False,
                                             cell=self.cell, layers=self.layers))


def step_model(model):
    """The stream pool's step model of ``model`` (any cell): its graph exported with any batch
    size (``export.to_onnx(model, batch_size=None)``), run by one ``InferenceSession`` that
    every thread may call (``step_session.StepSession``)."""
    from ..export import to_onnx
    from ..step_session import StepSession
    return StepSession(to_onnx(model, batch_size=None))


def make_lstm(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
    """An ONNX LSTM graph (one operator per layer of a stack) run by ONNX Runtime, seen through
    the contract (``spec/SPEC.md``)."""
    return OnnxRuntimeRecurrent(units=units, input_dim=input_dim, stateful=stateful,
                                batch_size=batch_size, seed=seed, layers=layers)


def make_gru(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
    """An ONNX GRU graph (``linear_before_reset=1``; one operator per layer of a stack) run by
    ONNX Runtime, seen through the contract."""
    return OnnxRuntimeRecurrent(units=units, input_dim=input_dim, stateful=stateful,
                                batch_size=batch_size, seed=seed, cell="gru", layers=layers)


def make_simple_rnn(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
    """An ONNX RNN graph (tanh; one operator per layer of a stack) run by ONNX Runtime, seen
    through the contract."""
    return OnnxRuntimeRecurrent(units=units, input_dim=input_dim, stateful=stateful,
                                batch_size=batch_size, seed=seed, cell="simple_rnn",
                                layers=layers)
