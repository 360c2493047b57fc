"""Deliberately broken implementations: each breaks one clause, and the meta-tests check that the
spec catches it. Each is the reference LSTM (or GRU, SimpleRNN, classifier, sequence model,
stream layout, exporter) with one method changed, registered with ``@breaks(clause, caught_by,
cell=..., factory=..., stacked=...)``: the clause it breaks, the test of that clause that catches
it, the cell (and stacking) whose run of that test catches it and the factory it stands in for
(the meta-tests run that test alone); ``@breaks_every_cell`` registers a mixin once per cell. A
broken stack is the reference's ``Stack`` with one method changed, its factory's ``layers``
making it. ``@passes(clause)``
registers correct implementations that compute differently from the reference, which the spec
must pass.

Each registered name is an implementation: ``tests.broken_impls.never_carries`` loads it
(``--stateful-lstm-impl``)."""
import re
import time
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from spec.contract import CELLS, TRAINED_MODELS
from stateful_lstm import export, loops, sequence, streams, validation
from stateful_lstm.adam import Adam
from stateful_lstm.classifier import Classifier
from stateful_lstm.dense import softmax
from stateful_lstm.gru import GRU, gru_forward
from stateful_lstm.lstm import LSTM as ReferenceLSTM
from stateful_lstm.lstm import lstm_forward
from stateful_lstm.sequence import SequenceModel
from stateful_lstm.simple_rnn import SimpleRNN, simple_rnn_forward
from stateful_lstm.stack import Stack
from stateful_lstm.stream_pool import ReferenceStepModel


class LSTM(ReferenceLSTM):
    """The reference LSTM with its carried h and c as the attributes ``_h`` and ``_c``, which the
    broken LSTMs below change (the reference keeps them as the list ``_state``)."""

    @property
    def _h(self):
        return self._state[0]

    @_h.setter
    def _h(self, value):
        self._state = [value, *getattr(self, "_state", [value, value])[1:]]

    @property
    def _c(self):
        return self._state[1]

    @_c.setter
    def _c(self, value):
        self._state = [getattr(self, "_state", [value])[0], value]


CELL_BASES = {"lstm": LSTM, "gru": GRU, "simple_rnn": SimpleRNN}
# What a broken function stands in for needs the reference sequence model besides (clause 12's
# layout and clause 20's exported sequence model use it).
FUNCTIONS = ("stream_batches", "to_onnx")


@dataclass(frozen=True)
class Registered:
    """A broken (or correct) implementation: what it is made of, the clause it breaks (or
    passes), the test of that clause that catches a broken one, the cell whose run of that test
    catches it, and the factory (or function) of the contract it stands in for."""
    name: str
    made_of: object
    clause: str
    caught_by: str | None
    cell: str
    factory: str
    stacked: bool = False

    @property
    def run_suffix(self):
        """How the ID of the run it breaks (of the test that catches it) ends after the
        implementation's name: the cell and ``stacked`` where they apply (``-gru-stacked``)."""
        return "".join([f"-{self.cell}"] * (self.cell != "lstm") + ["-stacked"] * self.stacked)

    @property
    def implementation(self):
        """An implementation object offering no more than its run needs: the reference LSTM
        (every implementation has ``make_lstm``) and the reference cell it breaks, the sequence
        model where a broken function needs it, and ``made_of`` as ``factory``."""
        extra = {"make_sequence_model": SequenceModel} if self.factory in FUNCTIONS else {}
        made_of = self.made_of
        if self.factory in TRAINED_MODELS:       # a factory that names ``cell`` (contract.trains)
            def made_of(*, cell="lstm", **config):
                return self.made_of(cell=cell, **config)
        elif self.stacked:                       # a factory that takes ``layers`` (stacks)
            def made_of(*, layers=1, **config):
                if layers == 1:
                    return CELL_BASES[self.cell](**config)
                return self.made_of(cell=self.cell, layers=layers, **config)
        factories = {"make_lstm": LSTM, CELLS[self.cell].factory: CELL_BASES[self.cell],
                     **extra, self.factory: made_of}
        return SimpleNamespace(**factories, MASKS=getattr(self.made_of, "MASKS", "any"),
                               LOOPS=True, __doc__=self.made_of.__doc__)


BROKEN: dict[str, Registered] = {}
CORRECT: dict[str, Registered] = {}


def _name(obj):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", obj.__name__).lower()


def breaks(clause, caught_by, *, cell="lstm", factory=None, name=None, stacked=False):
    """Register the decorated class or function as breaking ``clause``, caught by the spec test
    ``caught_by`` (a test of that clause) in its run with ``cell`` (on stacked layers if
    ``stacked``: the decorated class is then a ``Stack``), standing in for ``factory``
    (default: the cell's, ``make_lstm``, ``make_gru`` or ``make_simple_rnn``), under ``name``
    (default: its name in snake case)."""
    def register(obj):
        key = name or _name(obj)
        BROKEN[key] = Registered(key, obj, clause, caught_by, cell,
                                 factory or CELLS[cell].factory, stacked)
        return obj
    return register


def breaks_every_cell(clause, caught_by, cells=tuple(CELL_BASES), factory=None):
    """Register the decorated mixin, on each of ``cells``' reference layers, as breaking
    ``clause`` in that cell's run of ``caught_by``: ``<name>`` for the LSTM, ``<name>_gru`` and
    ``<name>_simple_rnn`` for the others. The mixin handles the state as the list every cell
    keeps (``_state``). With ``factory`` (a trained model's), the decorated class is a broken
    classifier or sequence model, registered as it is for each cell (it is made with ``cell``)."""
    def register(mixin):
        for cell in cells:
            built = mixin if factory else type(mixin.__name__ + CELLS[cell].title,
                                                (mixin, CELL_BASES[cell]),
                                                {"__doc__": mixin.__doc__})
            suffix = "" if cell == "lstm" else f"_{cell}"
            breaks(clause, caught_by, cell=cell, factory=factory,
                   name=_name(mixin) + suffix)(built)
        return mixin
    return register


def passes(clause, *, factory="make_lstm", name=None):
    """Register the decorated class as a correct implementation of ``factory`` that must pass
    ``clause``."""
    def register(obj):
        key = name or _name(obj)
        CORRECT[key] = Registered(key, obj, clause, None, "lstm", factory)
        return obj
    return register


