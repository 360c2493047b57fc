"""Keras 3 on JAX (the ``keras-jax`` alias): the adapter of ``keras3``, unchanged, on the JAX
backend. Keras reads ``KERAS_BACKEND`` once per process; the first ``make_*`` call sets it to
``jax`` if it is unset and refuses a process whose Keras already runs another backend."""
from . import keras3
from .common import known_deviations

REQUIRES = ("jax", "keras")
INSTALL_HINT = " (pip install 'stateful-lstm-spec[keras-jax]')"
# Traced and compiled per input shape: the spec draws sizes from its palette (SPEC.md).
COMPILES_PER_SHAPE = True
MASKS = "any"          # a bool mask input passed to the LSTM call
LOOPS = True           # Keras' own predict, evaluate and fit (keras_pool)

KNOWN_DEVIATIONS = known_deviations(__name__)     # known_deviations.toml

(describe, make_lstm, make_gru, make_simple_rnn, make_classifier,
 make_sequence_model) = keras3.factories("jax")
