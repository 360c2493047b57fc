"""Running an exported step model (``stateful_lstm.export``) with ONNX Runtime, the carried state
threaded through by the caller: what the ``onnxruntime`` implementation, the spec's exported-copy
clause and ``python -m stateful_lstm generate`` share. Needs only numpy and ``onnxruntime``.

    session = StepSession(model_bytes)
    y, h, c = session.run(x, h, c)          # feed h, c back in to carry the state

ONNX Runtime is driven as its users drive it: one ``InferenceSession`` per model, its inputs
given by name, nothing checked or fixed around ``run``; its errors reach the caller unchanged.
"""
INSTALL_HINT = "pip install 'stateful-lstm-spec[onnx]'"


def onnxruntime():
    try:
        import onnxruntime as module
    except ImportError as error:
        raise ImportError(f"running an ONNX model needs onnxruntime ({INSTALL_HINT})") from error
    return module


class StepSession:
    """An ``onnxruntime.InferenceSession`` of a step model: ``run`` feeds the model's first input
    (``x`` or ``tokens``) and, where the model takes them, ``lengths``, ``h`` and ``c``; it
    returns the outputs in the model's order (the model's output, then ``h_next``, ``c_next``).

    One intra-op thread: these models are small, and ONNX Runtime's default of a thread per core
    only adds spinning threads where other processes share the cores (as ``pytest -n 2`` does)."""

    def __init__(self, model):
        ort = onnxruntime()
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        serialized = model if isinstance(model, bytes) else model.SerializeToString()
        self.session = ort.InferenceSession(serialized, options,
                                            providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]

    def run(self, x, h=None, c=None, lengths=None):
        feeds = {self.input_names[0]: x}
        for name, value in (("lengths", lengths), ("h", h), ("c", c)):
            if name in self.input_names:
                feeds[name] = value
        return self.session.run(None, feeds)

    def metadata(self):
        """The model's metadata (``export``'s vocabulary and kind)."""
        return dict(self.session.get_modelmeta().custom_metadata_map)