def __getattr__(name):
    """``tests.broken_impls.<name>``: the registered implementation of that name."""
    found = BROKEN.get(name) or CORRECT.get(name)
    if found is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return found.implementation


@breaks_every_cell("carry-per-index", "test_row_i_continues_row_i_of_the_previous_batch")
class NeverCarries:
    """A stateful model that forgets its state at the start of every call."""
    def predict_on_batch(self, x):
        self.reset_states()
        return super().predict_on_batch(x)


@breaks("carry-per-index", "test_row_i_continues_row_i_of_the_previous_batch")
class CarriesIntoNextRow(LSTM):
    """Row i's final state goes to row i+1 of the next batch (and the last row to row 0)."""
    def predict_on_batch(self, x):
        out = super().predict_on_batch(x)
        if self.stateful:
            self._h, self._c = np.roll(self._h, 1, axis=0), np.roll(self._c, 1, axis=0)
        return out


@breaks("carry-per-index", "test_batch_split_along_time_equals_one_call")
class CarriesOnlyH(LSTM):
    """The cell state c is dropped between calls; only h is carried."""
    def predict_on_batch(self, x):
        out = super().predict_on_batch(x)
        if self.stateful:
            self._c = np.zeros_like(self._c)
        return out


@breaks("stateless-zero-start", "test_output_does_not_depend_on_earlier_batches")
class StatelessRemembers(LSTM):
    """A stateless model that carries state between calls of the same batch size."""
    def predict_on_batch(self, x):
        if self.stateful:
            return super().predict_on_batch(x)
        x = validation.check_input(x, None, self.input_dim)
        memory = getattr(self, "_memory", None)
        if memory is None or memory[0].shape[0] != x.shape[0]:
            memory = [np.zeros((x.shape[0], self.units), np.float32)] * 2
        hs, *self._memory = lstm_forward(x, *memory, *self.get_weights())
        return hs


@breaks("masked-steps-keep-state", "test_masked_batches_leave_each_row_as_its_real_steps_alone")
class MaskedStepMovesC(LSTM):
    """A masked step keeps h, but c moves as if the step were real."""
    def run(self, x, cache=None, mask=None):
        start = self.start_states(len(x))
        hs = super().run(x, cache, mask)
        if self.stateful and mask is not None:
            self._c = lstm_forward(x, *start, *self.get_weights())[2]
        return hs


@breaks_every_cell("masked-steps-keep-state",
                   "test_a_row_masked_for_a_whole_batch_keeps_its_state_bit_for_bit")
class MaskedRowStartsAfresh:
    """A row masked for a whole batch is reset to zeros (as if its stream had ended)."""
    def run(self, x, cache=None, mask=None):
        hs = super().run(x, cache, mask)
        if self.stateful and mask is not None:
            waiting = ~mask.any(axis=1)
            self._state = [np.where(waiting[:, None], 0, s).astype(np.float32)
                           for s in self._state]
        return hs


@breaks_every_cell("ragged-streams", "test_each_document_in_ragged_streams_reads_as_if_alone")
class MaskedCallStartsAfresh:
    """Reads a masked batch as a batch of new sequences: with a mask, a stateful model starts
    every row from zeros (so a document that spans windows loses its context at each one)."""
    def run(self, x, cache=None, mask=None):
        if self.stateful and mask is not None:
            self.reset_states()
        return super().run(x, cache, mask)


@breaks("masked-steps-keep-state", "test_masked_batches_leave_each_row_as_its_real_steps_alone")
class MaskReadReversed(LSTM):
    """The mask is read back to front (its last column applied to the first step)."""
    def run(self, x, cache=None, mask=None):
        return super().run(x, cache, None if mask is None else mask[:, ::-1])


@breaks("masked-steps-keep-state", "test_a_masked_step_outputs_the_h_its_row_keeps")
class MaskedStepsOutputZeros(LSTM):
    """A masked step keeps the state but outputs zeros (PyTorch's padding_value)."""
    def run(self, x, cache=None, mask=None):
        hs = super().run(x, cache, mask)
        return hs if mask is None else np.where(mask[..., None], hs, 0).astype(np.float32)


@breaks("masked-steps-keep-state", "test_masked_batches_leave_each_row_as_its_real_steps_alone")
class LengthsFromMaskCounts(LSTM):
    """Declares right-padded masks, and reads any mask as a length per row, ``mask.sum(1)``
    (what a left-padded batch gives a framework that only knows lengths)."""
    MASKS = "right-padded"

    def run(self, x, cache=None, mask=None):
        if mask is not None:
            mask = np.arange(mask.shape[1]) < mask.sum(axis=1, keepdims=True)
        return super().run(x, cache, mask)


@breaks_every_cell("reset-clears", "test_reset_makes_h_and_c_exactly_zero")
class ResetLeavesTheLastRow:
    """reset_states() zeroes every row but the last (an off-by-one over the rows)."""
    def reset_states(self):
        if self.stateful and hasattr(self, "_state"):
            self._state = [np.concatenate([np.zeros_like(s[:-1]), s[-1:]]) for s in self._state]
        else:
            super().reset_states()


@breaks("reset-clears", "test_reset_makes_h_and_c_exactly_zero")
class ResetKeepsC(LSTM):
    """reset_states() zeroes h but keeps the cell state c."""
    def reset_states(self):
        if self.stateful:
            self._h = np.zeros((self.batch_size, self.units), np.float32)
            self._c = getattr(self, "_c", self._h)


@breaks("reset-clears", "test_reset_makes_h_and_c_exactly_zero", stacked=True)
class StackResetClearsTheTopLayerOnly(Stack):
    """A stack whose reset_states() clears its top layer only (a reset of the last layer's
    states, as a user who reads only the top layer's state writes it)."""
    def reset_states(self):
        self.layers[-1].reset_states()


@breaks("state-access", "test_each_layer_carries_its_own_state", cell="gru", stacked=True)
class StackLayersStatesSwapped(Stack):
    """A stack whose get_states and set_states list the layers top first (the first two
    layers' states swapped), each agreeing with the other: a round trip gives back what was
    set, but layer k starts from the arrays meant for another layer."""
    def _order(self, states):
        layers = CELLS[self.cell].by_layer(states)
        layers[0], layers[1] = layers[1], layers[0]
        return [s for layer in layers for s in layer]

    def get_states(self):
        return self._order(super().get_states())

    def set_states(self, states):
        super().set_states(self._order(list(states)))


