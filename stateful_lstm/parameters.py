"""What the reference's trained models share: every weight array a view of one float32 vector
that Adam updates in one go (``Parameters``), and the reference layer of the model's cell whose
carried state is the model's (``RecurrentWithHead``, the base of the classifier and the sequence
model)."""
import numpy as np

from . import stack, validation
from .adam import Adam
from .loops import TrainingLoops


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


class RecurrentWithHead(TrainingLoops):
    """What the classifier and the sequence model share: the reference layer ``self.layer`` of
    their ``cell`` (LSTM, GRU or SimpleRNN), whose state is the model's, every weight in
    ``self.parameters``, and the loops (``loops``)."""

    def _build_layer(self, cell, layers=1, **config):
        """``self.layer``: the reference layer of ``cell`` (a key of ``LAYERS``) with ``config``,
        or ``layers`` of them stacked (``stack.Stack``)."""
        validation.check_cell(cell)
        self.cell, self.layer = cell, stack.make(cell, layers, **config)

    @property
    def recurrent_layers(self):
        """The reference layers that compute, bottom first (a stack's every layer)."""
        return self.layer.layers if isinstance(self.layer, stack.Stack) else [self.layer]

    def reset_states(self):
        self.layer.reset_states()

    def get_states(self):
        return self.layer.get_states()

    def set_states(self, states):
        self.layer.set_states(states)

    def get_weights(self):
        return self.parameters.get()

    def set_weights(self, weights):
        self.parameters.set(weights)
