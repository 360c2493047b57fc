"""Keras 3 on JAX (the ``keras-jax`` alias): the adapter of ``keras3``, unchanged, on the JAX
backend. Keras reads ``KERAS_BACKEND`` once per process; the first ``make_*`` call sets it to
``jax`` if it is unset and refuses a process whose Keras already runs another backend."""
from . import keras3

REQUIRES = ("jax", "keras")
INSTALL_HINT = " (pip install 'stateful-lstm-spec[keras-jax]')"
# Traced and compiled per input shape: the spec does not shrink failures (spec/plugin.py).
COMPILES_PER_SHAPE = True
KNOWN_DEVIATIONS = {}

describe, make_lstm, make_classifier = keras3.factories("jax")
