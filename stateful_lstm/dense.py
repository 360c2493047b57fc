"""The Dense softmax layer of the classifier and the sequence model, and its cross-entropy:

    logits = h @ W + b,   p = softmax(logits),   loss = mean over rows of -sum(y * log p)
    dlogits = (p - y) / rows,   dW = h.T @ dlogits,   db = sum of dlogits,   dh = dlogits @ W.T
"""
import numpy as np

from .lstm import DTYPE


def softmax(logits):
    """Probabilities along the last axis (shifted by the largest logit: no overflow)."""
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def dense_softmax_loss(h, W, b, y):
    """Probabilities, mean cross-entropy over the rows of ``h`` (batch, u) and one-hot ``y``, and
    the gradients ``dh, dW, db`` of the output layer."""
    logits = h @ W + b
    logits = logits - logits.max(axis=1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    p = np.exp(log_p)
    loss = -(y * log_p).sum(axis=1).mean()
    dlogits = (p - y) / len(y)
    return p, loss, dlogits @ W.T, h.T @ dlogits, dlogits.sum(axis=0)


def dense_initial_weights(units, n_classes, seed):
    """Keras' Dense defaults: Glorot-uniform kernel, zero bias."""
    limit = np.sqrt(6.0 / (units + n_classes))
    rng = np.random.default_rng([seed, 1])
    return [rng.uniform(-limit, limit, (units, n_classes)).astype(DTYPE),
            np.zeros(n_classes, DTYPE)]
