"""The oracle of clause 8: what one ``train_on_batch`` step must give.

The loss, the new state and the gradient are computed in float64 with the reference's equations
(``stateful_lstm.lstm``, ``stateful_lstm.classifier``). A float32 implementation cannot know
the gradient better than its rounding error, and Adam turns a gradient that is zero up to rounding
into a step of up to the learning rate whose sign is rounding noise (``m / sqrt(v)`` is about
``sign(g)`` once ``|g|`` is above ``epsilon / sqrt(1 - beta_2)``, about 3e-6). So the oracle does not
give one expected weight but a range: for each gradient element ``g`` it bounds the rounding error
of any float32 computation of it by ``d = ROUNDING_FACTOR * eps32 * |g|abs``, where ``|g|abs`` is the
sum of the absolute values of all the terms that make ``g`` up (the same backward pass run on
absolute values), and runs Adam on the interval ``[g - d, g + d]``. Where ``|g|`` is well above
``d`` the range is as narrow as the tolerance; where it is not, the range spans what Adam does with
any gradient the float32 arithmetic cannot tell apart.
"""
from dataclasses import dataclass

import numpy as np

from stateful_lstm import LAYERS
from stateful_lstm.adam import Adam
from stateful_lstm.dense import dense_softmax_loss
from stateful_lstm.sequence import forward_backward, token_weights

EPS32 = float(np.finfo(np.float32).eps)
# How many float32 roundings of its terms' total magnitude a gradient element may be off by.
ROUNDING_FACTOR = 64


def gate(s):
    """A gate's magnitude: ``0.5 + 0.5 tanh(z / 2)`` is known to about eps32 in absolute terms
    however small it is."""
    return 0.5 + abs(s - 0.5)


def lstm_magnitudes(cache, weights):
    """``lstm_forward``'s cache as magnitudes, each the sum of the absolute values of the terms
    that make the quantity up in float32 (what its rounding error is relative to). The cell
    state ``f c + i g`` and the h it gives, ``o tanh(c)``, take their factors' magnitudes
    (tanh's error: its own, plus ``1 - tanh^2`` times c's); every step starts from the previous
    step's h and c magnitudes (a masked row keeps them). Returns the magnitudes per step, in the
    cache's layout, and the last h's."""
    magnitudes, h_mag, c_mag = [], None, None
    for h_prev, c_prev, s, g, c_t, m in cache:
        u = g.shape[1]
        s_mag = gate(s)
        h_prev_mag = abs(h_prev) if h_mag is None else h_mag
        c_prev_mag = abs(c_prev) if c_mag is None else c_mag
        c_mag = s_mag[:, u:2 * u] * c_prev_mag + s_mag[:, :u] * abs(g)
        tanh_c = np.tanh(c_t)
        h_mag = s_mag[:, 3 * u:] * (abs(tanh_c) + (1 - tanh_c ** 2) * c_mag)
        magnitudes.append((h_prev_mag, c_prev_mag, s_mag, abs(g), c_mag, m))
        if m is not None:
            h_mag, c_mag = np.where(m, h_mag, h_prev_mag), np.where(m, c_mag, c_prev_mag)
    return magnitudes, h_mag


def gru_magnitudes(cache, weights):
    """``gru_forward``'s cache as magnitudes (as ``lstm_magnitudes``): the gates' as a gate's,
    the recurrent candidate part ``h @ U_h + b'_h`` the sum of its terms' magnitudes, and
    ``h' = z h + (1 - z) g`` its factors' (``1 - z`` as ``1 + z``)."""
    _, recurrent, bias = weights
    magnitudes, h_mag = [], None
    for h_prev, z, r, g, _, m in cache:
        u = g.shape[1]
        h_prev_mag = abs(h_prev) if h_mag is None else h_mag
        hz_mag = h_prev_mag @ abs(recurrent[:, 2 * u:]) + abs(bias[1, 2 * u:])
        h_mag = gate(z) * h_prev_mag + (1 + gate(z)) * abs(g)
        magnitudes.append((h_prev_mag, gate(z), gate(r), abs(g), hz_mag, m))
        if m is not None:
            h_mag = np.where(m, h_mag, h_prev_mag)
    return magnitudes, h_mag