@breaks("reference-agreement", "test_outputs_and_state_match_the_reference_from_any_state",
        stacked=True)
class StackFeedsTheLastOutputOnly(Stack):
    """A stack whose layers above the first read only the last timestep's output of the layer
    below, repeated at every timestep (a layer without return_sequences, repeated to fit)."""
    def predict_on_batch(self, x, mask=None):
        x = self.layers[0]._check_batch("predict_on_batch", x)
        mask = validation.check_mask("predict_on_batch", mask, x.shape[:2])
        for k, layer in enumerate(self.layers):
            if k and x.shape[1]:
                x = np.repeat(x[:, -1:], x.shape[1], axis=1)
            x = layer.run(x, mask=mask)
        return x


@breaks("reset-clears", "test_reset_leaves_the_weights_untouched")
class ResetTouchesWeights(LSTM):
    """reset_states() also sets the forget-gate bias back to its initial value of 1."""
    def reset_states(self):
        super().reset_states()
        if hasattr(self, "bias"):
            self.bias[self.units:2 * self.units] = 1.0


@breaks("in-batch-flow", "test_one_call_of_T_steps_equals_T_calls_of_one_step")
class NoFlowThroughTime(LSTM):
    """Inside one call, every timestep starts from the call's initial state."""
    def predict_on_batch(self, x):
        x = validation.check_input(x, self.batch_size if self.stateful else None, self.input_dim)
        start = self.get_states() if self.stateful else [np.zeros((x.shape[0], self.units),
                                                                  np.float32)] * 2
        steps = [lstm_forward(x[:, t:t + 1], *start, *self.get_weights())
                 for t in range(x.shape[1])]
        if self.stateful and steps:
            self._h, self._c = steps[-1][1:]
        return np.concatenate([s[0] for s in steps], axis=1) if steps else \
            np.zeros((x.shape[0], 0, self.units), np.float32)


@breaks_every_cell("in-batch-flow", "test_one_call_of_T_steps_equals_T_calls_of_one_step")
class RowsLeak:
    """Each row's carried h is mixed with the batch mean at the end of every call."""
    def predict_on_batch(self, x):
        out = super().predict_on_batch(x)
        if self.stateful:
            h = self._state[0]
            self._state = [0.5 * (h + h.mean(axis=0, keepdims=True)), *self._state[1:]]
        return out


@breaks_every_cell("state-access", "test_set_states_then_predict_continues_from_exactly_that_state")
class StaleGetStates:
    """get_states() returns the state as it was before the last call."""
    def predict_on_batch(self, x):
        self._previous = super().get_states() if self.stateful else None
        return super().predict_on_batch(x)

    def get_states(self):
        return getattr(self, "_previous", None) or super().get_states()


@breaks("state-access", "test_no_memory_is_shared_with_the_caller")
class SetStatesKeepsReference(LSTM):
    """set_states() keeps the caller's arrays instead of copies."""
    def set_states(self, states):
        validation.check_states(states, self.batch_size, self.units)
        self._h, self._c = states


@breaks("bad-batch-rejected", "test_batch_of_one_row_is_refused_by_a_larger_model")
class BroadcastsOneRow(LSTM):
    """Accepts a batch of 1 row on a larger stateful model and broadcasts it (as Keras 3 does)."""
    def predict_on_batch(self, x):
        x = np.asarray(x, np.float32)
        if self.stateful and x.ndim == 3 and x.shape[0] == 1:
            x = np.repeat(x, self.batch_size, axis=0)
        return super().predict_on_batch(x)


@breaks("bad-batch-rejected", "test_set_states_with_a_wrong_shape_is_refused")
class SetStatesBroadcasts(LSTM):
    """set_states() broadcasts what it is given to (batch_size, units), as NumPy would."""
    def set_states(self, states):
        shape = (self.batch_size, self.units)
        self._h, self._c = (np.broadcast_to(np.asarray(s, np.float32), shape).copy()
                            for s in states)


@breaks_every_cell("bad-batch-rejected", "test_set_states_with_a_wrong_shape_is_refused")
class SetStatesBroadcastsOneRow:
    """set_states() takes a state of one row, (1, units), as every row's (and refuses any other
    wrong shape)."""
    def set_states(self, states):
        super().set_states([np.repeat(s, self.batch_size, axis=0)
                            if np.shape(s) == (1, self.units) else s for s in states])


@breaks("bad-batch-rejected", "test_batch_of_another_size_is_refused")
class BadBatchZeroesState(LSTM):
    """A refused batch wipes the carried state before the error is raised."""
    def predict_on_batch(self, x):
        try:
            return super().predict_on_batch(x)
        except ValueError:
            self.reset_states()
            raise


@breaks("state-access", "test_no_memory_is_shared_with_the_caller")
class ReadOnlyOutputs(LSTM):
    """predict_on_batch returns a read-only array (as np.asarray of a JAX array is)."""
    def predict_on_batch(self, x):
        out = super().predict_on_batch(x)
        out.flags.writeable = False
        return out


@breaks("state-access", "test_no_memory_is_shared_with_the_caller")
class KeepsPageAlignedArrays(LSTM):
    """set_states keeps the caller's arrays when they are page-aligned float32, as zero-copy
    conversions do (JAX on the CPU), and copies them otherwise."""
    def set_states(self, states):
        validation.check_states(states, self.batch_size, self.units)
        if all(isinstance(s, np.ndarray) and s.dtype == np.float32 and s.flags.c_contiguous
               and s.ctypes.data % 4096 == 0 for s in states):
            self._h, self._c = states
        else:
            super().set_states(states)


@breaks("state-access", "test_set_weights_leaves_the_carried_state_alone")
class SetWeightsResetsState(LSTM):
    """set_weights also zeroes the carried state."""
    def set_weights(self, weights):
        super().set_weights(weights)
        self.reset_states()


@breaks("state-access", "test_a_fresh_model_carries_zero_state")
class StateOnlyAfterFirstCall(LSTM):
    """The state is created by the first call (or set_states): a new stateful model's
    get_states() returns [] (as Keras' layer.states is None before the layer is built)."""
    def get_states(self):
        if self.stateful and not getattr(self, "_built", False):
            return []
        return super().get_states()

    def predict_on_batch(self, x):
        self._built = True
        return super().predict_on_batch(x)

    def set_states(self, states):
        super().set_states(states)
        self._built = True


