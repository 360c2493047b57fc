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


class PooledKerasModel:
    """The wrapper side of a pool of built Keras models: building one costs 0.1-0.3 s, and the
    spec builds thousands. A wrapper takes a model no live wrapper uses (``_checkout``) and it
    returns to the pool when the wrapper is garbage collected; every call to the model goes
    through ``_call``.

    A pooled model must behave exactly as a new one, and Keras treats a model's first traced call
    differently from later ones (a new functional model reshapes inputs of another rank, a traced
    one raises; a new stateful model refuses a 1-row batch, a traced one broadcasts it), and on
    JAX a traced step keeps the state it read when it was traced. So a pooled model gets new,
    untraced predict and train functions, except where the traces it keeps are known to compute
    what new ones would: on TensorFlow (``REUSES_TRACES``), a tf.function traced only with
    well-formed batches computes the same for any well-formed batch, and after one such call a
    new model's function is retraced for anything else, as the pooled one's is. The pooled traces
    are kept while every call since the model was built was well formed and the wrapper's first
    call is; otherwise the functions are renewed before that call (retracing costs 0.1-0.5 s
    per model, most of the time of the Keras columns before this was done).

    Subclasses set ``REUSES_TRACES`` and the contract's attributes (``configure``)."""

    REUSES_TRACES = False

    def _checkout(self, build, *key):
        free = _free_models.setdefault((build.__module__, build.__name__, *key), [])
        if free:
            self.model = free.pop()
        else:
            self.model = build(*key)
            self.model._stateful_lstm_only_well_formed_calls = True
        weakref.finalize(self, free.append, self.model)
        self._first_call = True
        if not self.REUSES_TRACES:
            self._renew_functions()
        return self.model

    def _renew_functions(self):
        self.model.make_predict_function(force=True)
        if getattr(self.model, "optimizer", None) is not None:
            self.model.make_train_function(force=True)
        self.model._stateful_lstm_only_well_formed_calls = True

    def _well_formed(self, x, y):
        """Whether ``x`` (and ``y``, for training) is a float32 batch this model is built for."""
        if not (isinstance(x, np.ndarray) and x.dtype == np.float32 and x.ndim == 3):
            return False
        rows, steps, features = x.shape
        return (steps >= 1 and features == self.input_dim
                and (rows == self.batch_size if self.stateful else rows >= 1)
                and (y is None or (isinstance(y, np.ndarray) and y.dtype == np.float32
                                   and y.shape == (rows, self.n_classes))))

    def _call(self, method, x, y=None):
        """``model.<method>(x[, y])``, with the model's traced functions renewed first if it
        cannot vouch for them (see the class docstring)."""
        well_formed = self._well_formed(x, y)
        if self._first_call and self.REUSES_TRACES and not (
                well_formed and self.model._stateful_lstm_only_well_formed_calls):
            self._renew_functions()
        self._first_call = False
        self.model._stateful_lstm_only_well_formed_calls &= well_formed
        function = getattr(self.model, method)
        return function(x) if y is None else function(x, y)


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
