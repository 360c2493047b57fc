"""PyTorch (the ``torch`` alias): ``torch.nn.LSTM(batch_first=True)`` seen through the contract.

PyTorch has no stateful mode: its LSTM is a function of ``(x, (h0, c0))`` returning the outputs and
the final ``(h, c)``. The adapter carries that final state into the next call, detached from the
graph, as users of stateful PyTorch models do (``common.HeldState``); a stateless model passes no
state, so PyTorch starts from zeros. Nothing else is added: PyTorch's own errors (and what it does
with a 2-D input: an unbatched sequence) reach the caller unchanged.

Weights. PyTorch's gate order i, f, g, o is Keras' i, f, c, o, and its matrices are the transposes
of Keras' (``weight_ih_l0`` is ``kernel.T``). An LSTM's (and an RNN's) two biases always enter as
a sum, ``bias_ih + bias_hh``: ``get_weights`` reports that sum, ``set_weights`` puts Keras' bias in
``bias_ih`` and zeros in ``bias_hh``, which the classifier does not train (training both would
move the sum by two Adam steps where Keras moves its one bias by one). A GRU's two biases are
Keras' two rows (``reset_after=True``), both trained.

Adam. ``torch.optim.Adam`` adds epsilon after the bias correction (``m̂ / (sqrt(v̂) + eps)``);
Keras (and the contract) before it (``m / (sqrt(v) + eps)`` with the correction in the step size).
Before each step the classifier sets the step's epsilon to ``1e-7 / sqrt(1 - 0.999**t)``, which
makes PyTorch's formula Keras' exactly (``spec/SPEC.md``, clause 8).

PyTorch runs on one thread here (``torch.set_num_threads(1)``): for these sizes its default of one
thread per core is slower, and collapses (0.5 ms to 2-21 ms a step) when the other core is busy.
"""
import functools

import numpy as np

from .. import validation
from ..adam import BETA_1, BETA_2, EPSILON
from ..cells import CELLS
from .common import configure, known_deviations, version
from .held_state import HeldState
from .trained import TrainedModel, classifier_loss, real_steps, sequence_loss

REQUIRES = ("torch",)
INSTALL_HINT = " (pip install 'stateful-lstm-spec[torch]')"
# pack_padded_sequence knows a length per row: a mask must be right-padded (the adapter refuses any
# other, which lengths could not express).
MASKS = "right-padded"
KNOWN_DEVIATIONS = known_deviations(__name__)     # known_deviations.toml


def torch():
    import torch as module
    module.set_num_threads(1)
    return module


def describe():
    return f"PyTorch {version('torch')} (torch.nn.LSTM, state carried by the adapter)"


