"""What a loop over many batches must equal (SPEC.md, "Loops"; clauses 21 and 22): the batch
calls of the same implementation on consecutive slices of ``batch_size`` rows, in order, and the
data the loop clauses draw for them."""
import numpy as np
from hypothesis import strategies as st

from . import strategies as sst


def consecutive(samples, batch_size):
    """The row slices of a loop: ``[0, b)``, ``[b, 2b)``, ... (the last one may be partial)."""
    return [slice(start, start + batch_size) for start in range(0, samples, batch_size)]


def _part(array, rows):
    return None if array is None else array[rows]


def batch_predictions(model, x, batch_size):
    """``predict_on_batch`` on each slice, the outputs joined: what ``predict`` returns."""
    return np.concatenate([model.predict_on_batch(x[rows])
                           for rows in consecutive(len(x), batch_size)])


def batch_evaluation(model, x, y, batch_size, sample_weight=None):
    """``test_on_batch`` on each slice, the losses averaged with each batch's rows as its weight
    (Keras'): what ``evaluate`` returns."""
    parts = consecutive(len(x), batch_size)
    losses = [model.test_on_batch(x[rows], y[rows], sample_weight=_part(sample_weight, rows))
              for rows in parts]
    return float(np.average(losses, weights=[len(x[rows]) for rows in parts]))


def batch_training(model, x, y, batch_size, *, epochs, sample_weight=None,
                   reset_each_epoch=False):
    """``epochs`` passes of ``train_on_batch`` on each slice in order (each epoch's losses
    averaged as ``batch_evaluation`` averages, a reset after each epoch with
    ``reset_each_epoch``): what ``fit(shuffle=False)`` does; returns the epochs' losses."""
    parts, history = consecutive(len(x), batch_size), []
    for _ in range(epochs):
        losses = [model.train_on_batch(x[rows], y[rows], sample_weight=_part(sample_weight, rows))
                  for rows in parts]
        history.append(float(np.average(losses, weights=[len(x[rows]) for rows in parts])))
        if reset_each_epoch:
            model.reset_states()
    return history


def loop_samples(data, setup, stateful, *, most_batches=3):
    """How many samples a loop over ``setup``'s batches gets: 1 to ``most_batches`` whole
    batches, plus, for a stateless model, a partial last batch of 0 to ``batch_size - 1``
    rows (from the palette for a run with one: each partial batch is a shape to compile)."""
    whole = data.draw(st.integers(1, most_batches), label="whole batches")
    extra = 0 if stateful else data.draw(sst.sizes(0, setup.batch_size - 1),
                                         label="rows of a partial last batch")
    return whole * setup.batch_size + extra


def classifier_samples(data, setup, samples, steps):
    """``(x, y, sample_weight)`` of ``samples`` classifier samples (sample weights or None)."""
    x = data.draw(sst.inputs(samples, steps, setup.input_dim), label="x")
    y = data.draw(sst.one_hot_targets(samples, setup.n_classes), label="y")
    return x, y, data.draw(sst.sample_weights((samples,)), label="sample_weight")


def token_samples(data, setup, samples, steps):
    """``(x, y, sample_weight)`` of ``samples`` token sequences (weights per token or None)."""
    x, y = (data.draw(sst.token_batches(samples, steps, setup.vocab_size), label=name)
            for name in ("x", "y"))
    return x, y, data.draw(sst.sample_weights((samples, steps)), label="sample_weight")
