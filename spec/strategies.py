"""Every hypothesis strategy of the spec, in one place.

The strategies of sizes depend on the test's run (``spec.run``: sizes from the palette for an
implementation that compiles per shape, the setup's cell): they are functions of the run
(``@for_run``), and a test draws them for its own.

Sizes cover batch 1-8, timesteps 1-12 (0 where a test allows it), input_dim 1-5, units 1-8 and,
in a stacked run, 2-3 layers.
Floats are float32 and bounded: weights in [-1, 1], inputs in [-2, 2], carried h in [-1, 1] (the range
of o * tanh(c)) and c in [-3, 3]; no NaN or infinity.
"""
import functools
import itertools
import sys
from dataclasses import dataclass, replace

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from stateful_lstm.cells import weights_by_layer

from .contract import CELLS
from .run import for_run

MAX_BATCH, MAX_TIMESTEPS, MAX_INPUT_DIM, MAX_UNITS, MAX_CLASSES = 8, 12, 5, 8, 6
MAX_LAYERS = 3                 # a stack's: 2 or 3 layers
WEIGHT_BOUND, INPUT_BOUND, H_BOUND, C_BOUND = 1.0, 2.0, 1.0, 3.0


def exact_repr(name, fields, weights):
    """``name(field=value, ..., weights=(...))`` with the weights in full and exactly (float32
    round trip), so that a falsifying example printed in a log can be rebuilt from the log
    alone."""
    with np.printoptions(threshold=sys.maxsize, floatmode="unique"):
        shown = ", ".join(repr(w) for w in weights)
    return f"{name}({', '.join(f'{k}={v}' for k, v in fields.items())}, weights=({shown}))"


class CarriesState:
    """What a setup of either kind knows of the state its models carry (``cell``, ``units``,
    ``batch_size``, and ``layers``: a stack's carries each layer's)."""
    layers = 1

    def zero_states(self, batch=None):
        """The carried state of zeros (``[h, c]``, or ``[h]``; a stack's every layer's, bottom
        first), for ``batch`` rows (default: the setup's batch size)."""
        return [np.zeros((self.batch_size if batch is None else batch, self.units), np.float32)
                for _ in self.state_names()]

    def state_names(self):
        """The names of the carried arrays, as ``get_states`` lists them: ``["h", "c"]`` (the
        LSTM's), ``["h"]``; a stack's ``["h_0", "c_0", "h_1", ...]``, bottom layer first."""
        names = CELLS[self.cell].states
        if self.layers == 1:
            return list(names)
        return [f"{name}_{k}" for k in range(self.layers) for name in names]


@dataclass(frozen=True)
class Setup(CarriesState):
    """A model's sizes and the weights it is given (Keras layout: kernel, recurrent_kernel,
    bias), of the cell type ``cell`` (a key of ``contract.CELLS``)."""
    batch_size: int
    input_dim: int
    units: int
    weights: tuple
    cell: str = "lstm"
    n_classes: int | None = None       # a classifier's (``setups(max_classes=...)``)
    layers: int = 1                    # a stack's (a stacked run's setups: 2 or 3)

    def with_batch_size(self, batch_size):
        return replace(self, batch_size=batch_size)

    def layer(self, k):
        """Layer ``k`` of a stack's setup as a setup of its own (its input size, its three
        weight arrays)."""
        return replace(self, input_dim=self.input_dim if k == 0 else self.units, layers=1,
                       weights=tuple(weights_by_layer(self.weights)[k]))

    def __repr__(self):
        cell = {} if self.cell == "lstm" else {"cell": repr(self.cell)}
        classes = {} if self.n_classes is None else {"n_classes": self.n_classes}
        layers = {} if self.layers == 1 else {"layers": self.layers}
        return exact_repr("Setup", dict(batch_size=self.batch_size, input_dim=self.input_dim,
                                        units=self.units, **cell, **classes, **layers),
                          self.weights)


@dataclass(frozen=True)
class SequenceSetup(CarriesState):
    """A sequence model's sizes and weights (embeddings, the three arrays of its ``cell``, the
    Dense kernel and bias)."""
    batch_size: int
    vocab_size: int
    embedding_dim: int
    units: int
    weights: tuple
    cell: str = "lstm"

    def __repr__(self):
        cell = {} if self.cell == "lstm" else {"cell": repr(self.cell)}
        return exact_repr("SequenceSetup", dict(
            batch_size=self.batch_size, vocab_size=self.vocab_size,
            embedding_dim=self.embedding_dim, units=self.units, **cell), self.weights)