@breaks("state-access", "test_a_stateless_model_has_no_state_to_get_or_set")
class StatelessReportsZeroState(LSTM):
    """A stateless model's get_states returns zeros and set_states is a silent no-op, instead of
    refusing: there is no carried state to read or write."""
    def get_states(self):
        if self.stateful:
            return super().get_states()
        return [np.zeros((1, self.units), np.float32)] * 2

    def set_states(self, states):
        if self.stateful:
            super().set_states(states)


@breaks("bad-batch-rejected", "test_input_that_is_not_3d_is_refused_by_a_stateless_model",
        name="stateless_reads_2d_as_one_sequence")
class StatelessReadsTwoDAsOneSequence(LSTM):
    """A stateless model reads a 2-D (timesteps, input_dim) input as one unbatched sequence (as
    torch.nn.LSTM does) and returns (timesteps, units)."""
    def predict_on_batch(self, x):
        x = np.asarray(x)
        if not self.stateful and x.ndim == 2 and x.shape[1] == self.input_dim:
            return super().predict_on_batch(x[None])[0]
        return super().predict_on_batch(x)


@breaks("bad-batch-rejected", "test_input_that_is_not_3d_is_refused")
class FreshModelAdjustsRank(LSTM):
    """Until its first call, a model accepts (batch, timesteps) when input_dim is 1 and
    (batch, timesteps, input_dim, 1), and reads them as 3-D (as a fresh Keras 3 functional model
    does)."""
    def predict_on_batch(self, x):
        x = np.asarray(x)
        if not getattr(self, "_called", False):
            if x.ndim == 2 and self.input_dim == 1:
                x = x[..., None]
            elif x.ndim == 4 and x.shape[-1] == 1:
                x = x[..., 0]
        self._called = True
        return super().predict_on_batch(x)


@breaks("reference-agreement", "test_a_fresh_model_computes_with_the_weights_it_reports")
class HiddenSecondBias(LSTM):
    """Computes with a second bias drawn at construction (as torch.nn.LSTM's bias_hh) that
    get_weights leaves out; set_weights zeroes it."""
    def __init__(self, **config):
        super().__init__(**config)
        self.bias_hh = np.random.default_rng(config.get("seed", 0)).uniform(
            -0.5, 0.5, self.bias.shape).astype(np.float32)

    def run(self, x, cache=None, mask=None):
        bias = self.bias
        self.bias = bias + self.bias_hh
        try:
            return super().run(x, cache, mask)
        finally:
            self.bias = bias

    def set_weights(self, weights):
        super().set_weights(weights)
        self.bias_hh = np.zeros_like(self.bias)


@breaks("reference-agreement", "test_a_fresh_model_computes_with_the_weights_it_reports")
class SeedIgnored(LSTM):
    """Draws its initial weights from a generator shared by all models, not from ``seed``."""
    _shared = np.random.default_rng(0)

    def __init__(self, **config):
        super().__init__(**config)
        self.kernel = self._shared.uniform(-0.5, 0.5, self.kernel.shape).astype(np.float32)


@breaks("reference-agreement", "test_outputs_and_state_match_the_reference_from_any_state")
class WrongGateOrder(LSTM):
    """Reads the gate blocks in the order i, c, f, o instead of Keras' i, f, c, o."""
    def predict_on_batch(self, x):
        u = self.units
        order = np.r_[0:u, 2 * u:3 * u, u:2 * u, 3 * u:4 * u]
        kernel, recurrent, bias = self.kernel, self.recurrent_kernel, self.bias
        self.kernel, self.recurrent_kernel, self.bias = (
            kernel[:, order], recurrent[:, order], bias[order])
        try:
            return super().predict_on_batch(x)
        finally:
            self.kernel, self.recurrent_kernel, self.bias = kernel, recurrent, bias


@breaks("reference-agreement", "test_any_history_of_calls_matches_the_reference")
class NoForgetGate(LSTM):
    """The cell state is never forgotten: f is fixed at 1."""
    def predict_on_batch(self, x):
        bias = self.bias
        self.bias = bias.copy()
        self.bias[self.units:2 * self.units] = 1e4     # sigmoid(z_f) == 1 in float32
        try:
            return super().predict_on_batch(x)
        finally:
            self.bias = bias


@breaks_every_cell("training-carries-state",
                   "test_stateful_classifier_moves_the_state_like_the_bare_lstm",
                   factory="make_classifier")
class TrainingKeepsState(Classifier):
    """train_on_batch leaves the carried state where it was (only prediction moves it)."""
    def train_on_batch(self, x, y):
        states = self.get_states() if self.stateful else None
        loss = super().train_on_batch(x, y)
        if states is not None:
            self.set_states(states)
        return loss


@breaks("test-on-batch", "test_classifier_test_on_batch_is_the_training_loss_without_the_step",
        factory="make_classifier")
class SampleWeightsIgnored(Classifier):
    """train_on_batch and test_on_batch ignore the sample weights."""
    def train_on_batch(self, x, y, sample_weight=None, mask=None):
        return super().train_on_batch(x, y, mask=mask)

    def test_on_batch(self, x, y, sample_weight=None, mask=None):
        return super().test_on_batch(x, y, mask=mask)


@breaks("test-on-batch", "test_classifier_test_on_batch_is_the_training_loss_without_the_step",
        factory="make_classifier")
class WeightedLossOverTheWeights(Classifier):
    """The weighted loss divided by the sum of the weights (Keras' "mean_with_sample_weight"),
    not by the batch size."""
    def _loss(self, what, x, y, sample_weight, mask, cache=None):
        x, (p, loss, dh, dW, db) = super()._loss(what, x, y, sample_weight, mask, cache)
        if sample_weight is None or not sample_weight.sum():
            return x, (p, loss, dh, dW, db)
        scale = len(sample_weight) / sample_weight.sum()
        return x, (p, loss * scale, dh * scale, dW * scale, db * scale)


@breaks_every_cell("test-on-batch",
                   "test_classifier_test_on_batch_is_the_training_loss_without_the_step",
                   factory="make_classifier")
