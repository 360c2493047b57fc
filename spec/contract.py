"""The implementation contract of ``SPEC.md`` as code: what an implementation offers (its factories
and module attributes) and what the models they return do. The single source that the harness's
messages, SPEC.md's factory signatures (a meta-test compares them) and type checkers read.

An implementation is a module or object with ``make_lstm`` and, optionally, the other cells
(``make_gru``, ``make_simple_rnn``: ``CELLS``), ``make_classifier`` and ``make_sequence_model``
(the tests that need one are "not applicable" without it), and the optional attributes
``MODULE_ATTRIBUTES`` lists.
"""
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol, TypedDict, runtime_checkable

import numpy as np

from stateful_lstm import cells
from stateful_lstm.adapters import common

Array = np.ndarray


@runtime_checkable
class LSTM(Protocol):
    """What ``make_lstm`` returns (SPEC.md, "The implementation contract"). Made with
    ``layers`` > 1 (SPEC.md, "Stacked layers"), a stack: its states and weights list every
    layer's, bottom layer first (``[h_0, c_0, h_1, c_1, ...]``; each layer's three arrays), and
    ``predict_on_batch`` returns the top layer's h."""
    units: int
    input_dim: int
    stateful: bool
    batch_size: int | None

    def predict_on_batch(self, x: Array, mask: Array | None = None) -> Array:
        """float32 ``x`` (batch, timesteps, input_dim) -> h of every timestep, float32 (batch,
        timesteps, units); a stateful model carries each row's final (h, c) into that row of the
        next call. ``mask`` (batch, timesteps) bool, True at the real steps (an implementation
        that declares ``MASKS``): a masked step keeps the row's (h, c) and outputs its h."""

    def predict(self, x: Array, batch_size: int, verbose: int = 0) -> Array:
        """(``LOOPS``) ``predict_on_batch`` over consecutive slices of ``batch_size`` rows of
        ``x``, the outputs joined: one row per row of ``x``. A stateful model refuses, before
        any batch runs, a ``batch_size`` other than its own and a sample count it does not
        divide. ``verbose`` 0: no output (else the implementation's own progress)."""

    def reset_states(self) -> None:
        """Every row's carried h and c to exactly zero (a no-op on a stateless model)."""

    def get_states(self) -> list[Array]:
        """Copies of the carried ``[h, c]``, each float32 (batch_size, units); raises on a
        stateless model."""

    def set_states(self, states: Sequence[Array]) -> None:
        """Replace the carried ``[h, c]``; refuses any other count or shape (and raises on a
        stateless model), leaving the state as it was."""

    def get_weights(self) -> list[Array]:
        """``[kernel (input_dim, 4u), recurrent_kernel (u, 4u), bias (4u,)]``, gate blocks i, f,
        c, o: everything the model computes with."""

    def set_weights(self, weights: Sequence[Array]) -> None:
        """Replace the weights (leaving the carried state alone); refuses any other count or
        shape, leaving the weights as they were."""


@runtime_checkable
class Classifier(LSTM, Protocol):
    """What ``make_classifier`` returns: the LSTM (or the ``cell`` it was made with: its state
    ``[h]`` for a GRU or a SimpleRNN), then a Dense softmax on the last timestep's h; its weights
    are the cell's three arrays (Keras' layout), then the Dense kernel and bias."""
    n_classes: int

    def predict_on_batch(self, x: Array, mask: Array | None = None) -> Array:
        """float32 ``x`` (batch, timesteps, input_dim) -> class probabilities (batch,
        n_classes) from the h each row ends the call with; moves a stateful classifier's
        state."""

    def train_on_batch(self, x: Array, y: Array, sample_weight: Array | None = None,
                       mask: Array | None = None) -> float:
        """One Adam step on the categorical cross-entropy of one-hot ``y`` (batch, n_classes),
        each row's weighted by ``sample_weight`` (batch,), summed and divided by the batch size;
        returns the loss before the step; moves the state as prediction does."""

    def test_on_batch(self, x: Array, y: Array, sample_weight: Array | None = None,
                      mask: Array | None = None) -> float:
        """What ``train_on_batch`` would return, changing no weight and no optimizer state;
        moves the state as prediction does."""

    def evaluate(self, x: Array, y: Array, batch_size: int, sample_weight: Array | None = None,
                 verbose: int = 0) -> float:
        """(``LOOPS``) ``test_on_batch`` over consecutive slices (as ``predict``); the mean of
        their losses, each weighted by its batch's rows (Keras' average)."""

    def fit(self, x: Array, y: Array, batch_size: int, epochs: int = 1,
            shuffle: bool | None = None, sample_weight: Array | None = None,
            validation_data: tuple | None = None, reset_each_epoch: bool = False,
            verbose: int = 0) -> dict[str, list[float]]:
        """(``LOOPS``) ``epochs`` passes of ``train_on_batch`` over consecutive slices (as
        ``predict``); returns ``{"loss": [...]}`` (and ``"val_loss"`` with ``validation_data``,
        ``(x, y)`` or ``(x, y, sample_weight)``), each epoch's losses averaged as
        ``evaluate`` averages. ``shuffle`` None: the implementation's default, which never
        reorders a stateful model's samples; ``shuffle=True`` on a stateful model is refused.
        The validation pass starts from a zero state and leaves the training state as it was.
        ``reset_each_epoch``: ``reset_states()`` after each epoch (Keras: the callback users
        write). Everything is checked before the first step."""


