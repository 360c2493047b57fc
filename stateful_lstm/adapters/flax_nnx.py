"""Flax (the ``flax`` alias): a ``flax.nnx.LSTMCell`` scanned over time by ``nnx.RNN``, seen through
the contract.

Flax has no stateful mode: ``nnx.RNN`` takes an ``initial_carry`` and returns the final one with
the outputs. The adapter carries that final state into the next call (``common.HeldState``), as
users of stateful Flax models do; a stateless model starts from zeros. The forward pass (and the
classifier's training step) is a ``jax.jit`` of the pure function of ``nnx.split``'s state, the
pattern Flax recommends for speed; it compiles once per input shape.

Weights. Flax's cell has one Dense per gate for the input (``ii``, ``if_``, ``ig``, ``io``, no
bias) and one per gate for h (``hi``, ``hf``, ``hg``, ``ho``, with the bias); gate order i, f, g, o
is Keras' i, f, c, o. The kernels side by side are Keras' kernel and recurrent kernel, the h
biases side by side are Keras' bias. The carry is ``(c, h)``.

Adam. ``optax.adam`` adds epsilon after the bias correction, like PyTorch; the classifier passes
``1e-7 / sqrt(1 - 0.999**t)`` as step t's epsilon (``optax.inject_hyperparams``), which makes it
Keras' Adam exactly (``spec/SPEC.md``, clause 8). The learning rate, too, lives in the optimizer
state, so that one compiled training step per size serves every learning rate.
"""
import functools

import numpy as np

from .. import validation
from ..adam import BETA_1, BETA_2, EPSILON
from ..cells import CELLS, weights_by_layer
from .common import configure, configure_sequence, known_deviations, version
from .held_state import HeldState
from .trained import TrainedModel, classifier_loss, real_steps, sequence_loss

REQUIRES = ("flax", "jax", "optax")
INSTALL_HINT = " (pip install 'stateful-lstm-spec[flax]')"
# Traced and compiled per input shape: the spec draws sizes from its palette (SPEC.md).
COMPILES_PER_SHAPE = True
# seq_lengths knows a length per row: a mask must be right-padded (the adapter refuses any other,
# which lengths could not express).
MASKS = "right-padded"
KNOWN_DEVIATIONS = known_deviations(__name__)     # known_deviations.toml
GATES = ("i", "f", "g", "o")
_compiled = {}                                  # (kind, sizes) -> jitted pure functions


def describe():
    return (f"Flax {version('flax')} (nnx.LSTMCell in nnx.RNN) on JAX {version('jax')}, "
            f"optax {version('optax')}, state carried by the adapter")


def _cell(cell, input_dim, units, rngs):
    """Flax's cell of ``cell`` (``nnx.LSTMCell``, ``GRUCell``, ``SimpleCell``)."""
    from flax import nnx
    return getattr(nnx, CELLS[cell].layers["flax"])(input_dim, units, rngs=rngs)


def _scan(cell, x, state, lengths):
    """``nnx.RNN`` of ``cell`` over ``x`` from ``state`` (``(h, c)``, or ``(h,)``): the
    outputs and the final state; ``lengths`` (batch,) int (or None: every step real) as
    ``seq_lengths``, Flax' way of saying that each row's real steps come first. An LSTM's
    carry is ``(c, h)``, the other cells' ``h``."""
    from flax import nnx
    carry = state[::-1] if len(state) == 2 else state[0]
    carry, out = nnx.RNN(cell, return_carry=True)(x, initial_carry=carry, seq_lengths=lengths)
    return out, tuple(carry[::-1]) if len(state) == 2 else (carry,)


def _forward_fn(graphdefs):
    """The jitted pure forward pass of cells chained (a stack: each cell scanned over the
    outputs of the one below): ``(params, x, states, lengths) -> (outputs, states)``, a
    ``params`` and a state (``(h, c)``, or ``(h,)``) per cell."""
    if ("forward", graphdefs) not in _compiled:
        import jax
        from flax import nnx

        def forward(params, x, states, lengths):
            finals = []
            for graphdef, cell_params, state in zip(graphdefs, params, states):
                x, final = _scan(nnx.merge(graphdef, cell_params), x, state, lengths)
                finals.append(final)
            return x, tuple(finals)
        _compiled["forward", graphdefs] = jax.jit(forward)
    return _compiled["forward", graphdefs]