class TestOnBatchTrains(Classifier):
    """test_on_batch takes a training step."""
    def test_on_batch(self, x, y, sample_weight=None, mask=None):
        return self.train_on_batch(x, y, sample_weight, mask)


@breaks("test-on-batch", "test_sequence_test_on_batch_is_the_training_loss_without_the_step",
        factory="make_sequence_model")
class TestOnBatchKeepsState(SequenceModel):
    """test_on_batch leaves the carried state where it was."""
    def test_on_batch(self, x, y, sample_weight=None, mask=None):
        states = self.get_states() if self.stateful else None
        loss = super().test_on_batch(x, y, sample_weight, mask)
        if states is not None:
            self.set_states(states)
        return loss


@breaks_every_cell("masked-training-agreement", "test_masked_classifier_steps_match_the_reference",
                   factory="make_classifier")
class TrainingIgnoresTheMask(Classifier):
    """train_on_batch and test_on_batch run the LSTM over the padding (prediction masks)."""
    def _loss(self, what, x, y, sample_weight, mask, cache=None):
        return super()._loss(what, x, y, sample_weight, None, cache)


@breaks("masked-training-agreement", "test_masked_sequence_steps_match_the_reference",
        factory="make_sequence_model")
class PaddingInTheLoss(SequenceModel):
    """The masked tokens count in the loss (the mean over every token), though the state is
    kept at the masked steps."""
    def _step(self, what, x, y, sample_weight, mask):
        start = [s.copy() for s in self.layer.start_states(np.shape(x)[0])]
        step = super()._step(what, x, y, sample_weight, None)
        if mask is not None:
            self.layer.keep(*sequence.forward_backward(
                self.parameters.views, np.asarray(x), np.asarray(y), start, sample_weight,
                mask, self.cell).state)
        return step


def _freeze_bias(model, index):
    """Drop the gradient of ``model``'s recurrent bias (its weight ``index``) before each Adam
    step: the whole bias, or for the GRU its recurrent row only (the one Flax's GRU lacks)."""
    step = model.parameters.step

    def frozen(gradients):
        gradients = list(gradients)
        gradients[index] = gradients[index].copy()
        gradients[index][1 if model.cell == "gru" else slice(None)] = 0
        step(gradients)
    model.parameters.step = frozen


@breaks_every_cell("training-agreement", "test_train_on_batch_matches_the_reference",
                   factory="make_classifier")
class ClassifierBiasNotTrained(Classifier):
    """The recurrent layer's bias is never trained (for the GRU: its recurrent bias row): its
    gradient is dropped before the Adam step."""
    def __init__(self, **config):
        super().__init__(**config)
        _freeze_bias(self, 2)


@breaks_every_cell("sequence-training-agreement",
                   "test_sequence_train_on_batch_matches_the_reference",
                   factory="make_sequence_model")
class SequenceBiasNotTrained(SequenceModel):
    """The sequence model's ``ClassifierBiasNotTrained``."""
    def __init__(self, **config):
        super().__init__(**config)
        _freeze_bias(self, 3)


@breaks("training-agreement", "test_train_on_batch_matches_the_reference", factory="make_classifier")
class AdamWithoutBiasCorrection(Classifier):
    """Adam without the bias correction of its moment estimates (steps are ~3x too small)."""
    def __init__(self, **config):
        super().__init__(**config)
        self.parameters.optimizer = _UncorrectedAdam(config.get("learning_rate", 0.001))


class _UncorrectedAdam(Adam):
    def step(self, w, g):
        super().step(w, g)
        self.t = 0          # lr_t = lr * sqrt(1 - b2) / (1 - b1) at every step


@breaks("training-agreement", "test_train_on_batch_matches_the_reference", factory="make_classifier")
class AdamEpsilonAfterBiasCorrection(Classifier):
    """Adam as PyTorch and optax write it (MLX with ``bias_correction=True``): epsilon added
    after the bias correction, w -= lr m_hat / (sqrt(v_hat) + eps); it differs from Keras'
    where a gradient is small beside epsilon / sqrt(1 - b2^t)."""
    def __init__(self, **config):
        super().__init__(**config)
        self.parameters.optimizer = _EpsilonAfterBiasCorrection(config.get("learning_rate",
                                                                           0.001))


class _EpsilonAfterBiasCorrection(Adam):
    def step(self, w, g):
        if self.m is None:
            self.m, self.v = np.zeros_like(w), np.zeros_like(w)
        self.t += 1
        self.m += (1 - self.beta_1) * (g - self.m)
        self.v += (1 - self.beta_2) * (g * g - self.v)
        m_hat = self.m / (1 - self.beta_1 ** self.t)
        v_hat = self.v / (1 - self.beta_2 ** self.t)
        w -= w.dtype.type(self.learning_rate) * m_hat / (np.sqrt(v_hat) + w.dtype.type(self.epsilon))


@breaks("training-agreement", "test_train_on_batch_matches_the_reference", factory="make_classifier")
class IgnoresLearningRate(Classifier):
    """Trains with the default learning rate 0.001 whatever ``learning_rate`` it is given."""
    def __init__(self, **config):
        super().__init__(**config)
        self.parameters.optimizer = Adam(0.001)


@breaks("reset-clears", "test_a_classifier_reset_clears_h_and_c", factory="make_classifier")
class ClassifierResetKeepsC(Classifier):
    """A classifier whose reset_states() clears h but keeps the cell state c."""
    def reset_states(self):
        if self.stateful:
            c = self.layer._state[1]
            super().reset_states()
            self.layer._state[1] = c


@breaks("bad-batch-rejected", "test_a_classifier_refuses_a_batch_of_another_size", factory="make_classifier")
class ClassifierFitsAnyBatch(Classifier):
    """A stateful classifier that silently cuts or repeats a batch of another size to its own
    batch_size rows."""
    def _check_batch(self, what, x, y=None, sample_weight=None, mask=None):
        x = np.asarray(x, np.float32)
        if self.stateful and x.ndim == 3 and x.shape[0] != self.batch_size:
            rows = np.resize(np.arange(x.shape[0]), self.batch_size)
            x, y, sample_weight, mask = (None if a is None else np.asarray(a)[rows]
                                         for a in (x, y, sample_weight, mask))
        return super()._check_batch(what, x, y, sample_weight, mask)