@runtime_checkable
class SequenceModel(Protocol):
    """What ``make_sequence_model`` returns: Embedding -> LSTM (or the ``cell`` it was made
    with) -> Dense softmax at every timestep; its weights are the embeddings, the cell's three
    arrays, the Dense kernel and bias."""
    vocab_size: int
    embedding_dim: int
    units: int
    stateful: bool
    batch_size: int | None

    def predict_on_batch(self, x: Array, mask: Array | None = None) -> Array:
        """Integer token ids (batch, T) -> float32 next-token probabilities (batch, T,
        vocab_size); ``mask`` as the LSTM's."""

    def train_on_batch(self, x: Array, y: Array, sample_weight: Array | None = None,
                       mask: Array | None = None) -> float:
        """One Adam step on ``-log p[y]`` (``y``: the next token, integer (batch, T)) weighted
        by ``sample_weight`` (batch, T), summed over the real tokens (``mask``) and divided by
        their number (0 if there is none); returns the loss before the step."""

    def test_on_batch(self, x: Array, y: Array, sample_weight: Array | None = None,
                      mask: Array | None = None) -> float:
        """What ``train_on_batch`` would return, changing no weight and no optimizer state;
        moves the state as prediction does."""

    def predict(self, x: Array, batch_size: int, verbose: int = 0) -> Array: ...
    def evaluate(self, x: Array, y: Array, batch_size: int, sample_weight: Array | None = None,
                 verbose: int = 0) -> float: ...
    def fit(self, x: Array, y: Array, batch_size: int, epochs: int = 1,
            shuffle: bool | None = None, sample_weight: Array | None = None,
            validation_data: tuple | None = None, reset_each_epoch: bool = False,
            verbose: int = 0) -> dict[str, list[float]]: ...
    def reset_states(self) -> None: ...
    def get_states(self) -> list[Array]: ...
    def set_states(self, states: Sequence[Array]) -> None: ...
    def get_weights(self) -> list[Array]: ...
    def set_weights(self, weights: Sequence[Array]) -> None: ...


@runtime_checkable
class RecurrentLayer(Protocol):
    """What ``make_gru`` and ``make_simple_rnn`` return: ``LSTM``'s attributes and methods,
    with the cell's state (``[h]``) and weights (``CELLS``)."""
    units: int
    input_dim: int
    stateful: bool
    batch_size: int | None

    def predict_on_batch(self, x: Array, mask: Array | None = None) -> Array: ...
    def predict(self, x: Array, batch_size: int, verbose: int = 0) -> Array: ...
    def reset_states(self) -> None: ...
    def get_states(self) -> list[Array]: ...
    def set_states(self, states: Sequence[Array]) -> None: ...
    def get_weights(self) -> list[Array]: ...
    def set_weights(self, weights: Sequence[Array]) -> None: ...


class MakeLSTM(Protocol):
    def __call__(self, *, units: int, input_dim: int, stateful: bool,
                 batch_size: int | None = None, seed: int = 0, layers: int = 1) -> LSTM: ...