def to_keras(params, cell="lstm"):
    """Keras' ``[kernel, recurrent_kernel, bias]`` from a Flax cell's parameters. The GRUCell's
    and SimpleCell's one bias (``dense_i``'s) is Keras' input bias: the GRU's recurrent bias
    row is zeros (``dense_h`` has none)."""
    if cell != "lstm":
        columns = CELLS[cell].columns("flax", params["dense_h"]["kernel"].shape[0])
        arrays = [params["dense_i"]["kernel"], params["dense_h"]["kernel"],
                  params["dense_i"]["bias"]]
        keras = [np.empty(a.shape, np.float32) for a in arrays]
        for k, a in zip(keras, arrays):
            k[..., columns] = np.asarray(a[...])
        if cell == "gru":
            keras[2] = np.stack([keras[2], np.zeros_like(keras[2])])
        return keras
    input_kernel = [np.asarray(params["i" + ("f_" if g == "f" else g)]["kernel"][...]) for g in GATES]
    hidden = [params["h" + g] for g in GATES]
    return [np.concatenate(input_kernel, axis=1),
            np.concatenate([np.asarray(d["kernel"][...]) for d in hidden], axis=1),
            np.concatenate([np.asarray(d["bias"][...]) for d in hidden])]


def from_keras(params, kernel, recurrent_kernel, bias, cell="lstm"):
    """Put Keras' three arrays into a Flax cell's parameter state (in place). The GRUCell has
    one bias per gate block, ``dense_i``'s: Keras' two biases of z and r enter as sums and go
    there summed; the candidate's recurrent bias (inside ``r * (h @ U_h + b_h)``) has no place
    in it and is left out (google/flax#5594)."""
    import jax.numpy as jnp
    if cell != "lstm":
        u = recurrent_kernel.shape[0]
        if cell == "gru":
            bias = bias[0] + np.concatenate([bias[1, :2 * u], np.zeros(u, np.float32)])
        columns = CELLS[cell].columns("flax", u)
        params["dense_i"]["kernel"][...] = jnp.asarray(kernel[:, columns])
        params["dense_h"]["kernel"][...] = jnp.asarray(recurrent_kernel[:, columns])
        params["dense_i"]["bias"][...] = jnp.asarray(bias[columns])
        return
    for k, g in enumerate(GATES):
        block = slice(k * kernel.shape[1] // 4, (k + 1) * kernel.shape[1] // 4)
        params["i" + ("f_" if g == "f" else g)]["kernel"][...] = jnp.asarray(kernel[:, block])
        params["h" + g]["kernel"][...] = jnp.asarray(recurrent_kernel[:, block])
        params["h" + g]["bias"][...] = jnp.asarray(bias[block])


class FlaxRecurrent(HeldState):
    """An ``nnx.LSTMCell`` (``GRUCell``, ``SimpleCell``: ``cell``) scanned over time, its final
    carry kept by the adapter; a stack: ``layers`` cells chained, each scanned over the outputs
    of the one below (cell k drawn from ``seed + k``), in one jitted function."""

    def __init__(self, *, units, input_dim, stateful, batch_size=None, seed=0, cell="lstm",
                 layers=1):
        configure(self, units=units, input_dim=input_dim, stateful=stateful,
                  batch_size=batch_size, seed=seed, cell=cell, layers=layers)
        from flax import nnx
        split = [nnx.split(_cell(cell, input_dim if k == 0 else units, units, nnx.Rngs(seed + k)))
                 for k in range(layers)]
        self.graphdefs = tuple(graphdef for graphdef, _ in split)
        self.params = [params for _, params in split]
        self.reset_states()

    def predict_on_batch(self, x, mask=None):
        lengths = validation.right_padded_lengths("predict_on_batch", mask)
        x = np.asarray(x)
        states = tuple(map(tuple, CELLS[self.cell].by_layer(self.start_states(x.shape[0]))))
        out, finals = _forward_fn(self.graphdefs)(self.params, x, states, lengths)
        self.keep(*(s for final in finals for s in final))
        return np.array(out)

    def get_weights(self):
        """Every cell's three arrays (Keras' layout), bottom cell first."""
        return [w for params in self.params for w in to_keras(params, self.cell)]

    def set_weights(self, weights):
        checked = validation.check_weights(weights, self.input_dim, self.units, finite=False,
                                           cell=self.cell, layers=self.layers)
        for params, layer_weights in zip(self.params, weights_by_layer(checked)):
            from_keras(params, *layer_weights, cell=self.cell)


def _classifier_outputs(net, x, state, lengths):
    """The classifier's logits (batch, n_classes): the Dense layer on the final h (each row's h
    at its last real step); and the final state (``(h, c)``, or ``(h,)``)."""
    _, state = _scan(net.cell, x, state, lengths)
    return net.dense(state[0]), state


def _classifier_loss(z, y, w, lengths):
    """Keras' loss (``trained.classifier_loss``) of the logits ``z``."""
    import jax
    return classifier_loss(jax.nn.log_softmax(z), y, w)


def _sequence_outputs(net, x, state, lengths):
    """The sequence model's logits (batch, T, vocab): the Dense layer at every step of the cell
    scanned over the embedded tokens; and the final state."""
    out, state = _scan(net.cell, net.embed(x), state, lengths)
    return net.dense(out), state


def _sequence_loss(z, y, w, lengths):
    """Keras' loss (``trained.sequence_loss``) of each token's ``-log p[y]``; the real tokens
    are the first ``lengths`` of each row."""
    import jax
    import jax.numpy as jnp
    nll = -jnp.take_along_axis(jax.nn.log_softmax(z), y[..., None], axis=-1)[..., 0]
    return sequence_loss(nll, w, real_steps(lengths, nll.shape))


HEADS = {"classifier": (_classifier_outputs, _classifier_loss),
         "sequence": (_sequence_outputs, _sequence_loss)}


def _trained_fns(graphdef, optimizer, head):
    """The jitted pure functions of a classifier or sequence model (``head``, a key of
    ``HEADS``): ``predict(params, x, state, lengths)``, ``train(params, opt_state, x, y, w,
    state, lengths, epsilon)`` and ``evaluate(params, x, y, w, state, lengths)`` (``w``: the
    sample weights; ``state`` the cell's, ``(h, c)`` or ``(h,)``; ``lengths`` as in ``_scan``);
    each also returns the final state."""
    key = (head, graphdef, optimizer)
    if key not in _compiled:
        import jax
        import optax
        from flax import nnx
        outputs, loss = HEADS[head]

        def predict(params, x, state, lengths):
            z, state = outputs(nnx.merge(graphdef, params), x, state, lengths)
            return jax.nn.softmax(z), state

        def loss_of(params, x, y, w, state, lengths):
            z, state = outputs(nnx.merge(graphdef, params), x, state, lengths)
            return loss(z, y, w, lengths), state

        def train(params, opt_state, x, y, w, state, lengths, epsilon):
            (value, state), grads = jax.value_and_grad(loss_of, has_aux=True)(
                params, x, y, w, state, lengths)
            opt_state.hyperparams["eps"] = epsilon
            updates, opt_state = optimizer.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, value, state

        def evaluate(params, x, y, w, state, lengths):
            return loss_of(params, x, y, w, state, lengths)
        _compiled[key] = jax.jit(predict), jax.jit(train), jax.jit(evaluate)
    return _compiled[key]


@functools.cache
def _networks():
    """The ``nnx.Module`` classes of the classifier and the sequence model (defined once, so
    that models of one size have equal graph definitions and share their compiled
    functions)."""
    from flax import nnx

    class Classifier(nnx.Module):
        def __init__(self, cell, input_dim, units, n_classes, rngs):
            self.cell = _cell(cell, input_dim, units, rngs)
            self.dense = nnx.Linear(units, n_classes, rngs=rngs)

    class SequenceModel(nnx.Module):
        def __init__(self, cell, vocab_size, embedding_dim, units, rngs):
            self.embed = nnx.Embed(vocab_size, embedding_dim, rngs=rngs)
            self.cell = _cell(cell, embedding_dim, units, rngs)
            self.dense = nnx.Linear(units, vocab_size, rngs=rngs)
    return {"classifier": Classifier, "sequence": SequenceModel}


@functools.cache
def _adam():
    """optax' Adam with Keras' defaults, under ``inject_hyperparams``: the learning rate and the
    epsilon live in the optimizer state (set per model and per step), so that one optimizer
    object, and one compiled training step per size, serves every model."""
    import optax
    return optax.inject_hyperparams(optax.adam)(learning_rate=0.001, b1=BETA_1, b2=BETA_2,
                                                eps=EPSILON)


class _FlaxTrained(TrainedModel, HeldState):
    """What the classifier and the sequence model share: an ``nnx`` network (``HEAD``, a key
    of ``HEADS``) split into ``graphdef`` and ``params``, ``optax.adam`` under
    ``inject_hyperparams`` (for Keras' epsilon at each step: ``trained.TrainedModel``), and the
    jitted predict, train and evaluate steps."""

    def _init_network(self, learning_rate, *sizes, seed):
        from flax import nnx
        self.graphdef, self.params = nnx.split(_networks()[self.HEAD](self.cell, *sizes,
                                                                      nnx.Rngs(seed)))
        self.optimizer = _adam()
        self.opt_state = self.optimizer.init(self.params)
        self.opt_state.hyperparams["learning_rate"] = np.float32(learning_rate)
        self.reset_states()

    def _fns(self):
        return _trained_fns(self.graphdef, self.optimizer, self.HEAD)

    def _predict(self, x, lengths):
        probabilities, state = self._fns()[0](self.params, x,
                                              tuple(self.start_states(x.shape[0])), lengths)
        self.keep(*state)
        return np.array(probabilities)

    def _step(self, x, y, weights, lengths, epsilon):
        self.params, self.opt_state, loss, state = self._fns()[1](
            self.params, self.opt_state, x, y, weights, tuple(self.start_states(x.shape[0])),
            lengths, np.float32(epsilon))
        self.keep(*state)
        return loss

    def _evaluate(self, x, y, weights, lengths):
        loss, state = self._fns()[2](self.params, x, y, weights,
                                     tuple(self.start_states(x.shape[0])), lengths)
        self.keep(*state)
        return loss

    def _dense_weights(self):
        dense = self.params["dense"]
        return [np.array(dense["kernel"][...]), np.array(dense["bias"][...])]

    def _set_dense(self, kernel, bias):
        import jax.numpy as jnp
        self.params["dense"]["kernel"][...] = jnp.asarray(kernel)
        self.params["dense"]["bias"][...] = jnp.asarray(bias)


class FlaxClassifier(_FlaxTrained):
    """``nnx.LSTMCell`` (``GRUCell``, ``SimpleCell``: ``cell``) scanned by ``nnx.RNN`` ->
    ``nnx.Linear`` -> softmax, trained with ``optax.adam`` on the categorical cross-entropy of
    the last timestep's prediction."""
    HEAD, TARGETS, WEIGHT_DIMS = "classifier", np.float32, 1

    def __init__(self, *, units, input_dim, n_classes, stateful, batch_size=None, seed=0,
                 learning_rate=0.001, cell="lstm"):
        configure(self, units=units, input_dim=input_dim, stateful=stateful,
                  batch_size=batch_size, seed=seed, cell=cell, n_classes=n_classes,
                  learning_rate=learning_rate)
        self._init_network(learning_rate, input_dim, units, n_classes, seed=seed)

    def get_weights(self):
        return to_keras(self.params["cell"], self.cell) + self._dense_weights()

    def set_weights(self, weights):
        *lstm, kernel, bias = validation.check_classifier_weights(
            weights, self.input_dim, self.units, self.n_classes, finite=False, cell=self.cell)
        from_keras(self.params["cell"], *lstm, cell=self.cell)
        self._set_dense(kernel, bias)


class FlaxSequenceModel(_FlaxTrained):
    """``nnx.Embed`` -> ``nnx.LSTMCell`` (``GRUCell``, ``SimpleCell``: ``cell``) scanned by
    ``nnx.RNN`` -> ``nnx.Linear`` -> softmax at every timestep, trained with ``optax.adam`` on
    the mean over the batch's (real) tokens of ``-log p[y]``; the embedding's gradient is
    dense, so Adam updates the whole table, as Keras does."""
    HEAD, TARGETS, WEIGHT_DIMS = "sequence", np.int32, 2

    def __init__(self, *, vocab_size, embedding_dim, units, stateful, batch_size=None, seed=0,
                 learning_rate=0.001, cell="lstm"):
        configure_sequence(self, vocab_size=vocab_size, embedding_dim=embedding_dim, units=units,
                           stateful=stateful, batch_size=batch_size, seed=seed,
                           learning_rate=learning_rate, cell=cell)
        self._init_network(learning_rate, vocab_size, embedding_dim, units, seed=seed)

    def get_weights(self):
        return [np.array(self.params["embed"]["embedding"][...]),
                *to_keras(self.params["cell"], self.cell), *self._dense_weights()]

    def set_weights(self, weights):
        embeddings, *lstm, kernel, bias = validation.check_sequence_weights(
            weights, self.vocab_size, self.embedding_dim, self.units, finite=False,
            cell=self.cell)
        import jax.numpy as jnp
        self.params["embed"]["embedding"][...] = jnp.asarray(embeddings)
        from_keras(self.params["cell"], *lstm, cell=self.cell)
        self._set_dense(kernel, bias)


def make_classifier(*, units, input_dim, n_classes, stateful, batch_size=None, seed=0,
                    learning_rate=0.001, cell="lstm"):
    """A Flax LSTM (GRU, SimpleRNN: ``cell``) -> Linear softmax classifier trained with optax'
    Adam."""
    return FlaxClassifier(units=units, input_dim=input_dim, n_classes=n_classes,
                          stateful=stateful, batch_size=batch_size, seed=seed,
                          learning_rate=learning_rate, cell=cell)


def make_lstm(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
    """A Flax LSTM (``layers`` cells chained) seen through the contract (see ``spec/SPEC.md``)."""
    return FlaxRecurrent(units=units, input_dim=input_dim, stateful=stateful,
                         batch_size=batch_size, seed=seed, layers=layers)


def make_gru(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
    """A Flax ``nnx.GRUCell`` scanned by ``nnx.RNN`` (``layers`` chained), seen through the
    contract."""
    return FlaxRecurrent(units=units, input_dim=input_dim, stateful=stateful,
                         batch_size=batch_size, seed=seed, cell="gru", layers=layers)


def make_simple_rnn(*, units, input_dim, stateful, batch_size=None, seed=0, layers=1):
    """A Flax ``nnx.SimpleCell`` (tanh) scanned by ``nnx.RNN`` (``layers`` chained), seen
    through the contract."""
    return FlaxRecurrent(units=units, input_dim=input_dim, stateful=stateful,
                         batch_size=batch_size, seed=seed, cell="simple_rnn", layers=layers)


def make_sequence_model(*, vocab_size, embedding_dim, units, stateful, batch_size=None, seed=0,
                        learning_rate=0.001, cell="lstm"):
    """A Flax Embed -> LSTM (GRU, SimpleRNN: ``cell``) -> Linear softmax model at every
    timestep, trained with optax' Adam."""
    return FlaxSequenceModel(vocab_size=vocab_size, embedding_dim=embedding_dim, units=units,
                             stateful=stateful, batch_size=batch_size, seed=seed,
                             learning_rate=learning_rate, cell=cell)