@breaks("bad-batch-rejected", "test_a_classifier_refuses_a_batch_of_one_row", factory="make_classifier")
class ClassifierBroadcastsOneRow(Classifier):
    """A stateful classifier that broadcasts a batch of 1 row over its rows (as the Keras LSTM
    does); every other wrong batch size is refused."""
    def _check_batch(self, what, x, y=None, sample_weight=None, mask=None):
        x = np.asarray(x, np.float32)
        if self.stateful and x.ndim == 3 and x.shape[0] == 1:
            x, y, sample_weight, mask = (None if a is None
                                         else np.repeat(np.asarray(a), self.batch_size, axis=0)
                                         for a in (x, y, sample_weight, mask))
        return super()._check_batch(what, x, y, sample_weight, mask)


@breaks("state-access", "test_a_classifier_shares_no_memory_with_the_caller", factory="make_classifier")
class ClassifierKeepsCallerStates(Classifier):
    """A classifier whose set_states keeps the caller's arrays instead of copies."""
    def set_states(self, states):
        validation.check_states(states, self.batch_size, self.units)
        self.layer._state = list(states)


@breaks("position-only-alphabet",
        "test_tutorial_model_walks_from_a_but_answers_b_from_other_letters", factory="make_classifier")
@breaks("alphabet-remedies",
        "test_stateful_model_trained_on_subsequences_from_any_letter", name="never_learns_remedies",
        factory="make_classifier")
class NeverLearns(Classifier):
    """train_on_batch returns the loss but never updates the weights."""
    def train_on_batch(self, x, y, sample_weight=None, mask=None):
        return self.test_on_batch(x, y, sample_weight, mask)


@passes("reference-agreement")
class Float64Forward(LSTM):
    """A correct LSTM that computes in float64 and rounds its outputs and state to float32: over a
    long history it drifts from the float32 reference by rounding alone."""
    def run(self, x, cache=None, mask=None):
        start = [self._h, self._c] if self.stateful else [np.zeros((len(x), self.units))] * 2
        hs, h, c = lstm_forward(x.astype(np.float64), *(np.float64(a) for a in start),
                                *(np.float64(w) for w in self.get_weights()), mask=mask)
        if self.stateful:
            self._h, self._c = h.astype(np.float32), c.astype(np.float32)
        return hs.astype(np.float32)


@passes("training-agreement", factory="make_classifier")
class ReversedRowOrder(Classifier):
    """A correct classifier that trains on the batch's rows in reverse order: the gradient's sums
    run in another order, so it differs from the reference's by float32 rounding (and a gradient
    that is zero up to rounding can have the other sign)."""
    def train_on_batch(self, x, y, sample_weight=None, mask=None):
        x, y, sample_weight, mask = self._check_batch("train_on_batch", x, y, sample_weight, mask)
        if self.stateful:
            self.layer._state = [s[::-1] for s in self.layer._state]
        loss = super().train_on_batch(*(None if a is None else a[::-1]
                                        for a in (x, y, sample_weight, mask)))
        if self.stateful:
            self.layer._state = [s[::-1] for s in self.layer._state]
        return loss


@breaks("stream-layout",
        "test_streams_are_contiguous_windows_with_next_token_targets", name="interleaved_streams",
        factory="stream_batches")
def interleaved_stream_batches(tokens, batch_size, seq_len):
    """Deals the windows of the text out to the rows in turn (row i gets windows i, i + B, ...):
    each row's windows are not contiguous, so the carried state follows no real text."""
    tokens = np.asarray(tokens)
    count = streams.batch_count(tokens.size, batch_size, seq_len)
    for k in range(count):
        starts = (k * batch_size + np.arange(batch_size)) * seq_len
        x = np.stack([tokens[s:s + seq_len] for s in starts])
        yield x, np.stack([tokens[s + 1:s + seq_len + 1] for s in starts])


@breaks("sequence-training-agreement", "test_sequence_train_on_batch_matches_the_reference",
        factory="make_sequence_model")
class EmbeddingKeepsOneOccurrence(SequenceModel):
    """The embedding's gradient keeps one occurrence of a repeated token (``dE[x] = de``, the
    NumPy fancy-indexing pitfall) instead of the sum over all of them (``np.add.at``)."""
    def train_on_batch(self, x, y):
        x, y, _, _ = self._check_batch("train_on_batch", x, y)
        step = sequence.forward_backward(self.parameters.views, x, y,
                                         self.layer.start_states(x.shape[0]), cell=self.cell)
        targets = np.eye(self.vocab_size, dtype=np.float32)[y.ravel()]
        dh = ((step.probabilities - targets) / y.size) @ self.W.T
        _, de = self.layer.backward(step.inputs[0], dh.reshape(step.hs.shape), step.caches[0],
                                    self.layer.recurrent_kernel, kernel=self.layer.kernel)
        dE = np.zeros_like(self.E)
        dE[x] = de                       # the last occurrence of each token wins
        self.layer.keep(*step.state)
        self.parameters.step([dE, *step.gradients[1:]])
        return float(step.loss)


@breaks("streams-carry-context", "test_carried_state_beats_a_reset_before_every_window",
        factory="make_sequence_model")
class SequenceNeverCarries(SequenceModel):
    """A stateful sequence model that starts every call from zeros (it reports its state, but
    never reads it back)."""
    def predict_on_batch(self, x):
        self.reset_states()
        return super().predict_on_batch(x)

    def train_on_batch(self, x, y):
        self.reset_states()
        return super().train_on_batch(x, y)


@breaks_every_cell("batch1-copy", "test_a_copy_given_row_i_state_continues_row_i",
                   factory="make_sequence_model")
class SoftmaxOverTheBatch(SequenceModel):
    """predict_on_batch normalizes the probabilities over the batch's rows (axis 0) instead of
    over the vocabulary: a batch-size-1 copy answers differently from row i of the batch."""
    def predict_on_batch(self, x):
        x = self._check_batch("predict_on_batch", x)[0]
        logits = self.layer.run(self.E[x]) @ self.W + self.b
        return np.moveaxis(softmax(np.moveaxis(logits, 0, -1)), -1, 0)


def _with_initializers(model_proto, **arrays):
    """``model_proto`` with the named initializers replaced by ``arrays``."""
    from onnx import numpy_helper
    for tensor in model_proto.graph.initializer:
        if tensor.name in arrays:
            tensor.CopyFrom(numpy_helper.from_array(arrays[tensor.name], tensor.name))
    return model_proto


