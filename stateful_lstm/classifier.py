"""The NumPy reference classifier: LSTM -> Dense softmax on the last timestep's h, trained with
categorical cross-entropy and Adam (Keras' defaults), one batch at a time.

    logits = h_T @ W + b,   p = softmax(logits),   loss = mean over rows of -sum(y * log p)
    dlogits = (p - y) / batch,   dW = h_T.T @ dlogits,   dh_T = dlogits @ W.T  -> lstm_backward

The gradient flows back through the timesteps of this batch only (truncated BPTT), while a
stateful classifier's state carries on across batches exactly as in ``LSTM.predict_on_batch``.
"""
from . import validation
from .dense import dense_initial_weights, dense_softmax_loss, softmax
from .lstm import LSTM, lstm_backward
from .parameters import LSTMWithHead, Parameters


class Classifier(LSTMWithHead):
    """A (stateful or stateless) LSTM followed by a softmax Dense layer on its last timestep."""

    def __init__(self, *, units, input_dim, n_classes, stateful, batch_size=None, seed=0,
                 learning_rate=0.001):
        validation.check_classifier_config(n_classes=n_classes, learning_rate=learning_rate)
        self.lstm = LSTM(units=units, input_dim=input_dim, stateful=stateful,
                         batch_size=batch_size, seed=seed)
        self.units, self.input_dim, self.n_classes = units, input_dim, n_classes
        self.stateful, self.batch_size = stateful, batch_size
        self.parameters = Parameters(
            self.lstm.get_weights() + dense_initial_weights(units, n_classes, seed),
            learning_rate, lambda weights: validation.check_classifier_weights(
                weights, input_dim, units, n_classes))
        self.lstm.kernel, self.lstm.recurrent_kernel, self.lstm.bias, self.W, self.b = \
            self.parameters.views

    def _checked(self, x, y=None):
        x = validation.check_input(x, self.batch_size if self.stateful else None, self.input_dim)
        if x.shape[1] == 0:
            raise ValueError(f"a classifier reads the last timestep; received an input with 0 "
                             f"timesteps (shape {x.shape})")
        if y is not None:
            y = validation.check_targets(y, x.shape[0], self.n_classes)
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
