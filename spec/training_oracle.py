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

from stateful_lstm.adam import Adam
from stateful_lstm.dense import dense_softmax_loss
from stateful_lstm.lstm import lstm_backward, lstm_forward
from stateful_lstm.sequence import forward_backward, token_weights

EPS32 = float(np.finfo(np.float32).eps)
# How many float32 roundings of its terms' total magnitude a gradient element may be off by.
ROUNDING_FACTOR = 64


# The backward pass on absolute values: unsigned derivatives, 1 + a for every 1 - a.
UNSIGNED = dict(dsigmoid=lambda s: s * (1 + s), dtanh=lambda t: 1 + t * t)


def absolute_cache(cache):
    """``lstm_forward``'s cache as magnitudes, each the sum of the absolute values of the terms
    that make the quantity up in float32 (what its rounding error is relative to). A gate is
    ``0.5 + 0.5 tanh(z / 2)``, so it is known to about eps32 in absolute terms however small it
    is: its magnitude is ``0.5 + |s - 0.5|``. The cell state ``f c + i g`` and the h it gives,
    ``o tanh(c)``, take their factors' magnitudes (tanh's error: its own, plus ``1 - tanh^2``
    times c's); every step starts from the previous step's h and c magnitudes (a masked row
    keeps them). Returns the magnitudes per step, in the cache's layout, and the last h's."""
    magnitudes, h_mag, c_mag = [], None, None
    for h_prev, c_prev, s, g, c_t, m in cache:
        u = g.shape[1]
        s_mag = 0.5 + abs(s - 0.5)
        h_prev_mag = abs(h_prev) if h_mag is None else h_mag
        c_prev_mag = abs(c_prev) if c_mag is None else c_mag
        c_mag = s_mag[:, u:2 * u] * c_prev_mag + s_mag[:, :u] * abs(g)
        tanh_c = np.tanh(c_t)
        h_mag = s_mag[:, 3 * u:] * (abs(tanh_c) + (1 - tanh_c ** 2) * c_mag)
        magnitudes.append((h_prev_mag, c_prev_mag, s_mag, abs(g), c_mag, m))
        if m is not None:
            h_mag, c_mag = np.where(m, h_mag, h_prev_mag), np.where(m, c_mag, c_prev_mag)
    return magnitudes, h_mag


def h_magnitudes(cache):
    """The magnitude of h at every timestep (``absolute_cache``), (batch, T, units)."""
    steps, last = absolute_cache(cache)
    return np.stack([h_prev for h_prev, *_ in steps[1:]] + [last], axis=1)


def gradient_and_error_bound(weights, x, h, c, y, sample_weight=None, mask=None):
    """The classifier's float64 loss, final ``(h, c)``, gradients (one per weight array) and,
    per gradient element, the bound ``d`` on its float32 rounding error (``sample_weight``
    (batch,) and ``mask`` (batch, T) as ``train_on_batch`` takes them)."""
    kernel, recurrent, bias, W, b = (np.asarray(w, np.float64) for w in weights)
    x, h, c, y = (np.asarray(a, np.float64) for a in (x, h, c, y))
    weight = None if sample_weight is None else np.asarray(sample_weight, np.float64)
    cache = []
    hs, h, c = lstm_forward(x, h, c, kernel, recurrent, bias, cache, mask)
    p, loss, dh, dW, db = dense_softmax_loss(hs[:, -1], W, b, y, weight)
    gradients = lstm_backward(x, dh, cache, recurrent) + [dW, db]
    # The same backward pass on absolute values: every term of the expansion, added up unsigned
    # (a saturated gate's 1 - s is known only to about eps32).
    dlogits = (p + y) / len(y) * (1 if weight is None else weight[:, None])
    cache_mag, h_mag = absolute_cache(cache)
    magnitudes = lstm_backward(abs(x), dlogits @ abs(W).T, cache_mag, abs(recurrent),
                               **UNSIGNED) + [h_mag.T @ dlogits, dlogits.sum(axis=0)]
    return loss, (h, c), gradients, [ROUNDING_FACTOR * EPS32 * m for m in magnitudes]


def sequence_gradient_and_error_bound(weights, x, h, c, y, sample_weight=None, mask=None):
    """``gradient_and_error_bound`` for the sequence model (``stateful_lstm.sequence``): token
    ids ``x`` and targets ``y`` (batch, T), weights as its ``get_weights`` lists them;
    ``sample_weight`` and ``mask`` (batch, T)."""
    weights = [np.asarray(w, np.float64) for w in weights]
    E, kernel, recurrent, _, W, _ = weights
    weight = None if sample_weight is None else np.asarray(sample_weight, np.float64)
    step = forward_backward(weights, np.asarray(x), np.asarray(y),
                            [np.asarray(h, np.float64), np.asarray(c, np.float64)], weight, mask)
    token_weight, count = token_weights(weight, mask, np.shape(x))
    scale = token_weight[:, None] / count if count else 0 * token_weight[:, None]
    dlogits = (step.probabilities + np.eye(len(E))[np.ravel(y)]) * scale
    hs = h_magnitudes(step.cache).reshape(-1, W.shape[0])
    lstm_magnitudes, de = lstm_backward(abs(step.embedded),
                                        (dlogits @ abs(W).T).reshape(step.hs.shape),
                                        absolute_cache(step.cache)[0], abs(recurrent),
                                        kernel=abs(kernel), **UNSIGNED)
    dE = np.zeros_like(E)
    np.add.at(dE, np.asarray(x), de)
    magnitudes = [dE, *lstm_magnitudes, abs(hs).T @ dlogits, dlogits.sum(axis=0)]
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
                  sample_weight=None, mask=None):
    """What ``train_on_batch(x, y, sample_weight, mask)`` must give from ``weights`` and
    ``states`` (``[h, c]``), with ``adam`` (an ``AdamRange``) holding the optimizer's history;
    ``model`` computes the gradients and their bounds (``sequence_gradient_and_error_bound``
    for a sequence model)."""
    loss, state, gradients, bounds = model(weights, x, *states, y, sample_weight, mask)
    sizes = [g.size for g in gradients]
    flat = lambda arrays: np.concatenate([a.ravel() for a in arrays])   # noqa: E731
    step_low, step_high = adam.step(flat(gradients), flat(bounds))
    w = flat([np.asarray(a, np.float64) for a in weights])
    ends = np.cumsum(sizes)
    unflat = lambda v: [v[end - n:end].reshape(np.shape(a))              # noqa: E731
                        for n, end, a in zip(sizes, ends, weights)]
    return ExpectedStep(loss, list(state), unflat(w - step_high), unflat(w - step_low))