class MakeGRU(Protocol):
    def __call__(self, *, units: int, input_dim: int, stateful: bool,
                 batch_size: int | None = None, seed: int = 0, layers: int = 1) -> RecurrentLayer: ...


class MakeSimpleRNN(Protocol):
    def __call__(self, *, units: int, input_dim: int, stateful: bool,
                 batch_size: int | None = None, seed: int = 0, layers: int = 1) -> RecurrentLayer: ...


class MakeClassifier(Protocol):
    def __call__(self, *, units: int, input_dim: int, n_classes: int, stateful: bool,
                 batch_size: int | None = None, seed: int = 0, learning_rate: float = 0.001,
                 cell: str = "lstm") -> Classifier: ...


class MakeSequenceModel(Protocol):
    def __call__(self, *, vocab_size: int, embedding_dim: int, units: int, stateful: bool,
                 batch_size: int | None = None, seed: int = 0, learning_rate: float = 0.001,
                 cell: str = "lstm") -> SequenceModel: ...


# Factory name -> its protocol. make_lstm is required; the others are optional.
FACTORIES = {"make_lstm": MakeLSTM, "make_gru": MakeGRU, "make_simple_rnn": MakeSimpleRNN,
             "make_classifier": MakeClassifier, "make_sequence_model": MakeSequenceModel}
REQUIRED_FACTORY = "make_lstm"


# Every cell type (stateful_lstm.cells: one description of each), by the name tests and reports
# use; the LSTM first (the one every implementation has).
CELLS, LSTM_CELL = cells.CELLS, cells.LSTM_CELL


def signature(factory: str) -> str:
    """The factory's signature as SPEC.md writes it: ``make_lstm(*, units: int, ...)``."""
    call = inspect.signature(FACTORIES[factory].__call__)
    parameters = list(call.parameters.values())[1:]                 # without self
    shown = call.replace(parameters=parameters, return_annotation=inspect.Signature.empty)
    return factory + str(shown)


class Deviation(TypedDict, total=False):
    """One cause of known deviations, an entry of the list form of ``KNOWN_DEVIATIONS``.

    ``tests`` (required) names the spec tests it explains (test function names, or clause IDs for
    every test of a clause); ``reason`` (required) says what the implementation does instead;
    ``cells`` the cell types it concerns (keys of ``CELLS``; default: every cell);
    ``aborts`` (True) that the tests end the process (a crash no test can catch), so they are
    not run but shown as known deviations (the repro is then the only evidence);
    ``title`` is one line for tables; ``versions`` the versions it was seen with; ``upstream``
    the upstream report (or that none was found); ``repro`` a standalone script that shows it."""
    tests: Sequence[str]
    title: str
    reason: str
    versions: str
    upstream: str
    repro: str
    cells: Sequence[str]
    aborts: bool


# The module attributes an implementation may set (besides its factories), and what each means.
MODULE_ATTRIBUTES: dict[str, str] = {
    "KNOWN_DEVIATIONS": "the spec tests it is known to fail: a list of causes (Deviation), or "
                        "the shorthand {test name: reason}",
    "REQUIRES": "modules it needs, e.g. ('tensorflow', 'keras'): if one is missing, its tests "
                "are skipped as not installed",
    "INSTALL_HINT": "text appended to the not-installed message, e.g. the pip command",
    "COMPILES_PER_SHAPE": "True if it compiles anew for each input shape (JAX, tf.function): "
                          "failures are not shrunk and sizes come from the palette",
    "describe": "a function returning one line for the report header (else __version__)",
    "to_onnx": "its own exporter, to_onnx(model, *, batch_size=1) -> onnx.ModelProto, a step "
               "model with the state as inputs and outputs (clause 20 tests it instead of the "
               "kit's stateful_lstm.export.to_onnx)",
    "stream_batches": "its own text layout, stream_batches(tokens, batch_size, seq_len) (clause "
                      "12 tests it instead of the kit's stateful_lstm.streams.stream_batches)",
    "LOOPS": "True if its models have the loops Keras users call: predict (every model), "
             "evaluate and fit (the classifier and the sequence model); without it the loop "
             "clauses are not applicable",
    "step_model": "step_model(model) -> a batched step model of a recurrent layer's weights, "
                  "its state explicit: run(x, *state) -> [y, *state] for any batch size, "
                  "with units, states, step_shape and dtype (stateful_lstm.stream_pool); "
                  "clause 23 serves streams through it; without it that clause is not "
                  "applicable",
    "MASKS": "which masks its models take: 'any' (every pattern), or 'right-padded' (each row's "
             "real steps first in every call; any other mask is refused with ValueError); "
             "without it the masked clauses are not applicable",
}
# The environment variable naming a folder that the processes of one ``python -m spec`` run share
# (a folder of that run's own): an implementation may keep there what it compiled or converted,
# for its other processes to read back instead of compiling again (the bundled adapters'
# ``shared_between_processes``).
SHARED_FOLDER = common.SHARED_FOLDER
# The values of MASKS, and how the table shows a restricted one.
MASK_KINDS = {"any": "", "right-padded": "right-padded masks only"}
# What a test may need besides make_lstm: the optional factories, masks (MASKS), the loops
# (LOOPS) and a step model (step_model).
CAPABILITIES = (*(f for f in FACTORIES if f != REQUIRED_FACTORY), "masks", "loops", "step_model")
# The factories of trained models, built on any cell the factory takes as ``cell`` (their tests
# marked every_cell run once per cell an implementation trains: ``trains``).
TRAINED_MODELS = ("make_classifier", "make_sequence_model")
KnownDeviations = Sequence[Deviation] | Mapping[str, str]


