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
_masked_models = weakref.WeakKeyDictionary()     # built model -> its masked companion


def masked_companion(k, model, lstm):
    """A functional model on the same layers as ``model`` (so the same weights, carried state
    and optimizer) taking ``[inputs, mask]``, the mask (batch, T) bool passed to the ``lstm``
    layer's call as Keras' users pass one (``lstm(x, mask=mask)``); Keras propagates it from there
    (to the loss, for a model that returns every timestep)."""
    spec = model.inputs[0]
    shape = tuple(spec.shape)
    inputs = k.Input(batch_shape=shape, dtype=spec.dtype)
    mask = k.Input(batch_shape=shape[:2], dtype="bool")
    h = inputs
    for layer in model.layers:
        if not isinstance(layer, k.layers.InputLayer):
            h = layer(h, mask=mask) if layer is lstm else layer(h)
    masked = k.Model([inputs, mask], h)
    if getattr(model, "optimizer", None) is not None:
        masked.compile(optimizer=model.optimizer, loss=model.loss)
    return masked


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

    A call with a mask goes to the model's masked companion (``masked_companion``), built on the
    first masked call and pooled with the model.

    Subclasses set ``REUSES_TRACES``, the contract's attributes (``configure``), ``layer`` (the
    LSTM) and ``keras_module`` (the Keras that built the model)."""

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
        for model in (self.model, _masked_models.get(self.model)):
            if model is not None:
                model.make_predict_function(force=True)
                if getattr(model, "optimizer", None) is not None:
                    model.make_train_function(force=True)
                    model.make_test_function(force=True)
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

    def _call(self, method, x, y=None, sample_weight=None, mask=None):
        """``model.<method>(x[, y, sample_weight=...])``, or the masked companion's
        ``<method>([x, mask], ...)``, with the traced functions renewed first if the model cannot
        vouch for them (see the class docstring)."""
        well_formed = self._well_formed(x, y) and (sample_weight is None or (
            isinstance(sample_weight, np.ndarray) and sample_weight.dtype == np.float32
            and sample_weight.shape == (x.shape[:1] if x.ndim == 3 else x.shape))) and (
            mask is None or (isinstance(mask, np.ndarray) and mask.dtype == bool
                             and mask.shape == x.shape[:2]))
        model = self.model
        if mask is not None:
            if model not in _masked_models:
                _masked_models[model] = masked_companion(self.keras_module, model, self.layer)
            model, x = _masked_models[model], [x, mask]
        if self._first_call and self.REUSES_TRACES and not (
                well_formed and self.model._stateful_lstm_only_well_formed_calls):
            self._renew_functions()
        self._first_call = False
        self.model._stateful_lstm_only_well_formed_calls &= well_formed
        function = getattr(model, method)
        return function(x) if y is None else function(x, y, sample_weight=sample_weight)


class PooledTokenModel(PooledKerasModel):
    """A pooled Keras sequence model: its well-formed batches are integer token ids (batch,
    T), and its targets the same shape."""

    def _well_formed(self, x, y):
        """Whether ``x`` (and ``y``) are integer token batches this model is built for."""
        def tokens(a):
            return (isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.integer)
                    and a.ndim == 2 and a.shape[1] >= 1
                    and (a.shape[0] == self.batch_size if self.stateful else a.shape[0] >= 1))
        return tokens(x) and (y is None or (tokens(y) and y.shape == x.shape))
