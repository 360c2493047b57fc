"""The NumPy reference classifier: a recurrent layer (LSTM, GRU or SimpleRNN: ``cell``) -> Dense
softmax on the last timestep's h, trained with categorical cross-entropy and Adam (Keras'
defaults), one batch at a time.

    logits = h_T @ W + b,   p = softmax(logits),   loss = sum over rows of w * -sum(y * log p) / batch
    dlogits = w * (p - y) / batch,   dW = h_T.T @ dlogits,   dh_T = dlogits @ W.T  -> the cell's backward

``w`` is the row's sample weight (1 without). With a mask, h_T is the h each row ends the call
with: masked steps keep the state, so a row's last real step's h (or, with no real step in this
call, the h it carried in).

The gradient flows back through the timesteps of this batch only (truncated BPTT), while a
stateful classifier's state carries on across batches exactly as in the layer's
``predict_on_batch``.
"""
from . import validation
from .dense import dense_initial_weights, dense_softmax_loss, softmax
from .parameters import Parameters, RecurrentWithHead


class Classifier(RecurrentWithHead):
    """A (stateful or stateless) recurrent layer of ``cell`` followed by a softmax Dense layer on
    its last timestep."""

    def __init__(self, *, units, input_dim, n_classes, stateful, batch_size=None, seed=0,
                 learning_rate=0.001, cell="lstm"):
        validation.check_classifier_config(n_classes=n_classes, learning_rate=learning_rate)
        self._build_layer(cell, units=units, input_dim=input_dim, stateful=stateful,
                          batch_size=batch_size, seed=seed)
        self.units, self.input_dim, self.n_classes = units, input_dim, n_classes
        self.stateful, self.batch_size = stateful, batch_size
        self.parameters = Parameters(
            self.layer.get_weights() + dense_initial_weights(units, n_classes, seed),
            learning_rate, lambda weights: validation.check_classifier_weights(
                weights, input_dim, units, n_classes, cell=cell))
        self.layer.kernel, self.layer.recurrent_kernel, self.layer.bias, self.W, self.b = \
            self.parameters.views

    def _check_batch(self, what, x, y=None, sample_weight=None, mask=None):
        x = validation.check_input(x, self.batch_size if self.stateful else None, self.input_dim)
        if x.shape[1] == 0:
            raise ValueError(f"a classifier reads the last timestep; received an input with 0 "
                             f"timesteps (shape {x.shape})")
        if y is not None:
            y = validation.check_targets(y, x.shape[0], self.n_classes)
        return (x, y, validation.check_sample_weight(what, sample_weight, x.shape[:1]),
                validation.check_mask(what, mask, x.shape[:2]))

    def predict_on_batch(self, x, mask=None):
        """Class probabilities (batch, n_classes); moves a stateful classifier's state."""
        x, _, _, mask = self._check_batch("predict_on_batch", x, mask=mask)
        return softmax(self.layer.run(x, mask=mask)[:, -1] @ self.W + self.b)

    def _loss(self, what, x, y, sample_weight, mask, cache=None):
        x, y, sample_weight, mask = self._check_batch(what, x, y, sample_weight, mask)
        hs = self.layer.run(x, cache, mask)
        return x, dense_softmax_loss(hs[:, -1], self.W, self.b, y, sample_weight)

    def train_on_batch(self, x, y, sample_weight=None, mask=None):
        """One Adam step on the (weighted) mean cross-entropy of this batch; returns the loss
        before it."""
        cache = []
        x, (_, loss, dh, dW, db) = self._loss("train_on_batch", x, y, sample_weight, mask, cache)
        self.parameters.step(self.layer.backward(x, dh, cache, self.layer.recurrent_kernel) +
                             [dW, db])
        return float(loss)

    def test_on_batch(self, x, y, sample_weight=None, mask=None):
        """The loss ``train_on_batch`` would return, without the step: the weights and Adam stay
        as they are; the state moves as in ``predict_on_batch``."""
        return float(self._loss("test_on_batch", x, y, sample_weight, mask)[1][1])
