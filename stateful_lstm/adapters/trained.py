"""The trained models (classifier, sequence model) of a framework with no stateful mode and
no Keras training (PyTorch, Flax), written once: the contract's ``*_on_batch`` methods,
right-padded masks as a length per row, sample weights, Keras' loss reductions and Keras' Adam
(``keras_epsilon``). A framework supplies its forward pass, its loss and its training step
(``TrainedModel``'s three hooks) and the layout of its weights.
"""
import numpy as np

from .. import validation
from ..adam import BETA_2, EPSILON


def keras_epsilon(step):
    """The epsilon that makes an Adam adding it after the bias correction (PyTorch's, optax')
    take Keras' step number ``step`` (1, 2, ...): ``m̂ / (sqrt(v̂) + eps')`` is Keras'
    ``lr_t * m / (sqrt(v) + eps)`` when ``eps' = eps / sqrt(1 - beta_2**step)``."""
    return EPSILON / np.sqrt(1 - BETA_2 ** step)


def classifier_loss(log_p, y, weights):
    """Keras' categorical cross-entropy of a batch, in any array library: each row's ``-sum(y *
    log p)`` times its weight, summed, over the batch size."""
    return (weights * -(y * log_p).sum(-1)).sum() / log_p.shape[0]


def sequence_loss(nll, weights, real):
    """Keras' loss of a batch of token sequences, in any array library: each real token's
    ``-log p[y]`` (``nll``) times its weight, summed, over the number of real tokens (``real``:
    1 at a real step, 0 at padding); 0 if there is none."""
    count = real.sum()
    return (weights * real * nll).sum() / (count + (count == 0))


class TrainedModel:
    """The ``*_on_batch`` methods of a trained model. A subclass (also a ``HeldState``) sets
    ``TARGETS`` (the dtype of ``y``) and ``WEIGHT_DIMS`` (the sample weights are
    ``y.shape[:WEIGHT_DIMS]``: one per row, or one per token), and gives, each moving a
    stateful model's state as prediction does:

    - ``_predict(x, lengths)``: the probabilities, a NumPy array;
    - ``_step(x, y, weights, lengths, epsilon)``: one Adam step (``epsilon``: the step's, from
      ``keras_epsilon``), returning the loss before it;
    - ``_evaluate(x, y, weights, lengths)``: the loss, changing nothing else.

    ``lengths`` is None (every step real) or each row's number of real steps; ``weights`` are
    ones where no sample weights were given."""

    steps = 0

    def predict_on_batch(self, x, mask=None):
        return self._predict(np.asarray(x), validation.right_padded_lengths("predict_on_batch",
                                                                            mask))

    def train_on_batch(self, x, y, sample_weight=None, mask=None):
        batch = self._batch("train_on_batch", x, y, sample_weight, mask)
        self.steps += 1
        return float(self._step(*batch, keras_epsilon(self.steps)))

    def test_on_batch(self, x, y, sample_weight=None, mask=None):
        return float(self._evaluate(*self._batch("test_on_batch", x, y, sample_weight, mask)))

    def _batch(self, what, x, y, sample_weight, mask):
        lengths = validation.right_padded_lengths(what, mask)
        x, y = np.asarray(x), np.asarray(y, self.TARGETS)
        weights = np.ones(y.shape[:self.WEIGHT_DIMS], np.float32) if sample_weight is None \
            else np.asarray(sample_weight, np.float32)
        return x, y, weights, lengths


def real_steps(lengths, shape):
    """1.0 at each row's real steps of a (batch, T) ``shape``, 0.0 at its padding (``lengths``
    None: every step real)."""
    if lengths is None:
        return np.ones(shape, np.float32)
    return (np.arange(shape[1]) < lengths[:, None]).astype(np.float32)