@functools.cache
def float32_arrays(shape, bound):
    """float32 arrays of ``shape`` with elements uniform in [-bound, bound], from a NumPy
    generator whose seed hypothesis draws (salted with the shape and bound, so that two arrays
    drawn with the same seed differ). Drawing every element through hypothesis cost 3 ms an
    array and 60% of the reference column's CPU (measured 2026-12-06); a seed costs one draw.
    What a failure needs is the first failing example, printed in full (``Setup``'s repr), not
    the smallest: the seed is what hypothesis replays and shrinks."""
    salt = [*shape, int(np.float32(bound).view(np.uint32))]
    return st.integers(0, 2**64 - 1).map(
        lambda seed: np.random.default_rng([seed, *salt]).uniform(-bound, bound, shape)
        .astype(np.float32))


def palette(low, high):
    """The sizes drawn from [low, high] for an implementation that compiles per shape: the two
    smallest and the largest."""
    return sorted({low, min(low + 1, high), high})


@for_run
def sizes(run, low, high):
    """A size in [low, high], or in ``palette(low, high)`` for a run with ``palette``."""
    return st.sampled_from(palette(low, high)) if run.palette else st.integers(low, high)


def batch_sizes(min_value=1):
    return sizes(min_value, MAX_BATCH)


def timesteps(min_value=1):
    return sizes(min_value, MAX_TIMESTEPS)


def cell_weights(input_dim, units, cell="lstm", layers=1):
    """``cell``'s ``[kernel, recurrent_kernel, bias]`` in Keras' shapes (``contract.CELLS``;
    the LSTM's: (input_dim, 4u), (u, 4u), (4u,)), bounded; a stack's every layer's, bottom
    first (the first reads ``input_dim`` features, the others ``units``). The SimpleRNN's
    recurrent kernel is
    bounded by 1/u, so that its map of h is not expanding (``|h @ U|`` at most ``|h|``, max
    norm): with no gate to damp it, a larger one makes the recurrence chaotic, and two correct
    float32 computations drift apart by more than any fixed tolerance (seen: 1.2e-5 after 7
    steps, units 6, PyTorch in a batch of 2 against a batch of 1)."""
    recurrent = float(np.float32(WEIGHT_BOUND / units)) if cell == "simple_rnn" else WEIGHT_BOUND
    bounds = [WEIGHT_BOUND, recurrent, WEIGHT_BOUND]        # (bounds float32 can hold)
    return st.tuples(*(float32_arrays(shape, bound) for k in range(layers) for shape, bound in
                       zip(CELLS[cell].weight_shapes(input_dim if k == 0 else units, units),
                           bounds)))


# One model's sizes, drawn together while sizes come from the palette: a row of this orthogonal
# array of strength 2 (L9) picks each size's level in its palette (0, 1, 2: its range's two
# smallest values and its largest). In its nine rows every pair of levels of any two sizes
# occurs once, so a run builds at most nine shapes of each kind of model, where drawing each
# size alone from the palette made 3**k (27 bare models, 81 classifiers and sequence models),
# and every size still meets every size of every other.
L9 = ((0, 0, 0, 0), (0, 1, 1, 1), (0, 2, 2, 2), (1, 0, 1, 2), (1, 1, 2, 0), (1, 2, 0, 1),
      (2, 0, 2, 1), (2, 1, 0, 2), (2, 2, 1, 0))


@for_run
def joint_sizes(run, *ranges):
    """One size from each range (at most four): each from its whole range, or, for a run with
    ``palette``, a row of ``L9`` (the level of each range in its palette). A range
    is ``(low, high)``, or ``(low, high, least)`` for a test that needs sizes of at least
    ``least``: its palette is still that of ``(low, high)``, and the rows that put it below
    ``least`` are left out, so that every test builds its models among the same shapes (a
    palette of ``(least, high)`` would add shapes no other test builds)."""
    ranges = [(*r, r[0]) if len(r) == 2 else r for r in ranges]
    if not run.palette:
        return st.tuples(*(st.integers(least, high) for _, high, least in ranges))

    def sizes_of(row):
        return tuple(palette(low, high)[min(level, len(palette(low, high)) - 1)]
                     for (low, high, _), level in zip(ranges, row))
    rows = [sizes_of(row) for row in L9
            if all(size >= least for size, (*_, least) in zip(sizes_of(row), ranges))]
    return st.sampled_from(rows)


