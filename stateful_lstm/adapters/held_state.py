"""The carried state of frameworks whose LSTM is a function of (input, state), with no stateful
mode (PyTorch, Flax): the adapter keeps ``[h, c]`` between calls, as users of those frameworks do."""
import numpy as np

from .. import validation


class HeldState:
    """The carried state ``[h, c]`` of a framework whose LSTM is a function of (input, state):
    the adapter passes the state in and keeps what comes out, as users of that framework do.

    Subclasses set ``units``, ``stateful``, ``batch_size`` and call ``reset_states()`` once."""

    def reset_states(self):
        self._held = None if not self.stateful else [
            np.zeros((self.batch_size, self.units), np.float32) for _ in range(2)]

    def get_states(self):
        validation.require_stateful(self, "get_states")
        return [s.copy() for s in self._held]

    def set_states(self, states):
        validation.require_stateful(self, "set_states")
        self._held = validation.check_states(states, self.batch_size, self.units, finite=False)

    def start_states(self, batch):
        """The ``(h, c)`` a call on ``batch`` rows starts from: the carried state, or zeros for a
        stateless model."""
        if self.stateful:
            return self._held
        return [np.zeros((batch, self.units), np.float32) for _ in range(2)]

    def keep(self, h, c):
        """Carry ``(h, c)``, the call's final state, into the next call (stateful models only)."""
        if self.stateful:
            self._held = [np.array(h, np.float32), np.array(c, np.float32)]
