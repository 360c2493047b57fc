"""Keras' Adam, the optimizer of the contract (SPEC.md, clause 8), written out:

    m += (1 - b1) (g - m);   v += (1 - b2) (g^2 - v)
    w -= lr_t * m / (sqrt(v) + eps),   lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t)

with Keras' defaults b1 0.9, b2 0.999, eps 1e-7 (epsilon before the bias correction, where
PyTorch and optax add it after).
"""
import numpy as np

BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7     # Keras' defaults (the contract's)


class Adam:
    """Keras' Adam: m += (1-b1)(g-m); v += (1-b2)(g^2-v); w -= lr_t m / (sqrt(v) + eps),
    with lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)."""

    def __init__(self, learning_rate, beta_1=BETA_1, beta_2=BETA_2, epsilon=EPSILON):
        self.learning_rate, self.beta_1, self.beta_2, self.epsilon = (
            learning_rate, beta_1, beta_2, epsilon)
        self.t, self.m, self.v = 0, None, None

    def step(self, w, g):
        """Update the parameter vector ``w`` in place from its gradient ``g``."""
        if self.m is None:
            self.m, self.v = np.zeros_like(w), np.zeros_like(w)
        self.t += 1
        lr_t = self.learning_rate * np.sqrt(1 - self.beta_2 ** self.t) / (1 - self.beta_1 ** self.t)
        self.m += (1 - self.beta_1) * (g - self.m)
        self.v += (1 - self.beta_2) * (g * g - self.v)
        w -= w.dtype.type(lr_t) * self.m / (np.sqrt(self.v) + w.dtype.type(self.epsilon))
