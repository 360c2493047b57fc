"""Many independent streams served at once through one batched step model (SPEC.md, clause 23).

A server that carries one stream per caller (speech, sensor or text streams) cannot afford a
batch-size-1 copy per stream: each call costs the runtime's overhead for one row. A
``StreamPool`` keeps every stream's carried state as one row of its own arrays and, at each
``step``, gathers the stepping streams' rows into one batch, runs the step model once on it and
scatters the new state back; the rows of streams that did not step are not touched.

    pool = StreamPool(step_model)           # any backend below
    a, b = pool.join(), pool.join()         # each from a zero state
    out = pool.step({a: xa, b: xb})         # xa (T, ...) -> out[a] (T, ...); any subset
    pool.reset(a); pool.leave(b)

A *step model* is any object with ``run(x, *state) -> [y, *state]`` for a batch of any size
(``x`` (B, T, ...), each state array (B, units)), the state explicit (the caller's), and the
attributes ``units``, ``states`` (the names of the state arrays: ``("h", "c")``, ``("h",)``),
``step_shape`` (one timestep's input shape: ``(input_dim,)``, or ``()`` for token ids) and
``dtype`` (what it takes: float32 features or int64 tokens). Streams whose inputs have the
same shape (the same T) run as one batch. Backends: ``ReferenceStepModel``
(NumPy), ``step_session.StepSession`` (an ONNX step model exported with any batch size, run by
ONNX Runtime), and each runtime adapter's ``step_model``.

Threads: every method holds the pool's lock, so several threads may serve their streams through
one pool; the step model is called by one thread at a time.
"""
import itertools
import threading

import numpy as np

from . import validation
from .cells import CELLS


class ReferenceStepModel:
    """The reference's step model of a recurrent layer (any cell): the cell's NumPy forward pass
    (``recurrent.RecurrentLayer.forward``) over a batch of any size from the state given, with
    the weights ``model.get_weights()`` reports (any implementation's layer)."""

    dtype = np.float32

    def __init__(self, model):
        from . import LAYERS
        self.cell = getattr(model, "cell", "lstm")
        self.layer, self.units = LAYERS[self.cell], model.units
        self.step_shape, self.states = (model.input_dim,), CELLS[self.cell].states
        self.weights = validation.check_weights(model.get_weights(), model.input_dim,
                                                model.units, cell=self.cell)

    def run(self, x, *state):
        x = validation.check_input(x, None, self.step_shape[0])
        state = validation.check_states(state, x.shape[0], self.units, count=len(self.states))
        hs, *final = self.layer.forward(x, *state, *self.weights)
        return [hs, *final]


def step_model(model):
    """The reference's step model of ``model``'s weights (the contract's ``step_model``)."""
    return ReferenceStepModel(model)


class StreamPool:
    """Independent streams, each with its own carried state, served through one batched
    ``step_model`` (the module's docstring). Streams are named by the ints ``join`` returns,
    never reused. Bad input (an unknown stream, an input of the wrong shape or kind, no
    timesteps) raises ``ValueError`` before anything runs, every state as it was; so does an
    error of the step model."""

    def __init__(self, step_model, capacity=8):
        self.model, self._lock = step_model, threading.Lock()
        self._shape = tuple(step_model.step_shape)
        self._tokens = np.issubdtype(step_model.dtype, np.integer)
        self._rows, self._free, self._ids = {}, [], itertools.count()
        self._states = [np.zeros((0, step_model.units), np.float32) for _ in step_model.states]
        self._grow(capacity)

    def _grow(self, capacity):
        old = len(self._states[0])
        self._states = [np.concatenate([s, np.zeros((capacity - old, s.shape[1]), s.dtype)])
                        for s in self._states]
        self._free += range(capacity - 1, old - 1, -1)

    @property
    def streams(self):
        """The streams in the pool, in the order they joined."""
        with self._lock:
            return tuple(self._rows)

    def join(self):
        """A new stream, from a zero state; returns its id."""
        with self._lock:
            if not self._free:
                self._grow(2 * len(self._states[0]))
            stream, row = next(self._ids), self._free.pop()
            for s in self._states:
                s[row] = 0
            self._rows[stream] = row
            return stream

    def leave(self, stream):
        """Remove ``stream``; its row is free for a stream that joins later."""
        with self._lock:
            self._free.append(self._rows.pop(self._row(stream)))

    def reset(self, stream):
        """Set ``stream``'s carried state to exactly zero."""
        with self._lock:
            row = self._rows[self._row(stream)]
            for s in self._states:
                s[row] = 0

    def get_state(self, stream):
        """Copies of ``stream``'s carried state (``step_model.states``), each (units,)."""
        with self._lock:
            row = self._rows[self._row(stream)]
            return [s[row].copy() for s in self._states]

    def step(self, inputs):
        """Run ``{stream: x}`` (each ``x`` (T, *step_shape), T >= 1, for any subset of the
        streams) from each stream's carried state; return ``{stream: y}`` (each (T, ...)) and
        carry each final state. Streams whose inputs have the same shape run as one batch."""
        with self._lock:
            streams, xs = list(inputs), [np.asarray(x) for x in inputs.values()]
            for stream in streams:
                self._row(stream)
            rows = np.fromiter(map(self._rows.__getitem__, streams), np.intp, len(streams))
            try:
                groups = [(streams, rows, xs, np.stack(xs))]   # the usual case: one shape
            except ValueError:
                by_shape = {}
                for group in zip(streams, rows, xs):
                    by_shape.setdefault(group[2].shape, []).append(group)
                groups = [([g[0] for g in group], np.array([g[1] for g in group], np.intp),
                           [g[2] for g in group], np.stack([g[2] for g in group]))
                          for group in by_shape.values()]
            batches = [(streams, rows, self._batch(streams, xs, x))
                       for streams, rows, xs, x in groups]
            outputs, finals = {}, []
            for streams, rows, x in batches:         # every batch runs before any state moves
                y, *state = self.model.run(x, *(s[rows] for s in self._states))
                outputs.update(zip(streams, np.asarray(y)))
                finals.append((rows, state))
            for rows, state in finals:
                for carried, new in zip(self._states, state):
                    carried[rows] = new
            return outputs

    def _row(self, stream):
        """``stream``, or a ValueError if it is not in the pool."""
        if stream not in self._rows:
            raise ValueError(f"no stream {stream!r} in this pool; its streams are "
                             f"{list(self._rows)}")
        return stream

    def _batch(self, streams, xs, x):
        """The inputs ``xs`` of ``streams``, one shape, stacked into ``x`` (B, T,
        *step_shape), checked (T >= 1; integer token ids for a model of tokens, finite real
        numbers otherwise) and given the step model's dtype; a ValueError names a stream."""
        if x.shape[2:] != self._shape or x.ndim != 2 + len(self._shape) or not x.shape[1]:
            expected = "(T" + "".join(f", {d}" for d in self._shape) + ")"
            raise ValueError(f"stream {streams[0]}'s input must have shape {expected} with "
                             f"T >= 1; received shape {x.shape[1:]}")
        if self._tokens:
            for stream, one in zip(streams, xs):
                if one.dtype.kind not in "iu":
                    raise ValueError(f"stream {stream}'s input must be integer token ids; "
                                     f"received dtype {one.dtype}")
            return x.astype(self.model.dtype)
        try:
            return validation.finite_float32("StreamPool.step", "input", x)
        except ValueError:
            for stream, one in zip(streams, xs):
                validation.finite_float32("StreamPool.step", f"stream {stream}'s input", one)
            raise
