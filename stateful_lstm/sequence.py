"""The NumPy reference sequence model (many-to-many): token ids -> embedding -> a recurrent layer
(LSTM, GRU or SimpleRNN: ``cell``; every timestep; or ``layers`` of them stacked, each reading
the h of the one below) -> Dense softmax at every timestep, trained to predict the next token of
a text.

    e_t = E[x_t]                          embedding lookup, E (vocab, embedding_dim)
    h_t = cell(e_t, carried state)        the layer's forward, every timestep
    p_t = softmax(h_t @ W + b)            (vocab,) probabilities of the next token
    loss = sum over the batch's real tokens of w_t * -log p_t[y_t] / (number of real tokens)
    dlogits = w_t * (p - onehot(y)) / (real tokens)  -> dW, db, dh_t = dlogits @ W.T  -> its backward
    (a stack's: each layer's backward, top down, its input's gradient the dh of the one below)
    dE[x_t] += dz_t @ kernel.T            (the rows of E this batch used)

The gradient covers the timesteps of this batch only (truncated BPTT), while a stateful model's
state carries on to the next batch exactly as in the layer's ``predict_on_batch``. Adam updates every
weight, the whole embedding table included (Keras' dense update).

``w_t`` is the token's sample weight (1 without); a token is real where the mask is True (every
token without a mask). A masked step keeps the layer's state and gets no loss (Keras' rule: the
weighted sum over the real tokens divided by their number, 0 if there is none).
"""
from dataclasses import dataclass

import numpy as np

from . import validation
from .cells import CELLS, weights_by_layer
from .dense import dense_initial_weights, dense_softmax_loss, softmax
from .layers import LAYERS
from .parameters import Parameters, RecurrentWithHead
from .recurrent import DTYPE

EMBEDDING_INIT = 0.05      # Keras' Embedding default: uniform in [-0.05, 0.05]


def embedding_initial_weights(vocab_size, embedding_dim, seed):
    rng = np.random.default_rng([seed, 2])
    return rng.uniform(-EMBEDDING_INIT, EMBEDDING_INIT, (vocab_size, embedding_dim)).astype(DTYPE)


@dataclass
class Step:
    """What one training step computes (``forward_backward``)."""
    loss: float
    state: list           # the final state (h, c; or h; a stack's every layer's, bottom first)
    gradients: list       # one per weight array
    probabilities: np.ndarray   # (batch * T, vocab)
    hs: np.ndarray        # the (top) layer's outputs (batch, T, units)
    caches: list          # each layer's forward's (one entry per timestep), bottom first
    inputs: list          # each layer's input: E[x] (batch, T, embedding_dim), then the hs below


def token_weights(sample_weight, mask, shape):
    """Each token's weight in the loss and the count the weighted sum is divided by: the sample
    weights (1 without) times the mask, over the number of real tokens (Keras' masked mean)."""
    weights = np.ones(shape) if sample_weight is None else sample_weight
    if mask is None:
        return weights.ravel(), weights.size
    return (weights * mask).ravel(), int(mask.sum())


def forward_backward(weights, x, y, state, sample_weight=None, mask=None, cell="lstm"):
    """The loss of token ids ``x`` with targets ``y`` (each (batch, T)) from the ``state`` of
    ``cell`` (``[h, c]``, or ``[h]``; a stack's every layer's), and its gradients, in the
    weights' dtype (``weights`` as ``get_weights`` lists them: a stack's every layer's three
    arrays between the embeddings and the Dense layer); ``sample_weight`` and ``mask`` (batch,
    T) as in ``token_weights``."""
    E, *layer_weights, W, b = weights
    layer, layer_weights = LAYERS[cell], weights_by_layer(layer_weights)
    hs, inputs, caches, final = E[x], [], [], []
    for k, layer_state in enumerate(CELLS[cell].by_layer(state)):
        inputs.append(hs)
        caches.append([])
        hs, *layer_state = layer.forward(hs, *layer_state, *layer_weights[k], caches[k], mask)
        final += layer_state
    targets = np.eye(len(E), dtype=E.dtype)[y.ravel()]
    p, loss, dh, dW, db = dense_softmax_loss(hs.reshape(-1, hs.shape[2]), W, b, targets,
                                             *token_weights(sample_weight, mask, x.shape))
    dh, layer_gradients = dh.reshape(hs.shape), []
    for k in reversed(range(len(layer_weights))):   # top down: dx of layer k is dh of k - 1
        kernel, recurrent_kernel, _ = layer_weights[k]
        gradients, dh = layer.backward(inputs[k], dh, caches[k], recurrent_kernel,
                                       kernel=kernel)
        layer_gradients = [*gradients, *layer_gradients]
    dE = np.zeros_like(E)
    np.add.at(dE, x, dh)
    return Step(loss, final, [dE, *layer_gradients, dW, db], p, hs, caches, inputs)


