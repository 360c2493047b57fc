"""The loops over many batches that Keras users call (``predict``, ``evaluate``, ``fit``), written
once on a model's ``*_on_batch`` calls (SPEC.md, "Loops"): the samples in consecutive slices of
``batch_size`` rows, in order, so that row i of each slice continues row i of the slice before.

- Everything is checked before the first batch runs: a stateful model needs ``batch_size`` equal
  to its own and a sample count that it divides (one carried state per row: a partial last batch
  has no right answer), and a refused loop leaves the state and the weights as they were.
- ``predict`` returns one output row per input row; ``evaluate`` the batches' losses, each
  weighted by its rows, averaged (Keras' average); ``fit`` the training steps in order, the loss
  of each epoch averaged as ``evaluate`` averages.
- ``fit(shuffle=True)`` reorders a stateless model's samples each epoch and is refused by a
  stateful one; validation is a pass of its own, from a zero state, after which the training
  state is what it was; ``reset_each_epoch`` resets the state after each epoch (the callback
  Keras users write).

A model using these mixins gives ``_check_batch(what, x, y=None, sample_weight=None)``, the
checks of its ``*_on_batch`` calls (raising ValueError, changing nothing).
"""
import numpy as np

from . import validation


def batch_slices(model, what, samples, batch_size):
    """The consecutive slices of ``batch_size`` rows a loop over ``samples`` samples runs, or
    ValueError: a stateful model takes only its own batch size, in whole batches."""
    validation.positive_int(f"{what}'s batch_size", batch_size)
    if samples == 0:
        raise ValueError(f"{what} needs at least one sample; received 0")
    if model.stateful and batch_size != model.batch_size:
        raise ValueError(f"{what}: a stateful model built for batch_size {model.batch_size} "
                         f"runs batches of {model.batch_size} rows; received batch_size "
                         f"{batch_size}")
    if model.stateful and samples % batch_size:
        raise ValueError(
            f"{what}: a stateful model carries one state per row of its {batch_size}-row "
            f"batches, so the samples must fill whole batches; received {samples} samples "
            f"({samples % batch_size} left over for a last batch). Pass a multiple of "
            f"{batch_size} samples (pad the last batch with rows masked out), or build the "
            f"model with a batch size that divides the samples.")
    return [slice(start, start + batch_size) for start in range(0, samples, batch_size)]


def loop_batches(model, what, batch_size, x, y=None, sample_weight=None):
    """Each batch ``(x, y, sample_weight)`` of a loop, every one checked by the model's
    ``_check_batch`` before any runs (``y`` and ``sample_weight`` may be None)."""
    arrays = [None if a is None else np.asarray(a) for a in (x, y, sample_weight)]
    if arrays[0].ndim == 0:
        raise ValueError(f"{what} needs an array of samples; received {x!r}")
    samples = len(arrays[0])
    for name, a in zip(("y", "sample_weight"), arrays[1:]):
        if a is not None and (a.ndim == 0 or len(a) != samples):
            raise ValueError(f"{what}: {name} needs one entry per sample ({samples}); "
                             f"received shape {a.shape}")
    batches = [tuple(None if a is None else a[s] for a in arrays)
               for s in batch_slices(model, what, samples, batch_size)]
    for batch in batches:
        model._check_batch(what, *batch)
    return batches


def rows_mean(losses, batches):
    """Keras' average of a loop's batch losses: each weighted by its batch's rows."""
    return float(np.average(losses, weights=[len(batch[0]) for batch in batches]))


class PredictLoop:
    """``predict``, for every model."""

    def predict(self, x, batch_size, verbose=0):
        """The outputs of ``predict_on_batch`` on consecutive slices of ``batch_size`` rows,
        joined: one row per row of ``x``."""
        batches = loop_batches(self, "predict", batch_size, x)
        return np.concatenate([self.predict_on_batch(batch[0]) for batch in batches])


class TrainingLoops(PredictLoop):
    """``predict``, ``evaluate`` and ``fit``, for the trained models."""

    def evaluate(self, x, y, batch_size, sample_weight=None, verbose=0):
        """``test_on_batch`` on consecutive slices; their losses' rows-weighted mean."""
        batches = loop_batches(self, "evaluate", batch_size, x, y, sample_weight)
        return rows_mean([self.test_on_batch(*batch) for batch in batches], batches)

    def fit(self, x, y, batch_size, epochs=1, shuffle=None, sample_weight=None,
            validation_data=None, reset_each_epoch=False, verbose=0):
        """``epochs`` passes of ``train_on_batch`` over consecutive slices; returns
        ``{"loss": [...], "val_loss": [...]}``, one entry per epoch (``val_loss`` with
        ``validation_data``: ``(x, y)`` or ``(x, y, sample_weight)``)."""
        if shuffle and self.stateful:
            raise ValueError("fit(shuffle=True): a stateful model's row i of each batch must "
                             "continue row i of the batch before, which reordering samples "
                             "breaks; received shuffle=True. Reorder whole streams in your "
                             "own layout between epochs instead.")
        validation.positive_int("fit's epochs", epochs)
        batches = loop_batches(self, "fit", batch_size, x, y, sample_weight)
        if validation_data is not None:
            loop_batches(self, "fit's validation_data", batch_size, *validation_data)
        history, rng = {"loss": []}, np.random.default_rng(0)
        for epoch in range(epochs):
            if shuffle:
                order = rng.permutation(len(x))
                batches = loop_batches(self, "fit", batch_size,
                                       *(None if a is None else np.asarray(a)[order]
                                         for a in (x, y, sample_weight)))
            history["loss"].append(rows_mean([self.train_on_batch(*b) for b in batches],
                                             batches))
            if validation_data is not None:
                history.setdefault("val_loss", []).append(self._validate(validation_data,
                                                                         batch_size))
            if reset_each_epoch:
                self.reset_states()
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs}\n{len(batches)}/{len(batches)} - "
                      + " - ".join(f"{k}: {v[-1]:.4f}" for k, v in history.items()))
        return history

    def _validate(self, validation_data, batch_size):
        """``evaluate`` on the validation data from a zero state, the training state kept."""
        kept = self.get_states() if self.stateful else None
        self.reset_states()
        x, y, *sample_weight = validation_data
        loss = self.evaluate(x, y, batch_size, *sample_weight)
        if kept is not None:
            self.set_states(kept)
        return loss
