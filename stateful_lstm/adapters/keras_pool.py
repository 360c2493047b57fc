"""A pool of built Keras models, shared by the Keras 3 and Keras 2 adapters (building one costs
0.1-0.3 s, and the spec builds thousands), and reading a Keras LSTM's carried state."""
import weakref

import numpy as np

from .. import validation


def read_states(model, variables):
    """``get_states()`` of a Keras model whose LSTM keeps its state in ``variables``."""
    validation.require_stateful(model, "get_states")
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
            self.model.make_test_function(force=True)
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

    def _call(self, method, x, y=None, sample_weight=None):
        """``model.<method>(x[, y, sample_weight=...])``, with the model's traced functions
        renewed first if it cannot vouch for them (see the class docstring)."""
        well_formed = self._well_formed(x, y) and (sample_weight is None or (
            isinstance(sample_weight, np.ndarray) and sample_weight.dtype == np.float32
            and sample_weight.shape == (x.shape[:1] if x.ndim == 3 else x.shape)))
        if self._first_call and self.REUSES_TRACES and not (
                well_formed and self.model._stateful_lstm_only_well_formed_calls):
            self._renew_functions()
        self._first_call = False
        self.model._stateful_lstm_only_well_formed_calls &= well_formed
        function = getattr(self.model, method)
        return function(x) if y is None else function(x, y, sample_weight=sample_weight)
