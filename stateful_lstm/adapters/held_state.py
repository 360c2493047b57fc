"""The carried state of frameworks whose recurrent layers are functions of (input, state), with
no stateful mode (PyTorch, Flax, ONNX Runtime): the adapter keeps ``[h, c]`` (``[h]`` for a GRU
or SimpleRNN; a stack's every layer's, bottom first) between calls, as users of those frameworks
do."""
import numpy as np

from .. import validation
from ..cells import CELLS


class HeldState:
    """The carried state (``[h, c]``, or ``[h]``: the ``cell``'s) of a framework whose recurrent
    layer is a function of (input, state): the adapter passes the state in and keeps what comes
    out, as users of that framework do.

    Subclasses set ``units``, ``stateful``, ``batch_size`` (and ``cell`` if not an LSTM,
    ``layers`` for a stack) and call ``reset_states()`` once."""

    cell, layers = "lstm", 1

    def reset_states(self):
        self._held = None if not self.stateful else self._zeros(self.batch_size)

    def _zeros(self, batch):
        return [np.zeros((batch, self.units), np.float32)
                for _ in range(len(CELLS[self.cell].states) * self.layers)]

    def get_states(self):
        validation.require_stateful(self, "get_states")
        return [s.copy() for s in self._held]

    def set_states(self, states):
        validation.require_stateful(self, "set_states")
        self._held = validation.check_states(states, self.batch_size, self.units, finite=False,
                                             count=len(CELLS[self.cell].states) * self.layers)

    def start_states(self, batch):
        """The state a call on ``batch`` rows starts from: the carried state, or zeros for a
        stateless model."""
        return self._held if self.stateful else self._zeros(batch)

    def keep(self, *state):
        """Carry the call's final state into the next call (stateful models only)."""
        if self.stateful:
            self._held = [np.array(s, np.float32) for s in state]