@breaks("exported-copy", "test_an_exported_lstm_given_row_i_state_continues_row_i",
        name="exports_gates_in_keras_order", factory="to_onnx")
def keras_gate_order_to_onnx(model, *, batch_size=1):
    """Gives the ONNX LSTM operator Keras' blocks as they are (i, f, c, o), where it reads i, o,
    f, c: the copy runs, and computes another LSTM."""
    model_proto = export.to_onnx(model, batch_size=batch_size)
    found = export.initializers(model_proto)
    kernel, recurrent_kernel, bias = export.keras_weights("lstm", found["W"], found["R"], found["B"])
    return _with_initializers(model_proto, W=kernel.T[None].copy(),
                              R=recurrent_kernel.T[None].copy(),
                              B=np.concatenate([bias, np.zeros_like(bias)])[None])


@breaks("exported-copy", "test_an_exported_lstm_given_row_i_state_continues_row_i",
        name="exports_without_the_state", factory="to_onnx")
@breaks("exported-copy", "test_an_exported_lstm_given_row_i_state_continues_row_i", cell="gru",
        name="exports_without_the_state_gru", factory="to_onnx")
@breaks("exported-copy", "test_an_exported_lstm_given_row_i_state_continues_row_i",
        cell="simple_rnn", name="exports_without_the_state_simple_rnn", factory="to_onnx")
def stateless_to_onnx(model, *, batch_size=1):
    """Takes the state (h and c, or h) as inputs but does not wire it to the operator's
    initial_h (and initial_c), what converters that drop a stateful model's state variables do:
    the copy always starts from zeros."""
    model_proto = export.to_onnx(model, batch_size=batch_size)
    cell = next(node for node in model_proto.graph.node if node.op_type in ("LSTM", "GRU", "RNN"))
    for k in range(5, len(cell.input)):
        cell.input[k] = ""
    return model_proto


@breaks("exported-copy", "test_an_exported_lstm_fed_row_i_history_gives_row_i_outputs",
        name="exports_the_bias_twice", factory="to_onnx")
def bias_twice_to_onnx(model, *, batch_size=1):
    """Puts the bias in both of the operator's biases, Wb and Rb (as a port that copies
    PyTorch's bias_ih and bias_hh might), which it adds: the copy computes with twice the
    bias."""
    model_proto = export.to_onnx(model, batch_size=batch_size)
    B = export.initializers(model_proto)["B"]
    u4 = B.shape[1] // 2
    return _with_initializers(model_proto, B=np.concatenate([B[:, :u4], B[:, :u4]], axis=1))


@breaks("exported-copy", "test_an_exported_sequence_model_fed_row_i_history_gives_row_i_outputs",
        name="exports_no_dense_bias", factory="to_onnx")
def dense_bias_dropped_to_onnx(model, *, batch_size=1):
    """Leaves the Dense layer's bias out of the exported sequence model (zeros): its
    probabilities differ wherever the trained bias is not zero."""
    model_proto = export.to_onnx(model, batch_size=batch_size)
    bias = export.initializers(model_proto)["dense_bias"]
    return _with_initializers(model_proto, dense_bias=np.zeros_like(bias))


# Broken GRUs: each passes every LSTM test (it is not an LSTM) and is caught only by the runs of
# the clauses with the GRU (``every_cell``).

def _in_torch_order(weights):
    """The GRU's weights with their gate blocks (z, r, h) put in PyTorch's order r, z, n."""
    columns = CELLS["gru"].columns("torch", weights[1].shape[0])
    return [w[..., columns] for w in weights]


@breaks("reference-agreement", "test_outputs_and_state_match_the_reference_from_any_state", cell="gru")
class GruGateBlocksSwapped(GRU):
    """Reads the gate blocks in PyTorch's order r, z, n as if they were Keras' z, r, h: the update
    and reset gates swapped (a port that copies nn.GRU's weights unchanged)."""
    @staticmethod
    def forward(x, h, kernel, recurrent_kernel, bias, cache=None, mask=None):
        return gru_forward(x, h, *_in_torch_order([kernel, recurrent_kernel, bias]), cache, mask)


@breaks("reference-agreement", "test_outputs_and_state_match_the_reference_from_any_state", cell="gru")
class GruResetBefore(GRU):
    """The reset_after=False formula: the reset gate applied to h before the recurrent product,
    g = tanh(x W_h + b_h + (r * h) U_h + b'_h) (Keras 2's old default, ONNX's default
    linear_before_reset=0)."""
    @staticmethod
    def forward(x, h, kernel, recurrent_kernel, bias, cache=None, mask=None):
        u = recurrent_kernel.shape[0]
        hs = np.empty((x.shape[0], x.shape[1], u), np.float32)
        for t in range(x.shape[1]):
            xz = x[:, t] @ kernel + bias[0]
            hz = h @ recurrent_kernel[:, :2 * u] + bias[1, :2 * u]
            z, r = (1 / (1 + np.exp(-(xz[:, k * u:(k + 1) * u] + hz[:, k * u:(k + 1) * u])))
                    for k in (0, 1))
            g = np.tanh(xz[:, 2 * u:] + (r * h) @ recurrent_kernel[:, 2 * u:] + bias[1, 2 * u:])
            new = (z * h + (1 - z) * g).astype(np.float32)
            h = new if mask is None else np.where(mask[:, t, None], new, h)
            hs[:, t] = h
        return hs, h


@breaks("reference-agreement", "test_outputs_and_state_match_the_reference_from_any_state", cell="gru")
class GruDropsRecurrentBias(GRU):
    """Computes without the recurrent bias (bias row 1), as a framework with one bias per gate
    block does when only the input's bias is copied over."""
    @staticmethod
    def forward(x, h, kernel, recurrent_kernel, bias, cache=None, mask=None):
        hs, h = gru_forward(x, h, kernel, recurrent_kernel, bias * [[1], [0]], cache, mask)
        return hs, h.astype(np.float32)


