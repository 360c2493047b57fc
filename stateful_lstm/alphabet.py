"""The alphabet experiment of the stateful-LSTM tutorial, and the remedies the seed's answer names.

The tutorial ("Stateful LSTM for a One-Char to One-Char Mapping") trains ``LSTM(50)`` with batch
size 1, ``stateful=True``, on the letters A..Y in order (input: letter index / 26, one scalar;
target: the next letter, one-hot), 300 epochs with ``reset_states()`` after each. It walks the
alphabet from A, but started from any other letter after a reset it answers "B": it learned
positions, not letters. The remedies: train on subsequences starting anywhere (reset before each),
or a stateless model on the pairs (A, B), (B, C), ...

Every function takes a classifier from an implementation's ``make_classifier`` (see SPEC.md).
"""
import numpy as np

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
N_LETTERS = len(ALPHABET)
ENCODINGS = {"scalar": 1, "onehot": N_LETTERS}     # encoding -> input_dim
SCHEMES = ("tutorial", "subsequences", "pairs")
DEFAULT_EPOCHS = {"tutorial": 300, "subsequences": 100, "pairs": 500}
MAX_SUBSEQUENCE = 5                                # "subsequences" trains on 1-5 letters


def encode(indices, encoding):
    """Letters (indices) as a batch of 1-timestep inputs (len, 1, input_dim), float32."""
    indices = np.asarray(indices).reshape(-1)
    if encoding == "scalar":
        x = indices[:, None] / float(N_LETTERS)            # the tutorial's index / 26
    elif encoding == "onehot":
        x = np.eye(N_LETTERS)[indices]
    else:
        raise ValueError(f"encoding must be one of {list(ENCODINGS)}; received {encoding!r}")
    return x[:, None, :].astype(np.float32)


def targets(indices):
    """One-hot targets (len, 26), float32."""
    return np.eye(N_LETTERS, dtype=np.float32)[np.asarray(indices).reshape(-1)]


def make_model(impl, scheme, encoding, seed=0):
    """The classifier a scheme trains: LSTM(50) -> Dense(26, softmax); batch size 1 and stateful
    for "tutorial" and "subsequences", stateless for "pairs"."""
    stateful = scheme != "pairs"
    return impl.make_classifier(units=50, input_dim=ENCODINGS[encoding], n_classes=N_LETTERS,
                                stateful=stateful, batch_size=1 if stateful else None, seed=seed)


LOOPS = ("batch", "fit")


def train(model, scheme, encoding, epochs=None, seed=0, progress=iter, loop="batch", verbose=0):
    """Train ``model`` with ``scheme``; returns the mean loss of each epoch.

    - "tutorial": each epoch feeds A..Y in order, one letter per batch, then resets the state;
    - "subsequences": each epoch feeds, in random order, one subsequence starting at each letter
      A..Y, of 1-5 letters (random, ending at Z at the latest), resetting before each;
    - "pairs": each epoch is one batch of the 25 pairs (letter, next letter), stateless.
    ``loop`` "batch" trains with ``train_on_batch``; "fit" with one ``fit(..., epochs=1,
    shuffle=False)`` call per run of letters, as the tutorial's code does (its ``verbose``
    passed on). ``progress`` wraps the range of epochs (e.g. ``tqdm``).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {list(SCHEMES)}; received {scheme!r}")
    if loop not in LOOPS:
        raise ValueError(f"loop must be one of {list(LOOPS)}; received {loop!r}")
    epochs = DEFAULT_EPOCHS[scheme] if epochs is None else epochs
    rng = np.random.default_rng(seed)
    letters = np.arange(N_LETTERS - 1)
    losses = []

    def steps(indices, batch_size):
        """Train on the letters ``indices`` in batches of ``batch_size``; their losses."""
        x, y = encode(indices, encoding), targets(indices + 1)
        if loop == "batch":
            return [model.train_on_batch(x[i:i + batch_size], y[i:i + batch_size])
                    for i in range(0, len(x), batch_size)]
        history = model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False,
                            verbose=verbose)
        return history["loss"] * (len(x) // batch_size)
    for _ in progress(range(epochs)):
        if scheme == "pairs":
            losses += steps(letters, len(letters))
            continue
        if scheme == "tutorial":
            runs = [letters]
        else:
            lengths = rng.integers(1, MAX_SUBSEQUENCE + 1, size=len(letters))
            runs = [np.arange(start, min(start + n, N_LETTERS - 1))
                    for start, n in zip(rng.permutation(letters), lengths)]
        epoch_losses = []
        for run in runs:
            model.reset_states()
            epoch_losses += steps(run, 1)
        model.reset_states()
        losses.append(float(np.mean(epoch_losses)))
    return losses


def predict_next(model, index, encoding):
    """The letter index the model predicts after letter ``index`` (moves a stateful state)."""
    return int(np.argmax(model.predict_on_batch(encode([index], encoding))[0]))


def walk_from_a(model, encoding):
    """After a reset, feed A..Y in order; returns the 25 predictions (the tutorial's accuracy
    counts those equal to the true next letter)."""
    model.reset_states()
    predictions = [predict_next(model, i, encoding) for i in range(N_LETTERS - 1)]
    model.reset_states()
    return predictions


def first_predictions(model, encoding):
    """For each start letter A..Y: reset, feed that one letter, record the prediction."""
    predictions = []
    for start in range(N_LETTERS - 1):
        model.reset_states()
        predictions.append(predict_next(model, start, encoding))
    model.reset_states()
    return predictions


def walk(model, start, encoding, steps=5):
    """After a reset, feed ``start``, then each prediction back in; returns the letters seen and
    predicted as (input, prediction) index pairs (the tutorial's "New start" printout)."""
    model.reset_states()
    pairs, letter = [], start
    for _ in range(steps):
        prediction = predict_next(model, letter, encoding)
        pairs.append((letter, prediction))
        letter = prediction
    model.reset_states()
    return pairs
