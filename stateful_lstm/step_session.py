"""Running an exported step model (``stateful_lstm.export``) with ONNX Runtime, the carried state
threaded through by the caller: what the ``onnxruntime`` implementation, the spec's exported-copy
clause and ``python -m stateful_lstm generate`` share. Needs only numpy and ``onnxruntime`` (an
OpenVINO IR file: ``openvino_session``, numpy and ``openvino``; a ``.tflite`` file:
``litert_session``, numpy and ``ai-edge-litert``).

    session = StepSession(model_bytes)
    y, h, c = session.run(x, h, c)          # feed h, c back in to carry the state

ONNX Runtime is driven as its users drive it: one ``InferenceSession`` per model, its inputs
given by name, nothing checked or fixed around ``run``; its errors reach the caller unchanged.
"""
import json
import os

import numpy as np

INSTALL_HINT = "pip install 'stateful-lstm-spec[onnx]'"
# Metadata keys of an exported sequence model (``export.sequence_model``): JSON strings.
VOCABULARY_KEY = "stateful_lstm.vocabulary"     # its characters, one per token id
PROMPT_KEY = "stateful_lstm.prompt"             # a default prompt (the text's first characters)


def onnxruntime():
    try:
        import onnxruntime as module
    except ImportError as error:
        raise ImportError(f"running an ONNX model needs onnxruntime ({INSTALL_HINT})") from error
    return module


class StepSession:
    """An ``onnxruntime.InferenceSession`` of a step model: ``run`` feeds the model's first input
    (``x`` or ``tokens``) and, where the model takes them, ``lengths`` and the state (``states``:
    ``h``, ``c``; a stack's every layer's, ``h_0``, ``c_0``, ...); it returns the outputs in the
    model's order (the model's output, then ``h_next``, ``c_next``, ...).
    A model with state inputs is a step model of ``stream_pool`` (``units``, ``states``,
    ``step_shape``, ``dtype``, read from its inputs); ONNX Runtime's ``run`` may be called from
    several threads at once, the session keeping nothing between runs.

    One intra-op thread by default: these models are small, and ONNX Runtime's default of a thread
    per core only adds spinning threads where other processes share the cores (as ``pytest -n
    2`` does); ``threads=0`` is ONNX Runtime's default (a server's batched step model)."""

    def __init__(self, model, threads=1):
        """``model``: an ``onnx.ModelProto``, its serialized bytes, or the path of a file."""
        ort = onnxruntime()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        if isinstance(model, (str, os.PathLike)):
            model = str(model)
        elif not isinstance(model, bytes):
            model = model.SerializeToString()
        self.session = ort.InferenceSession(model, options,
                                            providers=["CPUExecutionProvider"])
        inputs = self.session.get_inputs()
        self.input_names = [i.name for i in inputs]
        self.states = tuple(name for name in self.input_names[1:] if name != "lengths")
        self.units = inputs[self.input_names.index(self.states[0])].shape[1] if self.states \
            else None
        self.step_shape = tuple(inputs[0].shape[2:])
        batch = inputs[0].shape[0]                          # an int, or a name (any batch size)
        self.batch_size = batch if isinstance(batch, int) else None
        self.dtype = np.int64 if inputs[0].type == "tensor(int64)" else np.float32

    def run(self, x, *state, lengths=None):
        feeds = {self.input_names[0]: x, **dict(zip(self.states, state))}
        if "lengths" in self.input_names:
            feeds["lengths"] = lengths
        return self.session.run(None, feeds)

    def metadata(self):
        """The model's metadata (``export``'s vocabulary and kind)."""
        return dict(self.session.get_modelmeta().custom_metadata_map)


def open_session(model):
    """The session of an exported step model: an OpenVINO IR ``.xml`` file runs in OpenVINO
    (``openvino_session.OpenVINOSession``), a ``.tflite`` file in LiteRT
    (``litert_session.LiteRTSession``), anything else in ONNX Runtime (``StepSession``)."""
    if str(model).endswith(".xml"):
        from .openvino_session import OpenVINOSession
        return OpenVINOSession(model)
    if str(model).endswith(".tflite"):
        from .litert_session import LiteRTSession
        return LiteRTSession(model)
    return StepSession(model)


class ExportedCopy:
    """An exported batch-size-1 sequence model (``export.export(model, path)``: ONNX, or OpenVINO
    IR or LiteRT with its state explicit or inside the model) as a stateful model:
    ``predict_on_batch(tokens)`` (1, T) -> probabilities (1, T, vocab), its state held here and
    fed back in (or carried by OpenVINO's infer request, LiteRT's interpreter),
    ``reset_states()``; and the vocabulary and prompt the export kept in its metadata (None if it
    kept none). What ``python -m stateful_lstm generate`` runs: numpy and ONNX Runtime (or
    OpenVINO, or LiteRT) only."""

    def __init__(self, model):
        self.session = open_session(model)
        self.internal = getattr(self.session, "internal", False)
        names = self.session.input_names
        if names[0] != "tokens" or (not self.internal and not self.session.states):
            expected = "tokens" if self.internal else \
                "tokens, then the state (h, c; h; a stack's h_0, c_0, h_1, ...)"
            raise ValueError(f"not an exported sequence model: its inputs are {names}; "
                             f"expected {expected}")
        self.units = self.session.units
        metadata = self.session.metadata()
        self.vocabulary, self.prompt = (json.loads(metadata[key]) if key in metadata else None
                                        for key in (VOCABULARY_KEY, PROMPT_KEY))
        self.reset_states()

    def predict_on_batch(self, tokens):
        tokens = np.asarray(tokens, np.int64)
        if self.internal:
            return self.session.run(tokens)[0]
        p, *self.state = self.session.run(tokens, *self.state)
        return p

    def reset_states(self):
        if self.internal:
            self.session.reset_state()
        else:
            self.state = [np.zeros((1, self.units), np.float32)] * len(self.session.states)
