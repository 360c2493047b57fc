"""The NumPy reference classifier: LSTM -> Dense softmax on the last timestep's h, trained with
categorical cross-entropy and Adam (Keras' defaults), one batch at a time.

    logits = h_T @ W + b,   p = softmax(logits),   loss = mean over rows of -sum(y * log p)
    dlogits = (p - y) / batch,   dW = h_T.T @ dlogits,   dh_T = dlogits @ W.T  -> lstm_backward

The gradient flows back through the timesteps of this batch only (truncated BPTT), while a
stateful classifier's state carries on across batches exactly as in ``LSTM.predict_on_batch``.
"""

import numpy as np

from . import checks
from .reference import DTYPE, LSTM, lstm_backward


class Adam:
    """Keras' Adam: m += (1-b1)(g-m); v += (1-b2)(g^2-v); w -= lr_t m / (sqrt(v) + eps),
    with lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)."""

    def __init__(self, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
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


class Parameters:
    """A model's weight arrays as views of one float32 vector, which Adam updates in one go;
    ``check`` turns the arrays given to ``set`` into float32 copies or raises ValueError."""

    def __init__(self, weights, learning_rate, check):
        self.vector = np.concatenate([w.ravel() for w in weights])
        ends = np.cumsum([w.size for w in weights])
        self.views = [self.vector[end - w.size:end].reshape(w.shape)
                      for w, end in zip(weights, ends)]
        self.optimizer = Adam(learning_rate)
        self._check = check

    def step(self, gradients):
        """One Adam step from the gradients, one per weight array."""
        self.optimizer.step(self.vector, np.concatenate([g.ravel() for g in gradients]))

    def get(self):
        return [view.copy() for view in self.views]

    def set(self, weights):
        for view, w in zip(self.views, self._check(weights)):
            view[...] = w


class LSTMModel:
    """What the classifier and the sequence model share: the reference LSTM ``self.lstm``, whose
    state is the model's, and every weight in ``self.parameters``."""

    def reset_states(self):
        self.lstm.reset_states()

    def get_states(self):
        return self.lstm.get_states()

    def set_states(self, states):
        self.lstm.set_states(states)

    def get_weights(self):
        return self.parameters.get()

    def set_weights(self, weights):
        self.parameters.set(weights)


class Classifier(LSTMModel):
    """A (stateful or stateless) LSTM followed by a softmax Dense layer on its last timestep."""

    def __init__(self, *, units, input_dim, n_classes, stateful, batch_size=None, seed=0,
                 learning_rate=0.001):
        checks.check_classifier_config(n_classes=n_classes, learning_rate=learning_rate)
        self.lstm = LSTM(units=units, input_dim=input_dim, stateful=stateful,
                         batch_size=batch_size, seed=seed)
        self.units, self.input_dim, self.n_classes = units, input_dim, n_classes
        self.stateful, self.batch_size = stateful, batch_size
        self.parameters = Parameters(
            self.lstm.get_weights() + dense_initial_weights(units, n_classes, seed),
            learning_rate, lambda weights: checks.check_classifier_weights(
                weights, input_dim, units, n_classes))
        self.lstm.kernel, self.lstm.recurrent_kernel, self.lstm.bias, self.W, self.b = \
            self.parameters.views

    def _checked(self, x, y=None):
        x = checks.check_input(x, self.batch_size if self.stateful else None, self.input_dim)
        if x.shape[1] == 0:
            raise ValueError(f"a classifier reads the last timestep; received an input with 0 "
                             f"timesteps (shape {x.shape})")
        if y is not None:
            y = checks.check_targets(y, x.shape[0], self.n_classes)
        return x, y

    def predict_on_batch(self, x):
        """Class probabilities (batch, n_classes); moves a stateful classifier's state."""
        x, _ = self._checked(x)
        return softmax(self.lstm.run(x)[:, -1] @ self.W + self.b)

    def train_on_batch(self, x, y):
        """One Adam step on the mean cross-entropy of this batch; returns the loss before it."""
        x, y = self._checked(x, y)
        cache = []
        hs = self.lstm.run(x, cache)
        _, loss, dh, dW, db = dense_softmax_loss(hs[:, -1], self.W, self.b, y)
        self.parameters.step(lstm_backward(x, dh, cache, self.lstm.recurrent_kernel) + [dW, db])
        return float(loss)