@for_run
def setups(run, min_batch=1, max_batch=MAX_BATCH, max_classes=None):
    """A ``Setup`` of the run's cell: sizes drawn together from the spec's ranges
    (``joint_sizes``: batch size from ``min_batch`` to ``max_batch``, input_dim, units, with
    ``max_classes`` a classifier's class count from 2, and in a stacked run 2 or 3 layers),
    weights."""
    ranges = [(1, max_batch, min_batch), (1, MAX_INPUT_DIM), (1, MAX_UNITS)]
    if max_classes:
        ranges.append((2, max_classes))
    if run.stacked:
        ranges.append((2, MAX_LAYERS))
    sizes_drawn = joint_sizes(*ranges)

    @st.composite
    def setup(draw):
        batch, input_dim, units, *more = draw(sizes_drawn.strategy(run))
        classes = more.pop(0) if max_classes else None
        layers = more.pop(0) if run.stacked else 1
        return Setup(batch, input_dim, units,
                     draw(cell_weights(input_dim, units, run.cell, layers)), run.cell, classes,
                     layers)
    return setup()


def inputs(batch, steps, input_dim):
    """An input batch (batch, steps, input_dim)."""
    return float32_arrays((batch, steps, input_dim), INPUT_BOUND)


@for_run
def input_batches(run, setup, count, min_timesteps=1):
    """A list of ``count`` (min to max length) input batches for ``setup``, each with its own
    number of timesteps."""
    if isinstance(count, int):
        count = (count, count)
    return st.lists(timesteps(min_timesteps).strategy(run), min_size=count[0],
                    max_size=count[1]).flatmap(
        lambda steps: st.tuples(*(inputs(setup.batch_size, t, setup.input_dim) for t in steps)))


def carried_states(batch, units, cell="lstm", layers=1):
    """A carried state of ``cell``, ``[h, c]`` (or ``[h]``; a stack's every layer's, bottom
    first), each (batch, units), in the ranges an LSTM reaches (a GRU's and a SimpleRNN's h are
    in [-1, 1] too)."""
    bounds = {"h": H_BOUND, "c": C_BOUND}
    return st.tuples(*(float32_arrays((batch, units), bounds[name])
                       for _ in range(layers) for name in CELLS[cell].states)).map(list)


def states_of(setup):
    """A carried state for ``setup``'s models (``carried_states`` of its rows, units, cell and
    layers)."""
    return carried_states(setup.batch_size, setup.units, setup.cell, setup.layers)


@st.composite
def splits(draw, steps, min_parts=2):
    """Cut ``range(steps)`` into at least ``min_parts`` consecutive non-empty pieces: a list of
    (start, stop) pairs covering 0..steps."""
    cuts = draw(st.lists(st.integers(1, steps - 1), min_size=min_parts - 1, unique=True))
    bounds = [0, *sorted(cuts), steps]
    return list(zip(bounds, bounds[1:]))


def broadcastable_shapes(shape):
    """Every shape other than ``shape`` that NumPy broadcasts to it: of any rank up to its own,
    each side 1 or the side of ``shape`` it lines up with (from the right)."""
    shape = tuple(shape)
    found = {tuple(sides) for rank in range(len(shape) + 1)
             for sides in itertools.product(*[(1, side) for side in shape[len(shape) - rank:]])}
    return sorted(found - {shape}, key=lambda s: (len(s), s))


def near_shapes(shape):
    """The shapes a caller is likeliest to pass by mistake for ``shape``, none equal to it:
    every shape NumPy would broadcast to it (``broadcastable_shapes``), its transpose, its
    flattening, an extra axis of 1 before or after, and one more or one fewer along each axis.
    Trying each costs one refused call, so a test tries them all in every example: a catch
    must not wait for a rare draw."""
    shape = tuple(shape)
    near = {*broadcastable_shapes(shape), shape[::-1], (int(np.prod(shape)),), (1, *shape),
            (*shape, 1)}
    near |= {shape[:axis] + (shape[axis] + delta,) + shape[axis + 1:]
             for axis in range(len(shape)) for delta in (-1, 1) if shape[axis] + delta >= 0}
    return sorted(near - {shape}, key=lambda s: (len(s), s))


def wrong_shapes(shape):
    """Any array shape other than ``shape``, of rank 0-3 with sides 0-9 (the likeliest mistakes
    are ``near_shapes``)."""
    shape = tuple(shape)
    return hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=9).filter(
        lambda s: s != shape)


def dense_weights(units, n_classes):
    """A classifier's output layer: ``[kernel (units, n_classes), bias (n_classes,)]``."""
    return st.tuples(float32_arrays((units, n_classes), WEIGHT_BOUND),
                     float32_arrays((n_classes,), WEIGHT_BOUND))


def one_hot_targets(batch, n_classes):
    """One-hot float32 targets (batch, n_classes)."""
    return st.lists(st.integers(0, n_classes - 1), min_size=batch, max_size=batch).map(
        lambda labels: np.eye(n_classes, dtype=np.float32)[labels])


MEMORY_LAYOUTS = ("compact", "page-aligned", "strided")