class SequenceModel(RecurrentWithHead):
    """Embedding -> (stateful or stateless) recurrent layer of ``cell`` (``layers`` of them
    stacked) -> Dense softmax at every timestep; its weights are ``[embeddings, kernel,
    recurrent_kernel, bias, dense kernel, dense bias]``, the middle three the cell's (a
    stack's every layer's, bottom first)."""

    def __init__(self, *, vocab_size, embedding_dim, units, stateful, batch_size=None, seed=0,
                 learning_rate=0.001, cell="lstm", layers=1):
        validation.check_sequence_config(vocab_size=vocab_size, embedding_dim=embedding_dim,
                                         learning_rate=learning_rate)
        self._build_layer(cell, units=units, input_dim=embedding_dim, stateful=stateful,
                          batch_size=batch_size, seed=seed, layers=layers)
        self.vocab_size, self.embedding_dim, self.units = vocab_size, embedding_dim, units
        self.stateful, self.batch_size = stateful, batch_size
        self.parameters = Parameters(
            [embedding_initial_weights(vocab_size, embedding_dim, seed)]
            + self.layer.get_weights() + dense_initial_weights(units, vocab_size, seed),
            learning_rate, lambda weights: validation.check_sequence_weights(
                weights, vocab_size, embedding_dim, units, cell=cell, layers=layers))
        self.E, *layer_views, self.W, self.b = self.parameters.views
        for layer, views in zip(self.recurrent_layers, weights_by_layer(layer_views)):
            layer.kernel, layer.recurrent_kernel, layer.bias = views   # it computes with views

    def predict_on_batch(self, x, mask=None):
        """Next-token probabilities (batch, T, vocab) for token ids ``x`` (batch, T); moves a
        stateful model's state (``mask`` as the LSTM's)."""
        x, _, _, mask = self._check_batch("predict_on_batch", x, mask=mask)
        return softmax(self.layer.run(self.E[x], mask=mask) @ self.W + self.b)

    def _check_batch(self, what, x, y=None, sample_weight=None, mask=None):
        """``x`` (and ``y``, ``sample_weight``, ``mask``) checked as one batch of ``what``."""
        x = validation.check_tokens(what, x, self.batch_size if self.stateful else None,
                                    self.vocab_size)
        if y is not None:
            y = validation.check_tokens(what, y, None, self.vocab_size, shape=x.shape)
            if x.shape[1] == 0:
                raise ValueError(f"{what} needs at least one timestep; received shape {x.shape}")
        return (x, y, validation.check_sample_weight(what, sample_weight, x.shape),
                validation.check_mask(what, mask, x.shape))

    def _step(self, what, x, y, sample_weight, mask):
        """The checked batch's ``forward_backward``; carries the state it ends in."""
        x, y, sample_weight, mask = self._check_batch(what, x, y, sample_weight, mask)
        step = forward_backward(self.parameters.views, x, y, self.layer.start_states(x.shape[0]),
                                sample_weight, mask, self.cell)
        self.layer.keep(*step.state)
        return step

    def train_on_batch(self, x, y, sample_weight=None, mask=None):
        """One Adam step on the (weighted) mean cross-entropy over the real tokens of the batch
        (``y``: the token after each of ``x``); returns the loss before the step."""
        step = self._step("train_on_batch", x, y, sample_weight, mask)
        self.parameters.step(step.gradients)
        return float(step.loss)

    def test_on_batch(self, x, y, sample_weight=None, mask=None):
        """The loss ``train_on_batch`` would return, without the step (weights and Adam as they
        are); the state moves as in ``predict_on_batch``."""
        return float(self._step("test_on_batch", x, y, sample_weight, mask).loss)