class TorchRecurrent(HeldState):
    """``nn.LSTM(input_dim, units, batch_first=True)`` (``nn.GRU``, ``nn.RNN``: ``cell``;
    ``num_layers=layers`` for a stack), its final state carried by the adapter."""

    def __init__(self, *, units, input_dim, stateful, batch_size=None, seed=0, cell="lstm",
                 layers=1):
        configure(self, units=units, input_dim=input_dim, stateful=stateful,
                  batch_size=batch_size, seed=seed, cell=cell, layers=layers)
        t = torch()
        with t.random.fork_rng():
            t.manual_seed(seed)
            self.rnn = getattr(t.nn, CELLS[cell].layers["torch"])(input_dim, units, batch_first=True,
                                                                  num_layers=layers)
            self._init_head(t, seed)
        self.reset_states()

    def _init_head(self, t, seed):
        """Layers after the LSTM (the classifier's Dense), built under the same seed."""

    def run(self, x, lengths=None):
        """The LSTM's outputs for ``x`` from the state it starts from, and its (top layer's)
        final h (batch, units); carries the final state. With ``lengths`` (each row's real
        steps), ``x`` goes in as a packed sequence (``pack_padded_sequence``), and the outputs
        come back padded with zeros (``pad_packed_sequence``). PyTorch holds a stack's state as
        ``h`` (and ``c``) of shape (layers, batch, units); the contract lists it by layer,
        ``[h_0, c_0, h_1, c_1, ...]``."""
        t = torch()
        if not isinstance(x, t.Tensor):          # the sequence model's embedded tokens are
            x = t.as_tensor(np.asarray(x))       # already a tensor
        per_layer = len(CELLS[self.cell].states)
        held = tuple(t.as_tensor(np.stack(self._held[k::per_layer]))
                     for k in range(per_layer)) if self.stateful else ()
        start = [held if len(held) > 1 else held[0]] if held else []    # (h, c), or h
        if lengths is None:
            out, final = self.rnn(x, *start)
        else:
            rnn = t.nn.utils.rnn
            packed = rnn.pack_padded_sequence(x, t.as_tensor(lengths),
                                              batch_first=True, enforce_sorted=False)
            out, final = self.rnn(packed, *start)
            out = rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])[0]
        final = final if isinstance(final, tuple) else (final,)
        self.keep(*(s[layer].detach().numpy() for layer in range(self.layers) for s in final))
        return out, final[0][-1]

    def predict_on_batch(self, x, mask=None):
        lengths = validation.right_padded_lengths("predict_on_batch", mask)
        with torch().no_grad():
            return self.run(x, lengths)[0].numpy().copy()

    def _columns(self):
        """Keras' columns in PyTorch's order of the gate blocks (``cells.CELLS``)."""
        return CELLS[self.cell].columns("torch", self.units)

    def _lstm_weights(self, layer=0):
        """Keras' three arrays from PyTorch's of ``layer`` (``weight_ih_l<layer>``, ...): the
        bias is ``bias_ih + bias_hh`` (they enter as a sum), except the GRU's, whose two rows
        are the two biases (``bias_hh`` enters inside the reset gate's product)."""
        columns = self._columns()
        w_ih, w_hh, b_ih, b_hh = (getattr(self.rnn, f"{name}_l{layer}")
                                  for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        arrays = [w_ih.T, w_hh.T, torch().stack((b_ih, b_hh)) if self.cell == "gru" else
                  b_ih + b_hh]
        keras = [np.empty(a.shape, np.float32) for a in arrays]
        for k, a in zip(keras, arrays):
            k[..., columns] = a.detach().numpy()
        return keras

    def _set_lstm_weights(self, kernel, recurrent_kernel, bias, layer=0):
        """PyTorch's arrays of ``layer`` from Keras' three: ``bias_ih`` the bias (the GRU's
        input bias), ``bias_hh`` zero (the GRU's recurrent bias)."""
        t, columns = torch(), self._columns()
        w_ih, w_hh, b_ih, b_hh = (getattr(self.rnn, f"{name}_l{layer}")
                                  for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        bias = bias[..., columns]
        with t.no_grad():
            w_ih.copy_(t.as_tensor(kernel[:, columns].T))
            w_hh.copy_(t.as_tensor(recurrent_kernel[:, columns].T))
            b_ih.copy_(t.as_tensor(bias[0] if self.cell == "gru" else bias))
            if self.cell == "gru":
                b_hh.copy_(t.as_tensor(bias[1]))
            else:
                b_hh.zero_()

    def get_weights(self):
        """Every layer's three arrays (Keras' layout), bottom layer first."""
        return [w for layer in range(self.layers) for w in self._lstm_weights(layer)]

    def set_weights(self, weights):
        checked = validation.check_weights(weights, self.input_dim, self.units, finite=False,
                                           cell=self.cell, layers=self.layers)
        for layer in range(self.layers):
            self._set_lstm_weights(*checked[3 * layer:3 * layer + 3], layer=layer)


class _TorchTrained(TrainedModel, TorchRecurrent):
    """What the classifier and the sequence model share: ``torch.optim.Adam`` over every
    trained parameter (an LSTM's or RNN's ``bias_hh`` held at zero, its value moved into
    ``bias_ih``; a GRU's two biases are Keras' two rows, both trained), given Keras' epsilon at
    each step (``trained.TrainedModel``), the softmax of the subclass' ``_logits`` and its
    ``_loss``, and the Dense layer ``dense``."""

    def _init_optimizer(self, learning_rate):
        if self.cell != "gru":
            self.rnn.bias_hh_l0.requires_grad_(False)
            with torch().no_grad():
                self.rnn.bias_ih_l0.add_(self.rnn.bias_hh_l0)   # the same sum, in one bias
                self.rnn.bias_hh_l0.zero_()
        params = [p for p in self.parameters() if p.requires_grad]
        self.optimizer = torch().optim.Adam(params, lr=learning_rate, betas=(BETA_1, BETA_2),
                                            eps=EPSILON)

    def _predict(self, x, lengths):
        t = torch()
        with t.no_grad():
            return t.softmax(self._logits(x, lengths), dim=-1).numpy().copy()

    def _step(self, x, y, weights, lengths, epsilon):
        loss = self._loss(x, y, weights, lengths)
        self.optimizer.zero_grad()
        loss.backward()
        for group in self.optimizer.param_groups:
            group["eps"] = epsilon
        self.optimizer.step()
        return loss.detach()

    def _evaluate(self, x, y, weights, lengths):
        with torch().no_grad():
            return self._loss(x, y, weights, lengths)

    def _set_dense(self, kernel, bias):
        t = torch()
        with t.no_grad():
            self.dense.weight.copy_(t.as_tensor(kernel.T))
            self.dense.bias.copy_(t.as_tensor(bias))


class TorchClassifier(_TorchTrained):
    """``nn.LSTM`` (``nn.GRU``, ``nn.RNN``: ``cell``) -> ``nn.Linear`` -> softmax, trained with
    ``torch.optim.Adam`` on the categorical cross-entropy (the last timestep's h feeds the Dense
    layer)."""
    TARGETS, WEIGHT_DIMS = np.float32, 1

    def __init__(self, *, n_classes, learning_rate=0.001, **lstm):
        validation.check_classifier_config(n_classes=n_classes, learning_rate=learning_rate)
        self.n_classes = n_classes
        super().__init__(**lstm)
        self._init_optimizer(learning_rate)

    def _init_head(self, t, seed):
        self.dense = t.nn.Linear(self.units, self.n_classes)

    def parameters(self):
        return [*self.rnn.parameters(), *self.dense.parameters()]

    def _logits(self, x, lengths):
        """The Dense layer on the LSTM's final h (``h_n``, the last real step's h of each row)."""
        return self.dense(self.run(x, lengths)[1])

    def _loss(self, x, y, weights, lengths):
        """Keras' loss (``trained.classifier_loss``: PyTorch's losses have no such reduction)."""
        t = torch()
        return classifier_loss(t.log_softmax(self._logits(x, lengths), dim=-1), t.as_tensor(y),
                               t.as_tensor(weights))

    def get_weights(self):
        return self._lstm_weights() + [self.dense.weight.detach().numpy().T.copy(),
                                       self.dense.bias.detach().numpy().copy()]

    def set_weights(self, weights):
        *lstm, kernel, bias = validation.check_classifier_weights(
            weights, self.input_dim, self.units, self.n_classes, finite=False, cell=self.cell)
        self._set_lstm_weights(*lstm)
        self._set_dense(kernel, bias)


class TorchSequenceModel(_TorchTrained):
    """``nn.Embedding`` -> ``nn.LSTM`` (``nn.GRU``, ``nn.RNN``: ``cell``) -> ``nn.Linear`` ->
    softmax at every timestep, trained with
    ``torch.optim.Adam`` on the mean over the batch's (real) tokens of ``-log p[y]``. The
    embedding's gradient is dense (``sparse=False``, the default), so Adam updates the whole
    table, as Keras does."""
    TARGETS, WEIGHT_DIMS = np.int64, 2

    def __init__(self, *, vocab_size, embedding_dim, units, stateful, batch_size=None, seed=0,
                 learning_rate=0.001, cell="lstm"):
        validation.check_sequence_config(vocab_size=vocab_size, embedding_dim=embedding_dim,
                                         learning_rate=learning_rate)
        self.vocab_size, self.embedding_dim = vocab_size, embedding_dim
        super().__init__(units=units, input_dim=embedding_dim, stateful=stateful,
                         batch_size=batch_size, seed=seed, cell=cell)
        self._init_optimizer(learning_rate)

    def _init_head(self, t, seed):
        self.embedding = t.nn.Embedding(self.vocab_size, self.embedding_dim)
        self.dense = t.nn.Linear(self.units, self.vocab_size)

    def parameters(self):
        return [*self.embedding.parameters(), *self.rnn.parameters(), *self.dense.parameters()]

    def _logits(self, x, lengths):
        """The Dense layer on the LSTM's output at every step (zeros at padded steps:
        ``pad_packed_sequence``'s)."""
        tokens = torch().as_tensor(np.asarray(x)).long()
        return self.dense(self.run(self.embedding(tokens), lengths)[0])

    def _loss(self, x, y, weights, lengths):
        """Keras' loss (``trained.sequence_loss``) of each token's ``-log p[y]``."""
        t = torch()
        log_p = t.log_softmax(self._logits(x, lengths), dim=-1)
        nll = -log_p.gather(-1, t.as_tensor(y).unsqueeze(-1)).squeeze(-1)
        return sequence_loss(nll, t.as_tensor(weights), t.as_tensor(real_steps(lengths, y.shape)))

    def get_weights(self):
        return [self.embedding.weight.detach().numpy().copy(), *self._lstm_weights(),
                self.dense.weight.detach().numpy().T.copy(), self.dense.bias.detach().numpy().copy()]

    def set_weights(self, weights):
        embeddings, *lstm, kernel, bias = validation.check_sequence_weights(
            weights, self.vocab_size, self.embedding_dim, self.units, finite=False,
            cell=self.cell)
        self._set_lstm_weights(*lstm)
        self._set_dense(kernel, bias)
        with torch().no_grad():
            self.embedding.weight.copy_(torch().as_tensor(embeddings))


def make_lstm(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
    """A PyTorch LSTM (``num_layers=layers``) seen through the contract (see ``spec/SPEC.md``)."""
    return TorchRecurrent(units=units, input_dim=input_dim, stateful=stateful,
                          batch_size=batch_size, seed=seed, layers=layers)


def make_gru(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
    """A PyTorch GRU (``nn.GRU``: Keras' reset_after=True; ``num_layers=layers``) seen through
    the contract."""
    return TorchRecurrent(units=units, input_dim=input_dim, stateful=stateful,
                          batch_size=batch_size, seed=seed, cell="gru", layers=layers)


def make_simple_rnn(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
    """A PyTorch ``nn.RNN`` (tanh; ``num_layers=layers``) seen through the contract."""
    return TorchRecurrent(units=units, input_dim=input_dim, stateful=stateful,
                          batch_size=batch_size, seed=seed, cell="simple_rnn", layers=layers)


def make_classifier(*, units, input_dim, n_classes, stateful, batch_size=None, seed=0,
                    learning_rate=0.001, cell="lstm"):
    """A PyTorch LSTM (GRU, RNN: ``cell``) -> Linear softmax classifier trained with
    torch.optim.Adam."""
    return TorchClassifier(units=units, input_dim=input_dim, n_classes=n_classes,
                           stateful=stateful, batch_size=batch_size, seed=seed,
                           learning_rate=learning_rate, cell=cell)


def make_sequence_model(*, vocab_size, embedding_dim, units, stateful, batch_size=None, seed=0,
                        learning_rate=0.001, cell="lstm"):
    """A PyTorch Embedding -> LSTM (GRU, RNN: ``cell``) -> Linear softmax model at every
    timestep, trained with torch.optim.Adam."""
    return TorchSequenceModel(vocab_size=vocab_size, embedding_dim=embedding_dim, units=units,
                              stateful=stateful, batch_size=batch_size, seed=seed,
                              learning_rate=learning_rate, cell=cell)


@functools.cache
def _step_module():
    """The ``nn.Module`` that ``to_onnx`` exports: one of the adapter's models as a step model,
    ``forward(x, [h, c]) -> (output, h_next, c_next)`` with ``h``, ``c`` (batch, units) (a GRU's
    or RNN's: ``forward(x, [h]) -> (output, h_next)``; a stack's every layer's, ``h_0, c_0, h_1,
    ...``, stacked into PyTorch's (layers, batch, units) and split back). The state is one list
    argument, which the exporters flatten into one input per array."""
    t = torch()

    class Step(t.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.kind, self.rnn = type(model).__name__, model.rnn
            self.embedding = getattr(model, "embedding", None)
            self.dense = getattr(model, "dense", None)
            self.per_layer, self.layers = len(CELLS[model.cell].states), model.layers

        def forward(self, x, states):
            if self.embedding is not None:
                x = self.embedding(x)
            held = tuple(t.stack(states[k::self.per_layer]) for k in range(self.per_layer))
            y, final = self.rnn(x, held if len(held) == 2 else held[0])
            final = final if isinstance(final, tuple) else (final,)
            if self.kind == "TorchClassifier":
                y = t.softmax(self.dense(final[0][-1]), dim=-1)
            elif self.kind == "TorchSequenceModel":
                y = t.softmax(self.dense(y), dim=-1)
            return y, *(s[layer] for layer in range(self.layers) for s in final)
    return Step


def to_onnx(model, *, batch_size=1, dynamo=False):
    """PyTorch's own exporter, as its users export a stateful model: ``torch.onnx.export`` of the
    model's modules with the state ``(h, c)`` (a GRU's or RNN's ``h``) as inputs and outputs,
    the time axis dynamic, the batch size fixed. Returns the ``onnx.ModelProto`` (clause 20 runs
    it in ONNX Runtime).

    Clause 20 uses the TorchScript exporter (``dynamo=False``, about 10 ms an export); the dynamo
    exporter, torch 2.13's default, exports the same graph (an ``LSTM`` operator) in 0.8 s to
    over 10 s an export, beyond the spec's time limit for one test's 25 examples, and is checked
    on its own (``tests/test_framework_exports.py``)."""
    import io

    import onnx

    from ..export import state_names
    t = torch()
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"the PyTorch export fixes the batch size: a positive int; received "
                         f"{batch_size!r}")
    sequence = isinstance(model, TorchSequenceModel)
    x = t.zeros((batch_size, 2), dtype=t.int64) if sequence else \
        t.zeros((batch_size, 2, model.input_dim))
    # Separate tensors: given one object twice, the dynamo exporter reads c from the h input.
    states = state_names(model.cell, model.layers)
    state = [t.zeros((batch_size, model.units)) for _ in states]
    names = ["tokens" if sequence else "x", *states]
    time_axis = {"dynamic_shapes": ({1: t.export.Dim("time", min=1)}, [None] * len(state))} \
        if dynamo else {"dynamic_axes": {names[0]: {1: "time"}}}
    buffer = io.BytesIO()
    t.onnx.export(_step_module()(model), (x, state), buffer, input_names=names,
                  output_names=["probabilities" if sequence else "y",
                                *(f"{n}_next" for n in states)],
                  dynamo=dynamo, **time_axis)
    return onnx.load_from_string(buffer.getvalue())
