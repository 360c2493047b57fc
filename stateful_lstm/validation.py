"""Input checks shared by the implementations: each raises ``ValueError`` naming what was expected
and what was received, before anything is changed, so a refused call leaves the model as it was."""
import numbers

import numpy as np

from .cells import CELLS

DTYPE = np.float32


def positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer; received {value!r}")


def check_config(*, units, input_dim, stateful, batch_size, seed=0):
    """Check the arguments of ``make_lstm``: positive sizes; a stateful model needs a batch size;
    the seed is a non-negative integer (None would give weights that cannot be reproduced)."""
    positive_int("units", units)
    positive_int("input_dim", input_dim)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer (the initial weights are drawn "
                         f"from it); received {seed!r}")
    if not isinstance(stateful, bool):
        raise ValueError(f"stateful must be True or False; received {stateful!r}")
    if batch_size is None:
        if stateful:
            raise ValueError("a stateful model needs a fixed batch_size (it carries one state per "
                             "batch row); received batch_size=None")
    else:
        positive_int("batch_size", batch_size)


def check_cell(cell):
    """``cell`` is one of the contract's cell types (``cells.CELLS``), or ``ValueError``."""
    if not isinstance(cell, str) or cell not in CELLS:
        raise ValueError(f"cell must be one of {list(CELLS)}; received {cell!r}")


def check_input(x, batch_size, input_dim):
    """Return ``x`` as a float32 array (batch, timesteps, input_dim), or raise ``ValueError``.

    ``batch_size`` None accepts any batch size (a stateless model)."""
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"predict_on_batch expects a 3-D input (batch, timesteps, input_dim); "
                         f"received {x.ndim}-D input of shape {x.shape}")
    if batch_size is not None and x.shape[0] != batch_size:
        raise ValueError(f"this stateful model carries state for batch_size={batch_size} rows; "
                         f"received a batch of {x.shape[0]} (input shape {x.shape})")
    if x.shape[2] != input_dim:
        raise ValueError(f"expected input_dim={input_dim} features per timestep; received "
                         f"{x.shape[2]} (input shape {x.shape})")
    return finite_float32("predict_on_batch", "input", x)


def check_mask(what, mask, shape):
    """``mask`` as a bool array of ``shape`` (batch, timesteps), True at the real steps, or
    ValueError; None (every step real) stays None."""
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.dtype != np.bool_:
        raise ValueError(f"{what} expects a bool mask (True at the real steps); received dtype "
                         f"{mask.dtype}")
    if mask.shape != tuple(shape):
        raise ValueError(f"{what} expects a mask of shape (batch, timesteps) = {tuple(shape)}, "
                         f"one entry per step of the input; received shape {mask.shape}")
    return mask


def right_padded(mask):
    """Whether every row of ``mask`` (batch, T) has its real steps first: True, then only
    False (a row may be all True or all False)."""
    return bool((mask[:, 1:] <= mask[:, :-1]).all())


def check_right_padded(what, mask):
    """``mask`` (None, or bool (batch, T)) if it is right-padded, else ValueError: for
    frameworks whose padding is a length per row (PyTorch's packed sequences, Flax'
    ``seq_lengths``)."""
    if mask is not None and not right_padded(mask):
        row = int(np.argmax((mask[:, 1:] > mask[:, :-1]).any(axis=1)))
        raise ValueError(f"{what} takes right-padded masks only (each row's real steps first, "
                         f"then padding: a length per row); received a mask whose row {row} is "
                         f"{mask[row].astype(int).tolist()}")
    return mask


def right_padded_lengths(what, mask):
    """Each row's number of real steps (batch,) int32 of a right-padded ``mask``
    (``check_right_padded``: any other is a ValueError); None stays None."""
    mask = check_right_padded(what, mask)
    return None if mask is None else np.sum(mask, axis=1, dtype=np.int32)


