"""Building and driving models under test, the same way in every clause."""
import dataclasses

import numpy as np
from hypothesis import strategies as st

from . import strategies as sst
from .contract import CELLS, LSTM_CELL

_UNSET = object()
WEIGHT_NAMES = ("kernel", "recurrent_kernel", "bias")
CLASSIFIER_WEIGHT_NAMES = WEIGHT_NAMES + ("dense kernel", "dense bias")
SEQUENCE_WEIGHT_NAMES = ("embeddings",) + CLASSIFIER_WEIGHT_NAMES


def factory(impl, cell):
    """``impl``'s factory of ``cell`` (a key of ``contract.CELLS``): ``make_lstm``,
    ``make_gru`` or ``make_simple_rnn``."""
    return getattr(impl, CELLS[cell].factory)


def make_model(impl, setup, *, stateful=True, batch_size=_UNSET):
    """``impl``'s factory of ``setup``'s cell (``make_lstm``, ...) for ``setup``'s sizes (and
    ``layers``, for a stack), given ``setup``'s weights (as copies).

    ``batch_size`` defaults to ``setup.batch_size`` for a stateful model and to None (any batch
    size) for a stateless one."""
    if batch_size is _UNSET:
        batch_size = setup.batch_size if stateful else None
    stack = {"layers": setup.layers} if setup.layers > 1 else {}
    model = factory(impl, setup.cell)(units=setup.units, input_dim=setup.input_dim,
                                      stateful=stateful, batch_size=batch_size, seed=0, **stack)
    model.set_weights([w.copy() for w in setup.weights])
    return model


def weight_names(setup):
    """The names of ``setup``'s weight arrays, as ``get_weights`` lists them: ``WEIGHT_NAMES``,
    a stack's each layer's ("kernel 1": layer 1's)."""
    if setup.layers == 1:
        return WEIGHT_NAMES
    return tuple(f"{name} {k}" for k in range(setup.layers) for name in WEIGHT_NAMES)


def row_of(states, row):
    """Row ``row`` of a carried state, each array (1, units)."""
    return [s[row:row + 1] for s in states]


def feed(model, batches):
    """``predict_on_batch`` on each batch in turn; the outputs joined along time."""
    return np.concatenate([model.predict_on_batch(x) for x in batches], axis=1)


def feed_sequence(model, x, palette):
    """``x`` (batch, T, input_dim) through ``model.predict_on_batch``, the outputs joined: in one
    call, or, with ``palette`` (the run's: sizes from the palette), in chunks of the palette's
    timestep counts, largest first, so that an implementation that compiles per shape
    sees no new shape (clause 1: splitting a sequence changes nothing). No call for T == 0."""
    if x.shape[1] == 0:
        return np.zeros((x.shape[0], 0, model.units), np.float32)
    if not palette:
        return model.predict_on_batch(x)
    chunks, start = [], 0
    lengths = sorted(sst.palette(1, sst.MAX_TIMESTEPS), reverse=True)
    while start < x.shape[1]:
        length = next(n for n in lengths if n <= x.shape[1] - start)
        chunks.append(x[:, start:start + length])
        start += length
    return feed(model, chunks)


def describe_call(setup, **details):
    """A label for assertion messages: the sizes and anything else that identifies the case."""
    sizes = {f.name: getattr(setup, f.name) for f in dataclasses.fields(setup)
             if f.name != "weights" and getattr(setup, f.name) is not None}
    return "[" + ", ".join(f"{k}={v}" for k, v in {**sizes, **details}.items()) + "]"


def cell_argument(cell):
    """The keyword that makes a trained model of ``cell``: none for the LSTM (an implementation
    that trains the LSTM alone need not take ``cell``)."""
    return {} if cell == LSTM_CELL else {"cell": cell}


def make_sequence_model(impl, setup, *, stateful=True, batch_size=_UNSET, learning_rate=0.001):
    """``impl.make_sequence_model`` for ``setup``'s cell and sizes (``batch_size`` defaults to
    ``setup.batch_size``, or None for a stateless model), given ``setup``'s weights (a test that
    calls it is marked ``needs("make_sequence_model")``)."""
    if batch_size is _UNSET:
        batch_size = setup.batch_size if stateful else None
    model = impl.make_sequence_model(
        vocab_size=setup.vocab_size, embedding_dim=setup.embedding_dim, units=setup.units,
        stateful=stateful, batch_size=batch_size, learning_rate=learning_rate,
        **cell_argument(setup.cell))
    model.set_weights([w.copy() for w in setup.weights])
    return model


def make_classifier(impl, setup, n_classes, dense, *, stateful=True, learning_rate=0.001):
    """``impl.make_classifier`` for ``setup``'s cell and sizes, given ``setup``'s cell weights and the
    ``dense`` kernel and bias (a test that calls it is marked ``needs("make_classifier")``)."""
    model = impl.make_classifier(units=setup.units, input_dim=setup.input_dim,
                                 n_classes=n_classes, stateful=stateful,
                                 batch_size=setup.batch_size if stateful else None,
                                 learning_rate=learning_rate, **cell_argument(setup.cell))
    model.set_weights([w.copy() for w in (*setup.weights, *dense)])
    return model


def draw_classifier(data, impl, setup):
    """A stateful classifier of ``impl`` for ``setup`` (drawn with ``setups(max_classes=...)``),
    with drawn Dense weights (``data`` is hypothesis' ``st.data()``); returns it, the class
    count and the Dense weights."""
    n_classes = setup.n_classes
    dense = data.draw(sst.dense_weights(setup.units, n_classes), label="dense")
    return make_classifier(impl, setup, n_classes, dense), n_classes, dense


def trained_batch_model(impl, data, setup):
    """``setup``'s stateful sequence model after 0-2 train_on_batch steps (then reset): a
    trained model, whose weights a copy (clauses 15 and 20) takes over."""
    model = make_sequence_model(impl, setup)
    for _ in range(data.draw(st.integers(0, 2), label="training steps")):
        steps = data.draw(sst.timesteps(), label="training timesteps")
        x, y = (data.draw(sst.token_batches(setup.batch_size, steps, setup.vocab_size))
                for _ in range(2))
        model.train_on_batch(x, y)
    model.reset_states()
    return model


def fed_token_history(data, setup, model, calls):
    """``calls`` token batches for ``setup`` (each of its own drawn length) fed to ``model``:
    the batches and its outputs joined along time."""
    batches = [data.draw(sst.token_batches(setup.batch_size, data.draw(sst.timesteps()),
                                           setup.vocab_size), label="batch")
               for _ in range(calls)]
    return batches, np.concatenate([model.predict_on_batch(x) for x in batches], axis=1)
