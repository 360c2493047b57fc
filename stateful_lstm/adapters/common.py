"""What every framework adapter shares: version lines read from package metadata, the
factories' argument checks (the reference's), Keras' initial weights, the known deviations
(``known_deviations``, read from ``known_deviations.toml``), ``PerThread`` (an object per
calling thread) and ``shared_between_processes`` (what one process of a ``python -m spec`` run
made, read back by the others)."""
import functools
import hashlib
import os
import sys
import threading
from importlib import metadata, resources

if sys.version_info >= (3, 11):
    import tomllib
else:                                   # pragma: no cover (the [project] dependency's backport)
    import tomli as tomllib

import numpy as np

from .. import validation
from ..cells import CELLS

# The environment variable naming the folder that the processes of one ``python -m spec`` run
# share (``spec.contract.SHARED_FOLDER``; the runner sets it).
SHARED_FOLDER = "STATEFUL_LSTM_SHARED_FOLDER"


def keras_initial_weights(initializers, cell, input_dim, units, seed):
    """Keras' default weights of ``cell`` drawn from ``seed`` with Keras' ``initializers``
    (Keras 3's or Keras 2's): Glorot-uniform kernel, orthogonal recurrent kernel, zero biases but
    the LSTM's forget gate's, 1 (``unit_forget_bias``)."""
    kernel, recurrent_kernel, bias = CELLS[cell].weight_shapes(input_dim, units)
    bias = np.zeros(bias, np.float32)
    if cell == "lstm":
        bias[units:2 * units] = 1.0
    return [np.asarray(initializers.GlorotUniform(seed=seed)(kernel), np.float32),
            np.asarray(initializers.Orthogonal(seed=seed)(recurrent_kernel), np.float32), bias]


@functools.cache
def _causes():
    text = resources.files(__package__).joinpath("known_deviations.toml").read_text("utf-8")
    return tuple(tomllib.loads(text)["cause"])


def known_deviations(module_name):
    """The ``KNOWN_DEVIATIONS`` of the adapter module ``module_name`` (its ``__name__``): the
    causes of ``known_deviations.toml`` whose ``adapters`` name it, in the file's order, each
    without that field."""
    adapter = module_name.rpartition(".")[2]
    return [{k: v for k, v in cause.items() if k != "adapters"} for cause in _causes()
            if adapter in cause["adapters"]]


def version(*distributions):
    """The installed version of the first of ``distributions`` found, or "not installed"
    (read from package metadata: nothing is imported)."""
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return "not installed"


def configure(model, *, units, input_dim, stateful, batch_size, seed, cell="lstm", layers=1,
              **classifier):
    """Check the factory's arguments as the reference does (``make_lstm``'s, and with
    ``n_classes`` and ``learning_rate`` ``make_classifier``'s, ``cell`` and a stack's ``layers``
    included) and set the contract's attributes on ``model`` (``cell`` and ``layers`` too)."""
    validation.check_cell(cell)
    validation.positive_int("layers", layers)
    validation.check_config(units=units, input_dim=input_dim, stateful=stateful,
                            batch_size=batch_size, seed=seed)
    model.cell, model.layers = cell, layers
    if classifier:
        validation.check_classifier_config(**classifier)
        model.n_classes = classifier["n_classes"]
    model.units, model.input_dim = units, input_dim
    model.stateful, model.batch_size = stateful, batch_size


def configure_sequence(model, *, vocab_size, embedding_dim, units, stateful, batch_size, seed,
                       learning_rate, cell="lstm"):
    """``make_sequence_model``'s arguments checked as the reference checks them, and the
    contract's attributes set on ``model`` (``n_classes`` too: one class per token)."""
    configure(model, units=units, input_dim=embedding_dim, stateful=stateful,
              batch_size=batch_size, seed=seed, cell=cell, n_classes=vocab_size,
              learning_rate=learning_rate)
    validation.check_sequence_config(vocab_size=vocab_size, embedding_dim=embedding_dim,
                                     learning_rate=learning_rate)
    model.vocab_size, model.embedding_dim = vocab_size, embedding_dim


class PerThread:
    """One object per calling thread, made by ``factory`` on that thread's first ``get()`` (an
    OpenVINO infer request or a LiteRT interpreter holds one call's tensors)."""

    def __init__(self, factory):
        self._factory, self._local = factory, threading.local()

    def get(self):
        if getattr(self._local, "value", None) is None:
            self._local.value = self._factory()
        return self._local.value


def shared_between_processes(name, key, make):
    """``make()`` (bytes: a compiled or converted model), read back from the folder the processes
    of a ``python -m spec`` run share (``spec.contract.SHARED_FOLDER``) if another has made it
    for the same ``name`` and ``key`` (a ``repr``-able tuple of what it is made from), else made
    and written there for the others; outside such a run, made.
    Written to a file of its own, then renamed: a reader sees all of it or nothing."""
    folder = os.environ.get(SHARED_FOLDER)
    if not folder:
        return make()
    path = os.path.join(folder, f"{name}-{hashlib.sha256(repr(key).encode()).hexdigest()}")
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        made = make()
        with open(f"{path}.{os.getpid()}", "wb") as file:
            file.write(made)
        os.replace(f"{path}.{os.getpid()}", path)
        return made