def check_sample_weight(what, sample_weight, shape):
    """``sample_weight`` as float32 of ``shape`` ((batch,) for a classifier, (batch, T) per
    token for a sequence model), finite and non-negative, or ValueError; None stays None."""
    if sample_weight is None:
        return None
    weights = finite_float32(what, "sample_weight", np.asarray(sample_weight))
    if weights.shape != tuple(shape):
        raise ValueError(f"{what} expects sample_weight of shape {tuple(shape)}; received shape "
                         f"{weights.shape}")
    if weights.size and weights.min() < 0:
        raise ValueError(f"{what} expects non-negative sample weights; received "
                         f"{float(weights.min())!r}")
    return weights


def finite_float32(what, name, a, finite=True):
    """``a`` as float32, if it is real (and, with ``finite``, finite and within float32's range);
    else ValueError, so that NaN, infinity, overflow or a dropped imaginary part cannot reach the
    state or the weights."""
    if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise ValueError(f"{what} expects a real-valued {name} (float32); received dtype "
                         f"{a.dtype}")
    if not finite:
        return a.astype(DTYPE, copy=False)
    bad = ~np.isfinite(a)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{what} expects a finite {name}; received {int(bad.sum())} "
                         f"NaN or infinite values (the first, {a[index]!r}, at index {index})")
    if a.size and np.abs(a).max() > np.finfo(DTYPE).max:
        raise ValueError(f"{what} expects {name} within float32's range (|value| <= "
                         f"{np.finfo(DTYPE).max:.4g}); received {np.abs(a).max():.4g}")
    return a.astype(DTYPE, copy=False)


def _check_arrays(what, arrays, shapes, finite):
    """Float32 copies of ``arrays`` if their count and shapes are ``shapes`` (and, with
    ``finite``, their values finite); else ValueError."""
    if not isinstance(arrays, (list, tuple)):
        raise ValueError(f"{what} expects a list of {len(shapes)} arrays with shapes {shapes}; "
                         f"received a {type(arrays).__name__}")
    if len(arrays) != len(shapes):
        raise ValueError(f"{what} expects a list of {len(shapes)} arrays with shapes {shapes}; "
                         f"received {len(arrays)} arrays")
    arrays = [np.asarray(a) for a in arrays]
    received = [a.shape for a in arrays]
    if received != list(shapes):
        raise ValueError(f"{what} expects shapes {shapes}; received {received}")
    return [finite_float32(what, f"array {i}", a, finite).copy() for i, a in enumerate(arrays)]


def check_states(states, batch_size, units, finite=True, count=2):
    """Float32 copies of the carried state, ``count`` arrays (``[h, c]`` of an LSTM, ``[h]`` of
    a GRU or SimpleRNN), each (batch_size, units), or ``ValueError``. ``finite`` refuses NaN,
    infinity and overflow (the reference's guard; an adapter that must not hide its framework's
    behaviour passes False)."""
    return _check_arrays("set_states", states, [(batch_size, units)] * count, finite)


def check_weights(weights, input_dim, units, finite=True, cell="lstm", layers=1):
    """Float32 copies of ``cell``'s ``[kernel, recurrent_kernel, bias]`` in Keras' shapes
    (``cells.CELLS``), or ``ValueError`` (``finite`` as in ``check_states``); of ``layers``
    stacked layers, every layer's, bottom layer first (the first layer's kernel reads
    ``input_dim`` features, the others' ``units``)."""
    return _check_arrays("set_weights", weights, [
        shape for k in range(layers)
        for shape in CELLS[cell].weight_shapes(input_dim if k == 0 else units, units)], finite)


def check_classifier_weights(weights, input_dim, units, n_classes, finite=True, cell="lstm"):
    """Float32 copies of ``cell``'s three arrays, then the Dense kernel and bias, or ValueError
    (``finite`` as in ``check_states``)."""
    return _check_arrays("set_weights", weights, CELLS[cell].weight_shapes(input_dim, units) +
                         [(units, n_classes), (n_classes,)], finite)