def simple_rnn_magnitudes(cache, weights):
    """``simple_rnn_forward``'s cache as magnitudes (as ``lstm_magnitudes``): each new h its
    own (tanh's output)."""
    magnitudes, h_mag = [], None
    for h_prev, new, m in cache:
        h_prev_mag = abs(h_prev) if h_mag is None else h_mag
        h_mag = abs(new)
        magnitudes.append((h_prev_mag, h_mag, m))
        if m is not None:
            h_mag = np.where(m, h_mag, h_prev_mag)
    return magnitudes, h_mag


# Each cell's magnitudes, and its backward pass on absolute values: unsigned derivatives,
# 1 + a for every 1 - a, a + b for every a - b.
MAGNITUDES = {"lstm": lstm_magnitudes, "gru": gru_magnitudes,
              "simple_rnn": simple_rnn_magnitudes}
UNSIGNED = {"lstm": dict(dsigmoid=lambda s: s * (1 + s), dtanh=lambda t: 1 + t * t),
            "gru": dict(dsigmoid=lambda s: s * (1 + s), dtanh=lambda t: 1 + t * t,
                        difference=np.add),
            "simple_rnn": dict(dtanh=lambda t: 1 + t * t)}


def h_magnitudes(cache, weights, cell="lstm"):
    """The magnitude of h at every timestep (``MAGNITUDES``), (batch, T, units)."""
    steps, last = MAGNITUDES[cell](cache, weights)
    return np.stack([h_prev for h_prev, *_ in steps[1:]] + [last], axis=1)


def absolute_backward(cell, x, dh_mag, cache, weights, kernel=None):
    """``cell``'s backward pass on absolute values: every term of the expansion of each
    gradient element, added up unsigned (a saturated gate's 1 - s is known only to about
    eps32)."""
    magnitudes, _ = MAGNITUDES[cell](cache, weights)
    return LAYERS[cell].backward(abs(x), dh_mag, magnitudes, abs(weights[1]), kernel=kernel,
                                 **UNSIGNED[cell])


def gradient_and_error_bound(weights, x, state, y, sample_weight=None, mask=None, cell="lstm"):
    """The classifier's float64 loss, final state (``[h, c]``, or ``[h]``), gradients (one per
    weight array) and, per gradient element, the bound ``d`` on its float32 rounding error
    (``sample_weight`` (batch,) and ``mask`` (batch, T) as ``train_on_batch`` takes them), for
    a classifier of ``cell``."""
    layer_weights, (W, b) = [np.asarray(w, np.float64) for w in weights[:3]], \
        [np.asarray(w, np.float64) for w in weights[3:]]
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    weight = None if sample_weight is None else np.asarray(sample_weight, np.float64)
    cache = []
    hs, *state = LAYERS[cell].forward(x, *(np.asarray(s, np.float64) for s in state),
                                      *layer_weights, cache, mask)
    p, loss, dh, dW, db = dense_softmax_loss(hs[:, -1], W, b, y, weight)
    gradients = LAYERS[cell].backward(x, dh, cache, layer_weights[1]) + [dW, db]
    dlogits = (p + y) / len(y) * (1 if weight is None else weight[:, None])
    h_mag = MAGNITUDES[cell](cache, layer_weights)[1]
    magnitudes = absolute_backward(cell, x, dlogits @ abs(W).T, cache, layer_weights) + \
        [h_mag.T @ dlogits, dlogits.sum(axis=0)]
    return loss, state, gradients, [ROUNDING_FACTOR * EPS32 * m for m in magnitudes]


