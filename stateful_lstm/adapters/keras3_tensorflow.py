"""Keras 3 on TensorFlow (the ``keras`` alias): the adapter of ``keras3`` on the TensorFlow backend."""
from . import keras3

REQUIRES = ("tensorflow", "keras")
INSTALL_HINT = " (pip install 'stateful-lstm-spec[keras]')"

# Traced and compiled per input shape: the spec draws sizes from its palette (SPEC.md).
COMPILES_PER_SHAPE = True
MASKS = "any"          # a bool mask input passed to the LSTM call
# Where Keras breaks the spec (found by it), by cause. The spec runs these tests as strict expected
# failures of a spec assertion, so they are reported, and turn into errors once Keras fixes them.
KNOWN_DEVIATIONS = [
    {"tests": ["test_batch_of_one_row_is_refused_by_a_larger_model",
               "test_a_classifier_refuses_a_batch_of_one_row"],
     "title": "a stateful model called before broadcasts a 1-row batch over its B rows",
     "reason": "a stateful LSTM built for batch_size B > 1 accepts a batch of 1 row through "
               "predict_on_batch once the model has been called before: it broadcasts that row "
               "over all B carried states, returns (B, T, units) and moves the state (other wrong "
               "batch sizes raise); a classifier does the same in predict_on_batch and "
               "train_on_batch. Its fix in Keras 3.12, keras-team/keras#21742, checks the "
               "batch size only when it is known at trace time (RNN.call: `actual_batch_size is "
               "not None`), and predict_on_batch's tf.function (reduce_retracing=True) retraces "
               "a new input shape with the batch dimension relaxed to None.",
     "versions": "Keras 3.15.1, TensorFlow 2.21",
     "upstream": "keras-team/keras#21183 (open)",
     "repro": "repros/keras_stateful_broadcasts_one_row.py"},
    keras3.ADJUSTS_RANK,
    keras3.MASKED_STEP_AT_CALL_START,
    {"tests": ["test_sequence_train_on_batch_matches_the_reference",
               "test_sequence_test_on_batch_is_the_training_loss_without_the_step",
               "test_masked_sequence_steps_match_the_reference"],
     "title": "Adam's second moment of an Embedding is wrong when a token repeats in a batch",
     "reason": "the embedding's gradient is a tf.IndexedSlices with one slice per occurrence, "
               "and ops.square (sparse.elementwise_unary, keras/src/backend/tensorflow/"
               "sparse.py) squares each slice before they are added into v, so v gets the sum "
               "of the squares instead of the square of the sum; the row moves up to "
               "sqrt(occurrences) times too far. Batches with no repeated token agree with the "
               "reference.",
     "versions": "Keras 3.15.1, TensorFlow 2.21",
     "upstream": "none found (keras-team/keras#19992 is about the speed of sparse updates)",
     "repro": "repros/keras_adam_squares_repeated_embedding_rows.py"},
]


(describe, make_lstm, make_gru, make_simple_rnn, make_classifier,
 make_sequence_model) = keras3.factories("tensorflow")
