"""What the framework adapters share: version lines, a pool of built models, and the carried state
of frameworks that have no stateful mode (PyTorch, Flax), where the adapter keeps ``[h, c]``."""
import weakref
from importlib import metadata

import numpy as np

from .. import checks


def version(*distributions):
    """The installed version of the first of ``distributions`` found, or "not installed"
    (read from package metadata: nothing is imported)."""
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return "not installed"


def configure(model, *, units, input_dim, stateful, batch_size, seed, **classifier):
    """Check the factory's arguments as the reference does (``make_lstm``'s, and with
    ``n_classes`` and ``learning_rate`` ``make_classifier``'s) and set the contract's attributes
    on ``model``."""
    checks.check_config(units=units, input_dim=input_dim, stateful=stateful,
                        batch_size=batch_size, seed=seed)
    if classifier:
        checks.check_classifier_config(**classifier)
        model.n_classes = classifier["n_classes"]
    model.units, model.input_dim = units, input_dim
    model.stateful, model.batch_size = stateful, batch_size


def read_states(model, variables):
    """``get_states()`` of a Keras model whose LSTM keeps its state in ``variables``."""
    checks.require_stateful(model, "get_states")
    return [np.array(v.numpy()) for v in variables]


_free_models = {}      # (builder name, *key) -> built models that no live wrapper uses


def checkout(owner, build, *key):
    """A Keras model built by ``build(*key)`` that no live wrapper uses (a pooled one if there is
    one); it returns to the pool when ``owner`` is garbage collected. Building a model costs
    0.1-0.3 s, and the spec builds thousands.

    A pooled model gets a new, untraced predict function, so that it behaves as a new model does:
    Keras treats the first traced call differently from later ones (a new functional model
    reshapes inputs of another rank; a traced one raises), and which tests ran before must not
    decide a verdict. (Its train function is kept: retracing it would cost 0.5 s per classifier.)"""
    free = _free_models.setdefault((build.__module__, build.__name__, *key), [])
    model = free.pop() if free else build(*key)
    model.make_predict_function(force=True)
    weakref.finalize(owner, free.append, model)
    return model


class HeldState:
    """The carried state ``[h, c]`` of a framework whose LSTM is a function of (input, state):
    the adapter passes the state in and keeps what comes out, as users of that framework do.

    Subclasses set ``units``, ``stateful``, ``batch_size`` and call ``reset_states()`` once."""

    def reset_states(self):
        self._held = None if not self.stateful else [
            np.zeros((self.batch_size, self.units), np.float32) for _ in range(2)]

    def get_states(self):
        checks.require_stateful(self, "get_states")
        return [s.copy() for s in self._held]

    def set_states(self, states):
        checks.require_stateful(self, "set_states")
        self._held = checks.check_states(states, self.batch_size, self.units, finite=False)

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
