"""Running an exported LiteRT step model (``export.export(model, "copy.tflite")``) with the LiteRT
interpreter (``ai-edge-litert``) and numpy alone: what ``python -m stateful_lstm generate
copy.tflite`` runs.

    session = LiteRTSession("copy.tflite")
    p, h, c = session.run(tokens, h, c)     # state explicit: feed h, c back in
    p, = session.run(tokens)                # state inside the model: the interpreter carries it

The interface is ``step_session.StepSession``'s (``run``, ``input_names``, ``states``, ``units``,
``step_shape``, ``dtype``, ``batch_size``, ``metadata()``), so that ``ExportedCopy`` and the
stream pool run either. An interpreter is not thread-safe: a model whose state is explicit gives
each thread its own interpreter; a model whose state is inside it (resource variables,
``export(..., state="internal")``) is one stream, carried by its one interpreter
(``reset_state()`` runs its ``reset_states`` signature). LiteRT's errors reach the caller
unchanged.
"""
import os

import numpy as np

from .adapters.common import PerThread
from .litert_export import METADATA

INSTALL_HINT = "pip install ai-edge-litert numpy (or 'stateful-lstm-spec[litert]')"


def interpreter(model):
    """A LiteRT interpreter of ``model`` (a ``.tflite`` file's path, or its bytes)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as error:
        raise ImportError(f"running a LiteRT model needs ai-edge-litert ({INSTALL_HINT})") \
            from error
    if isinstance(model, (str, os.PathLike)):
        return Interpreter(model_path=str(model))
    return Interpreter(model_content=bytes(model))


def _layer_order(name):
    """Where a state input comes in ``get_states``' order: by layer (``h_1``: 1; one layer's
    ``h``: 0), then h before c (a signature lists its inputs by name)."""
    base, _, layer = name.partition("_")
    return int(layer or 0), base != "h"


class LiteRTSession:
    """A LiteRT model of an exported step model (``model``: the path of a ``.tflite`` file, or
    its bytes), run through its ``step`` signature."""

    def __init__(self, model):
        self._model = model
        first = interpreter(model)
        signatures = first.get_signature_list()
        self.internal = "reset_states" in signatures
        details = first.get_signature_runner("step").get_input_details()
        first_input = next(n for n in details if n in ("x", "tokens"))
        self.states = tuple(sorted((n for n in details if n != first_input),
                                   key=_layer_order))    # h (, c): a stack's h_0, c_0, h_1, ...
        self.input_names = [first_input, *self.states]
        shape = details[self.input_names[0]]["shape_signature"]
        self.batch_size, self.step_shape = int(shape[0]), tuple(int(d) for d in shape[2:])
        self.units = int(details[self.states[0]]["shape"][1]) if self.states else None
        self.dtype = np.int64 if details[self.input_names[0]]["dtype"] == np.int64 else np.float32
        output = next(n for n in signatures["step"]["outputs"] if not n.endswith("_next"))
        self._outputs = [output, *(f"{n}_next" for n in self.states)]
        self._first = first
        self._interpreters = PerThread(lambda: interpreter(self._model))

    def interpreter(self):
        """The interpreter of this thread (explicit state), or the model's one (internal)."""
        return self._first if self.internal else self._interpreters.get()

    def run(self, x, *state):
        feeds = {self.input_names[0]: x, **dict(zip(self.states, state))}
        outputs = self.interpreter().get_signature_runner("step")(**feeds)
        return [np.array(outputs[name]) for name in self._outputs]

    def reset_state(self):
        """Reset the state inside the model (its resource variables) to zeros."""
        self._first.get_signature_runner("reset_states")()

    def metadata(self):
        """The metadata ``export`` kept (JSON strings by key; none where it kept none)."""
        found = self._first.get_signature_runner("metadata")()
        return {key: value for name, key in METADATA.items()
                if (value := found[name].item().decode())}
