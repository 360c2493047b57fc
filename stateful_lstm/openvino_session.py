"""Running an exported step model as OpenVINO IR (``export.export(model, "copy.xml")``), with
OpenVINO and numpy alone: what ``python -m stateful_lstm generate copy.xml`` runs.

    session = OpenVINOSession("copy.xml")
    p, h, c = session.run(tokens, h, c)     # state explicit: feed h, c back in
    p, = session.run(tokens)                # state inside the model: the request carries it

The interface is ``step_session.StepSession``'s (``run``, ``input_names``, ``states``, ``units``,
``step_shape``, ``dtype``, ``batch_size``, ``metadata()``), so that ``ExportedCopy`` and the
stream pool run either. A model whose state is explicit gives each thread its own infer request
(a request holds one call's tensors); a model whose state is inside it (``ReadValue``/``Assign``
variables, ``export(..., state="internal")``) is one stream, carried by its one request
(``reset_state()`` resets it). OpenVINO's errors reach the caller unchanged.
"""
import numpy as np

from .adapters.common import PerThread

INSTALL_HINT = "pip install 'stateful-lstm-spec[openvino]'"
METADATA_PATH = "stateful_lstm_metadata"     # the rt_info section export writes its metadata to
# The contract computes in float32; on a CPU with native bf16 (AVX512_BF16, AMX) the CPU plugin's
# documented default is to compute an f32 model in bf16, about 1e-2 off from the first step
# (repros/openvino_cpu_computes_in_bf16_by_default.py), so every model is compiled with f32.
CPU_CONFIG = {"INFERENCE_PRECISION_HINT": "f32"}


def openvino():
    try:
        import openvino as module
    except ImportError as error:
        raise ImportError(f"running an OpenVINO model needs openvino ({INSTALL_HINT})") from error
    return module


def dimension(d):
    """A static dimension as an int, a dynamic one as None."""
    return None if d.is_dynamic else d.get_length()


class OpenVINOSession:
    """An OpenVINO model of an exported step model, compiled for the CPU (``model``: the path of
    an IR ``.xml`` file, or an ``openvino.Model``), in float32 (``CPU_CONFIG``)."""

    def __init__(self, model):
        ov = openvino()
        core = ov.Core()
        self.model = core.read_model(str(model)) if not isinstance(model, ov.Model) else model
        self.compiled = core.compile_model(self.model, "CPU", CPU_CONFIG)
        inputs = self.compiled.inputs
        self.input_names = [i.get_any_name() for i in inputs]
        self.states = tuple(self.input_names[1:])      # h (, c): a stack's h_0, c_0, h_1, ...
        shapes = {i.get_any_name(): i.get_partial_shape() for i in inputs}
        self.units = dimension(shapes[self.states[0]][1]) if self.states else None
        first = shapes[self.input_names[0]]
        self.step_shape = tuple(dimension(d) for d in list(first)[2:])
        self.batch_size = dimension(first[0])
        self.dtype = (np.int64 if inputs[0].get_element_type() == ov.Type.i64 else np.float32)
        self.internal = bool(self.compiled.create_infer_request().query_state())
        self._request = self.compiled.create_infer_request() if self.internal else None
        self._requests = PerThread(self.compiled.create_infer_request)

    def request(self):
        """The request of this thread (explicit state), or the model's one (internal state)."""
        return self._request if self.internal else self._requests.get()

    def run(self, x, *state):
        feeds = {self.input_names[0]: x, **dict(zip(self.states, state))}
        outputs = self.request().infer(feeds)
        return [np.array(outputs[o]) for o in self.compiled.outputs]

    def reset_state(self):
        """Reset the state inside the model (its request's variables) to its initial zeros."""
        self._request.reset_state()

    def metadata(self):
        """The metadata ``export`` kept in the model's ``rt_info`` (JSON strings by key)."""
        if not self.model.has_rt_info([METADATA_PATH]):
            return {}
        return {key: value.astype(str) for key, value in
                self.model.get_rt_info([METADATA_PATH]).astype(dict).items()}