def laid_out(array, layout):
    """A new array with ``array``'s values, placed in memory as ``layout`` says: "compact" (a
    plain copy); "page-aligned" (at the start of a page of a large buffer, where zero-copy
    conversions, such as JAX's on the CPU, share NumPy's memory instead of copying); "strided"
    (a non-contiguous view, every other element of a larger array)."""
    if layout == "compact":
        return array.copy()
    if layout == "page-aligned":
        buffer = np.zeros(array.size + 8192, array.dtype)
        start = (-buffer.ctypes.data % 4096) // array.itemsize
        placed = buffer[start:start + array.size].reshape(array.shape)
    elif layout == "strided":
        placed = np.zeros(array.shape[:-1] + (2 * array.shape[-1],), array.dtype)[..., ::2]
    else:
        raise ValueError(f"layout must be one of {MEMORY_LAYOUTS}; received {layout!r}")
    placed[...] = array
    return placed


def memory_layouts():
    return st.sampled_from(MEMORY_LAYOUTS)


@for_run
def sequence_setups(run, vocab=(2, MAX_CLASSES)):
    """A ``SequenceSetup`` of the run's cell: batch size, vocabulary (from the range ``vocab``),
    embedding size (as input_dim) and units drawn together from the spec's ranges
    (``joint_sizes``), and bounded weights."""
    sizes_drawn = joint_sizes((1, MAX_BATCH), vocab, (1, MAX_INPUT_DIM), (1, MAX_UNITS))

    @st.composite
    def setup(draw):
        batch, vocab_size, embedding_dim, units = draw(sizes_drawn.strategy(run))
        weights = draw(st.tuples(float32_arrays((vocab_size, embedding_dim), WEIGHT_BOUND),
                                 cell_weights(embedding_dim, units, run.cell),
                                 dense_weights(units, vocab_size)))
        return SequenceSetup(batch, vocab_size, embedding_dim, units,
                             (weights[0], *weights[1], *weights[2]), run.cell)
    return setup()


def token_batches(batch, steps, vocab_size):
    """Token ids (batch, steps), int32, in [0, vocab_size)."""
    return hnp.arrays(np.int32, (batch, steps), elements=st.integers(0, vocab_size - 1))


# How a row of a mask can look: every step real; its real steps first, then padding (right
# padding: PyTorch's packed sequences, Flax' seq_lengths); padding first (left padding: the
# default of Keras' pad_sequences); any pattern (holes); no real step at all.
MASK_PATTERNS = ("real", "right-padded", "left-padded", "holes", "masked")
WITH_A_REAL_STEP = MASK_PATTERNS[:4]


@st.composite
def masks(draw, batch, steps, patterns=MASK_PATTERNS):
    """A bool mask (batch, steps), True at the real steps, each row drawn from ``patterns``
    (``MASK_PATTERNS``); a row drawn as "right-padded", "left-padded" or "holes" has at least one
    real step when ``patterns`` has no "masked"."""
    least = 0 if "masked" in patterns else 1
    rows = []
    for _ in range(batch):
        pattern = draw(st.sampled_from(patterns))
        if pattern in ("real", "masked"):
            row = np.full(steps, pattern == "real")
        elif pattern == "holes":
            row = draw(hnp.arrays(np.bool_, steps).filter(lambda r: r.sum() >= least))
        else:
            real = draw(st.integers(least, steps))
            row = np.arange(steps) < real if pattern == "right-padded" else \
                np.arange(steps) >= steps - real
        rows.append(row)
    return np.array(rows, np.bool_).reshape(batch, steps)


def sample_weights(shape):
    """``None`` (no weights) or float32 sample weights of ``shape`` in [0, 2]."""
    return st.none() | hnp.arrays(np.float32, shape, elements=st.floats(0, 2, width=32))


@st.composite
def repeating_token_batches(draw, batch, steps, vocab_size, real=None):
    """``token_batches`` in which one token occurs at two of the ``real`` steps (a bool array
    (batch, steps); None: every step) where there are two: a text repeats its characters, and an
    embedding's gradient adds up every occurrence's (``distinct_token_batches`` draws batches in
    which none repeats)."""
    x = draw(token_batches(batch, steps, vocab_size))
    positions = np.argwhere(np.ones((batch, steps), bool) if real is None else real)
    if len(positions) >= 2:
        first, second = draw(st.lists(st.integers(0, len(positions) - 1), min_size=2,
                                      max_size=2, unique=True))
        x[tuple(positions[second])] = x[tuple(positions[first])]
    return x


def distinct_token_batches(batch, steps, vocab_size):
    """Token ids (batch, steps) in which no token occurs twice (needs batch * steps <=
    vocab_size)."""
    return st.permutations(range(vocab_size)).map(
        lambda order: np.array(order[:batch * steps], np.int32).reshape(batch, steps))
