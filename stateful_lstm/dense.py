"""The Dense softmax layer of the classifier and the sequence model, and its cross-entropy:

    logits = h @ W + b,   p = softmax(logits),   loss = sum over rows of w * -sum(y * log p) / n
    dlogits = w * (p - y) / n,   dW = h.T @ dlogits,   db = sum of dlogits,   dh = dlogits @ W.T

with Keras' reduction ("sum_over_batch_size"): ``w`` the rows' sample weights (1 without), ``n``
the number of rows, or, where a mask drops rows from the loss, the number of rows it keeps (their
w is 0); a loss over no row at all is 0 (Keras' ``divide_no_nan``).
"""
import numpy as np

from .recurrent import DTYPE


def softmax(logits):
    """Probabilities along the last axis (shifted by the largest logit: no overflow)."""
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def dense_softmax_loss(h, W, b, y, weights=None, count=None):
    """Probabilities, cross-entropy of the rows of ``h`` (batch, u) against one-hot ``y``, and the
    gradients ``dh, dW, db`` of the output layer. The loss is the sum over rows of ``weights``
    times each row's cross-entropy (weights None: all 1) divided by ``count`` (None: the number
    of rows), 0 if ``count`` is 0."""
    logits = h @ W + b
    logits = logits - logits.max(axis=1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    p = np.exp(log_p)
    count = len(y) if count is None else count
    weights = np.ones((len(y), 1), p.dtype) if weights is None else weights.reshape(-1, 1)
    scale = weights / count if count else 0 * weights
    loss = (scale * -(y * log_p).sum(axis=1, keepdims=True)).sum()
    dlogits = scale * (p - y)
    return p, loss, dlogits @ W.T, h.T @ dlogits, dlogits.sum(axis=0)


def dense_initial_weights(units, n_classes, seed):
    """Keras' Dense defaults: Glorot-uniform kernel, zero bias."""
    limit = np.sqrt(6.0 / (units + n_classes))
    rng = np.random.default_rng([seed, 1])
    return [rng.uniform(-limit, limit, (units, n_classes)).astype(DTYPE),
            np.zeros(n_classes, DTYPE)]