def sequence_gradient_and_error_bound(weights, x, state, y, sample_weight=None, mask=None,
                                      cell="lstm"):
    """``gradient_and_error_bound`` for the sequence model (``stateful_lstm.sequence``): token
    ids ``x`` and targets ``y`` (batch, T), weights as its ``get_weights`` lists them;
    ``sample_weight`` and ``mask`` (batch, T)."""
    weights = [np.asarray(w, np.float64) for w in weights]
    E, kernel, _, _, W, _ = weights
    weight = None if sample_weight is None else np.asarray(sample_weight, np.float64)
    step = forward_backward(weights, np.asarray(x), np.asarray(y),
                            [np.asarray(s, np.float64) for s in state], weight, mask, cell)
    token_weight, count = token_weights(weight, mask, np.shape(x))
    scale = token_weight[:, None] / count if count else 0 * token_weight[:, None]
    dlogits = (step.probabilities + np.eye(len(E))[np.ravel(y)]) * scale
    hs = h_magnitudes(step.caches[0], weights[1:4], cell).reshape(-1, W.shape[0])
    layer_magnitudes, de = absolute_backward(
        cell, step.inputs[0], (dlogits @ abs(W).T).reshape(step.hs.shape), step.caches[0],
        weights[1:4], kernel=abs(kernel))
    dE = np.zeros_like(E)
    np.add.at(dE, np.asarray(x), de)
    magnitudes = [dE, *layer_magnitudes, abs(hs).T @ dlogits, dlogits.sum(axis=0)]
    return step.loss, step.state, step.gradients, [ROUNDING_FACTOR * EPS32 * m
                                                   for m in magnitudes]


class AdamRange:
    """Keras' Adam (``stateful_lstm.classifier.Adam``: same constants and formula) run on
    gradients known only within ``[g - d, g + d]``: it keeps the range of each moment estimate
    and gives the range of each update."""

    def __init__(self, learning_rate):
        adam = Adam(learning_rate)
        self.learning_rate, self.beta_1, self.beta_2, self.epsilon = (
            adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon)
        self.t, self.m, self.v = 0, None, None

    def step(self, g, d):
        """``(low, high)`` of the amount Adam subtracts from each weight."""
        g_low, g_high = g - d, g + d
        square_low = np.where((g_low <= 0) & (g_high >= 0), 0.0,
                              np.minimum(g_low ** 2, g_high ** 2))
        square_high = np.maximum(g_low ** 2, g_high ** 2)
        if self.m is None:
            self.m, self.v = (np.zeros_like(g), np.zeros_like(g)), (np.zeros_like(g),
                                                                    np.zeros_like(g))
        b1, b2 = self.beta_1, self.beta_2
        self.t += 1
        self.m = tuple(m + (1 - b1) * (gg - m) for m, gg in zip(self.m, (g_low, g_high)))
        self.v = tuple(v + (1 - b2) * (gg - v) for v, gg in zip(self.v, (square_low, square_high)))
        lr_t = self.learning_rate * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        (m_low, m_high), (v_low, v_high) = self.m, self.v
        d_low, d_high = np.sqrt(v_low) + self.epsilon, np.sqrt(v_high) + self.epsilon
        # m / d over the box: the largest m over the smallest d if it is positive, and so on.
        high = np.where(m_high >= 0, m_high / d_low, m_high / d_high)
        low = np.where(m_low <= 0, m_low / d_low, m_low / d_high)
        return lr_t * low, lr_t * high


@dataclass
class ExpectedStep:
    loss: float
    state: list        # [h, c] after the step
    low: list          # per weight array: the lowest allowed value after the step
    high: list         # and the highest


def expected_step(weights, x, states, y, adam, model=gradient_and_error_bound,
                  sample_weight=None, mask=None, cell="lstm"):
    """What ``train_on_batch(x, y, sample_weight, mask)`` must give from ``weights`` and
    ``states`` (``[h, c]``, or ``[h]``) for a model of ``cell``, with ``adam`` (an
    ``AdamRange``) holding the optimizer's history; ``model`` computes the gradients and their
    bounds (``sequence_gradient_and_error_bound`` for a sequence model)."""
    loss, state, gradients, bounds = model(weights, x, states, y, sample_weight, mask, cell)
    sizes = [g.size for g in gradients]
    flat = lambda arrays: np.concatenate([a.ravel() for a in arrays])   # noqa: E731
    step_low, step_high = adam.step(flat(gradients), flat(bounds))
    w = flat([np.asarray(a, np.float64) for a in weights])
    ends = np.cumsum(sizes)
    unflat = lambda v: [v[end - n:end].reshape(np.shape(a))              # noqa: E731
                        for n, end, a in zip(sizes, ends, weights)]
    return ExpectedStep(loss, list(state), unflat(w - step_high), unflat(w - step_low))