@breaks_every_cell("stateless-zero-start", "test_equals_a_stateful_model_right_after_reset")
class StatelessStartNotZero:
    """A stateless model that starts every call from tanh of its bias' first units (a learned
    initial state) instead of zeros; a stateful one starts from zeros after a reset."""
    def start_states(self, batch):
        if self.stateful:
            return super().start_states(batch)
        start = np.tanh(self.bias.reshape(-1)[:self.units])
        return (np.repeat(start[None], batch, axis=0).astype(np.float32),) * len(self.STATES)


@breaks("reference-agreement", "test_outputs_and_state_match_the_reference_from_any_state",
        cell="simple_rnn")
class SimpleRnnWithoutBias(SimpleRNN):
    """Computes without the bias, as a port that maps only the kernels does."""
    @staticmethod
    def forward(x, h, kernel, recurrent_kernel, bias, cache=None, mask=None):
        return simple_rnn_forward(x, h, kernel, recurrent_kernel, np.zeros_like(bias), cache, mask)


@breaks_every_cell("loops-are-batch-calls", "test_predict_is_predict_on_batch_on_consecutive_slices")
class PredictStartsEveryBatchAfresh:
    """predict resets a stateful model's state before each of its batches."""
    def predict(self, x, batch_size, verbose=0):
        outputs = []
        for start in range(0, len(x), batch_size):
            self.reset_states()
            outputs.append(self.predict_on_batch(x[start:start + batch_size]))
        return np.concatenate(outputs)


@breaks("loops-are-batch-calls", "test_a_classifiers_loops_are_its_batch_calls",
        factory="make_classifier")
class EvaluateTrains(Classifier):
    """evaluate takes a training step on each batch (it returns the loss before the step, as
    test_on_batch would)."""
    def evaluate(self, x, y, batch_size, sample_weight=None, verbose=0):
        batches = loops.loop_batches(self, "evaluate", batch_size, x, y, sample_weight)
        return loops.rows_mean([self.train_on_batch(*batch) for batch in batches], batches)


@breaks_every_cell("stateful-loop-rules",
                   "test_predict_refuses_a_partial_last_batch_before_anything_runs")
class PadsTheLastBatchWithCopies:
    """predict pads a partial last batch with copies of its last row and returns the real rows
    only: the copies move the state of the rows they fill."""
    def predict(self, x, batch_size, verbose=0):
        x = np.asarray(x)
        padded = np.concatenate([x, np.repeat(x[-1:], -len(x) % batch_size, axis=0)])
        return super().predict(padded, batch_size)[:len(x)]


@breaks("stateful-loop-rules", "test_fit_keeps_the_order_of_a_stateful_models_samples_by_default",
        factory="make_classifier")
class FitShufflesByDefault(Classifier):
    """fit shuffles every model's samples unless told not to (Keras' default)."""
    def fit(self, x, y, batch_size, epochs=1, shuffle=None, sample_weight=None, **options):
        if shuffle is None:
            order = np.random.default_rng(0).permutation(len(x))
            x, y, sample_weight = (None if a is None else np.asarray(a)[order]
                                   for a in (x, y, sample_weight))
        return super().fit(x, y, batch_size, epochs, False, sample_weight, **options)


@breaks("stateful-loop-rules", "test_fit_refuses_to_shuffle_a_stateful_models_samples",
        factory="make_classifier")
class FitShufflesRowsWhenTold(Classifier):
    """fit(shuffle=True) shuffles a stateful model's samples instead of refusing."""
    def fit(self, x, y, batch_size, epochs=1, shuffle=None, sample_weight=None, **options):
        if shuffle:
            order = np.random.default_rng(0).permutation(len(x))
            x, y, sample_weight = (None if a is None else np.asarray(a)[order]
                                   for a in (x, y, sample_weight))
        return super().fit(x, y, batch_size, epochs, False, sample_weight, **options)


@breaks("stateful-loop-rules",
        "test_validation_in_fit_starts_from_zeros_and_leaves_the_training_state",
        factory="make_classifier")
class ValidationRunsThroughTheTrainingState(Classifier):
    """fit's validation pass continues from the training state and leaves its own behind (as
    Keras' does)."""
    def _validate(self, validation_data, batch_size):
        x, y, *sample_weight = validation_data
        return self.evaluate(x, y, batch_size, *sample_weight)


# Broken step models (clause 23): each is the reference's ``step_model`` with one thing changed,
# registered for every cell.

def breaks_pool_every_cell(caught_by):
    """Register the decorated ``ReferenceStepModel`` subclass (called as ``step_model(model)``)
    as breaking ``stream-pool`` in each cell's run of ``caught_by``."""
    def register(step_model):
        for cell in CELL_BASES:
            suffix = "" if cell == "lstm" else f"_{cell}"
            breaks("stream-pool", caught_by, cell=cell, factory="step_model",
                   name=_name(step_model) + suffix)(step_model)
        return step_model
    return register


@breaks_pool_every_cell("test_any_interleaving_serves_each_stream_as_if_alone")
class StepsFromZeros(ReferenceStepModel):
    """Ignores the state it is given: every call starts from zeros (a runtime whose state
    inputs are not wired to the cell)."""
    def run(self, x, *state):
        return super().run(x, *(np.zeros_like(s) for s in state))


@breaks_pool_every_cell("test_any_interleaving_serves_each_stream_as_if_alone")
class StepsFromItsOwnState(ReferenceStepModel):
    """Carries its own state from call to call and ignores the one it is given, as one stateful
    runtime request serving every stream does: a stream continues whichever stream stepped
    last."""
    def run(self, x, *state):
        held = getattr(self, "held", None)
        if held is None or len(held[0]) != len(x):
            held = [np.zeros_like(s) for s in state]
        y, *self.held = super().run(x, *held)
        return [y, *self.held]


@breaks_pool_every_cell("test_any_interleaving_serves_each_stream_as_if_alone")
class StepsRowsReversed(ReferenceStepModel):
    """Gives row i the state of row B-1-i (rows gathered in one order, scattered in the other)."""
    def run(self, x, *state):
        return super().run(x, *(s[::-1] for s in state))


@breaks_pool_every_cell("test_two_threads_sharing_one_step_model_never_see_each_others_state")
class KeepsTheCallsStateInAnAttribute(ReferenceStepModel):
    """Keeps the call's state in an attribute while it runs (as an interpreter keeps its input
    tensors): two threads calling it at once compute from each other's state."""
    def run(self, x, *state):
        self.state = state
        time.sleep(0.001)
        return super().run(x, *self.state)