def check_classifier_config(*, n_classes, learning_rate):
    """The classifier's own arguments (``check_config`` checks the LSTM's)."""
    positive_int("n_classes", n_classes)
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real) or \
            not 0 < learning_rate < np.inf:
        raise ValueError(f"learning_rate must be a positive number; received {learning_rate!r}")


def check_targets(y, batch, n_classes):
    """``y`` as float32 (batch, n_classes) probability rows (one-hot), or ``ValueError``."""
    y = np.asarray(y)
    if y.shape != (batch, n_classes):
        raise ValueError(f"train_on_batch expects targets y of shape (batch={batch}, "
                         f"n_classes={n_classes}), one-hot; received shape {y.shape}")
    y = y.astype(DTYPE, copy=False)
    if not (y.min() >= 0 and np.abs(y.sum(axis=1) - 1).max() <= 1e-5):
        raise ValueError("train_on_batch expects one-hot targets (rows of non-negative numbers "
                         "summing to 1); received rows summing to "
                         f"{np.round(y.sum(axis=1), 4).tolist()}")
    return y


def require_stateful(model, method):
    """Raise ``ValueError`` if ``model`` is stateless: it has no carried state to get or set."""
    if not model.stateful:
        raise ValueError(f"{method} needs a stateful model; this one is stateless "
                         f"(stateful=False) and carries no state between calls")


def check_sequence_config(*, vocab_size, embedding_dim, learning_rate):
    """The sequence model's own arguments (``check_config`` checks the LSTM's)."""
    positive_int("vocab_size", vocab_size)
    positive_int("embedding_dim", embedding_dim)
    check_classifier_config(n_classes=vocab_size, learning_rate=learning_rate)


def check_tokens(what, tokens, batch_size, vocab_size, shape=None):
    """``tokens`` as an int64 array (batch, timesteps) of token ids in [0, vocab_size), or
    ``ValueError``. ``batch_size`` None accepts any batch size; ``shape`` requires that shape
    (the targets of a batch: the inputs' shape)."""
    tokens = np.asarray(tokens)
    if tokens.ndim != 2:
        raise ValueError(f"{what} expects a 2-D array of token ids (batch, timesteps); received "
                         f"{tokens.ndim}-D input of shape {tokens.shape}")
    if not np.issubdtype(tokens.dtype, np.integer):
        raise ValueError(f"{what} expects integer token ids; received dtype {tokens.dtype}")
    if batch_size is not None and tokens.shape[0] != batch_size:
        raise ValueError(f"this stateful model carries state for batch_size={batch_size} rows; "
                         f"received a batch of {tokens.shape[0]} (shape {tokens.shape})")
    if shape is not None and tokens.shape != shape:
        raise ValueError(f"{what} expects one target token per input token, shape {shape}; "
                         f"received shape {tokens.shape}")
    if tokens.size and not (tokens.min() >= 0 and tokens.max() < vocab_size):
        bad = tokens[(tokens < 0) | (tokens >= vocab_size)]
        raise ValueError(f"{what} expects token ids in [0, {vocab_size}) (vocab_size="
                         f"{vocab_size}); received {bad.size} outside it, e.g. {int(bad[0])}")
    return tokens.astype(np.int64, copy=False)


def check_sequence_weights(weights, vocab_size, embedding_dim, units, finite=True, cell="lstm",
                           layers=1):
    """Float32 copies of the embeddings (vocab_size, embedding_dim), ``cell``'s three arrays (a
    stack's every layer's, bottom first), and the Dense kernel and bias, or ValueError
    (``finite`` as in ``check_states``)."""
    return _check_arrays("set_weights", weights, [(vocab_size, embedding_dim)] + [
        shape for k in range(layers)
        for shape in CELLS[cell].weight_shapes(embedding_dim if k == 0 else units, units)] +
        [(units, vocab_size), (vocab_size,)], finite)
