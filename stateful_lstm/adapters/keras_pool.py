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


def _give_back(free, model, reusable):
    """Return ``model`` to the pool ``free`` unless a loop of it raised (``reusable[0]``)."""
    if reusable[0]:
        free.append(model)


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
    first masked call and pooled with the model. Keras' loops (``predict``, ``evaluate``,
    ``fit``) hold the model's variables while they run, and one that raised may leave them
    unusable (Keras 3 on JAX leaves them without values after ``predict`` or ``evaluate``
    raised): a model whose loop raised is not pooled again (``_loop``).

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
        self._reusable = [True]
        weakref.finalize(self, _give_back, free, self.model, self._reusable)
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

    def _batch_well_formed(self, x, y=None, sample_weight=None, mask=None):
        """Whether one batch (and its sample weights and mask) is well formed."""
        return self._well_formed(x, y) and (sample_weight is None or (
            isinstance(sample_weight, np.ndarray) and sample_weight.dtype == np.float32
            and sample_weight.shape == (x.shape[:1] if x.ndim == 3 else x.shape))) and (
            mask is None or (isinstance(mask, np.ndarray) and mask.dtype == bool
                             and mask.shape == x.shape[:2]))

    def _loop_well_formed(self, batch_size, x, y=None, sample_weight=None):
        """Whether every batch of a loop (Keras' consecutive slices of ``batch_size`` rows) is
        well formed: a stateful model's own batch size, in whole batches."""
        if not (isinstance(x, np.ndarray) and x.ndim >= 1 and type(batch_size) is int
                and batch_size >= 1 and len(x) >= 1):
            return False
        if self.stateful and (batch_size != self.batch_size or len(x) % batch_size):
            return False
        arrays = (x, y, sample_weight)
        return all(self._batch_well_formed(*(None if a is None else a[start:start + batch_size]
                                             for a in arrays))
                   for start in {0, (len(x) - 1) // batch_size * batch_size})

    def _traced(self, model, method, well_formed):
        """``model.<method>``, with the traced functions renewed first if the model cannot
        vouch for them (see the class docstring)."""
        if self._first_call and self.REUSES_TRACES and not (
                well_formed and self.model._stateful_lstm_only_well_formed_calls):
            self._renew_functions()
        self._first_call = False
        self.model._stateful_lstm_only_well_formed_calls &= well_formed
        return getattr(model, method)

    def _call(self, method, x, y=None, sample_weight=None, mask=None):
        """``model.<method>(x[, y, sample_weight=...])``, or the masked companion's
        ``<method>([x, mask], ...)`` (``_traced``)."""
        well_formed = self._batch_well_formed(x, y, sample_weight, mask)
        model = self.model
        if mask is not None:
            if model not in _masked_models:
                _masked_models[model] = masked_companion(self.keras_module, model, self.layer)
            model, x = _masked_models[model], [x, mask]
        function = self._traced(model, method, well_formed)
        return function(x) if y is None else function(x, y, sample_weight=sample_weight)

    def _loop(self, method, well_formed, *args, **kwargs):
        """Keras' ``model.<method>(*args, **kwargs)`` (a loop), through ``_traced``; if it raises,
        the model is not pooled again (the class docstring says why)."""
        try:
            return self._traced(self.model, method, well_formed)(*args, **kwargs)
        except Exception:
            self._reusable[0] = False
            raise

    def predict(self, x, batch_size, verbose=0):
        """Keras' own ``model.predict``."""
        return self._loop("predict", self._loop_well_formed(batch_size, x), x,
                          batch_size=batch_size, verbose=verbose)


class PooledTrainedModel(PooledKerasModel):
    """A pooled compiled model's loops: Keras' own ``evaluate`` and ``fit``."""

    def evaluate(self, x, y, batch_size, sample_weight=None, verbose=0):
        return float(self._loop("evaluate", self._loop_well_formed(batch_size, x, y, sample_weight),
                                x, y, batch_size=batch_size, sample_weight=sample_weight,
                                verbose=verbose))

    def fit(self, x, y, batch_size, epochs=1, shuffle=None, sample_weight=None,
            validation_data=None, reset_each_epoch=False, verbose=0):
        """Keras' ``model.fit``; ``shuffle`` passed only if given (None: Keras' default);
        ``reset_each_epoch`` as Keras users write it, a callback resetting the state at each
        epoch's end."""
        well_formed = self._loop_well_formed(batch_size, x, y, sample_weight) and (
            validation_data is None or self._loop_well_formed(batch_size, *validation_data))
        callbacks = [self.keras_module.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: self.reset_states())] if reset_each_epoch else []
        options = {} if shuffle is None else {"shuffle": shuffle}
        history = self._loop("fit", well_formed, x, y, batch_size=batch_size, epochs=epochs,
                             sample_weight=sample_weight, validation_data=validation_data,
                             callbacks=callbacks, verbose=verbose, **options)
        return {name: [float(v) for v in values] for name, values in history.history.items()}


class PooledTokenModel(PooledTrainedModel):
    """A pooled Keras sequence model: its well-formed batches are integer token ids (batch,
    T), and its targets the same shape."""

    def _well_formed(self, x, y):
        """Whether ``x`` (and ``y``) are integer token batches this model is built for."""
        def tokens(a):
            return (isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.integer)
                    and a.ndim == 2 and a.shape[1] >= 1
                    and (a.shape[0] == self.batch_size if self.stateful else a.shape[0] >= 1))
        return tokens(x) and (y is None or (tokens(y) and y.shape == x.shape))