class Runtime(NamedTuple):
    title: str
    modules: tuple[str, ...]     # what the exported copy needs, to make and to run
    extra: str                   # the kit's extras that install them


# The runtimes an exported copy runs in (clause 20), each its own verdict: a test parametrized
# with ``runtime`` runs once per runtime (test IDs end in ``-openvino``, ``-litert``).
RUNTIMES = {
    "onnxruntime": Runtime("ONNX Runtime", ("onnx", "onnxruntime"), "onnx"),
    "openvino": Runtime("OpenVINO", ("onnx", "openvino"), "onnx,openvino"),
    "litert": Runtime("LiteRT", ("tensorflow", "keras", "ai_edge_litert"), "litert"),
}
DEFAULT_RUNTIME = "onnxruntime"


def masks(impl: Any) -> str | None:
    """``impl``'s ``MASKS`` (a key of ``MASK_KINDS``), or None if it takes no masks; raises
    ValueError for any other value."""
    kind = getattr(impl, "MASKS", None)
    if kind is not None and kind not in MASK_KINDS:
        raise ValueError(f"MASKS must be one of {sorted(MASK_KINDS)} or absent; received "
                         f"{kind!r}")
    return kind


def trains(impl: Any, factory: str, cell: str) -> bool:
    """Whether ``impl``'s ``factory`` (one of ``TRAINED_MODELS``) makes models of ``cell``: the
    LSTM's if it has the factory; another cell's if the factory takes ``cell`` and ``impl`` offers
    that cell's own factory (``make_gru``, ``make_simple_rnn``)."""
    if not offers(impl, factory):
        return False
    return cell == LSTM_CELL or (takes(impl, factory, "cell") and
                                 offers(impl, CELLS[cell].factory))


def stacks(impl: Any, cell: str) -> bool:
    """Whether ``impl`` makes stacks of ``cell``: it offers the cell's factory and that factory
    takes ``layers`` (SPEC.md, "Stacked layers")."""
    return offers(impl, CELLS[cell].factory) and takes(impl, CELLS[cell].factory, "layers")


def takes(impl: Any, factory: str, parameter: str) -> bool:
    """Whether ``impl``'s ``factory`` takes the keyword ``parameter`` (a callable without a
    signature says nothing: no)."""
    try:
        return parameter in inspect.signature(getattr(impl, factory)).parameters
    except (TypeError, ValueError):
        return False


def offers(impl: Any, capability: str) -> bool:
    """Whether ``impl`` offers ``capability``: a factory or ``step_model`` (a callable attribute
    of that name), "masks" (it declares ``MASKS``) or "loops" (``LOOPS = True``)."""
    if capability == "masks":
        return masks(impl) is not None
    if capability == "loops":
        return getattr(impl, "LOOPS", False) is True
    return isinstance(getattr(impl, capability, None), Callable)
