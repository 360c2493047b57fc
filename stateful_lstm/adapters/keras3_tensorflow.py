"""Keras 3 on TensorFlow (the ``keras`` alias): the adapter of ``keras3`` on the TensorFlow backend."""
from . import keras3
from .common import known_deviations

REQUIRES = ("tensorflow", "keras")
INSTALL_HINT = " (pip install 'stateful-lstm-spec[keras]')"

# Traced and compiled per input shape: the spec draws sizes from its palette (SPEC.md).
COMPILES_PER_SHAPE = True
MASKS = "any"          # a bool mask input passed to the LSTM call
LOOPS = True           # Keras' own predict, evaluate and fit (keras_pool)
# Where Keras breaks the spec (found by it), by cause. The spec runs these tests as strict expected
# failures of a spec assertion, so they are reported, and turn into errors once Keras fixes them.
KNOWN_DEVIATIONS = known_deviations(__name__)     # known_deviations.toml


(describe, make_lstm, make_gru, make_simple_rnn, make_classifier,
 make_sequence_model) = keras3.factories("tensorflow")
