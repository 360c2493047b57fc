"""Keras 3 on JAX (the ``keras-jax`` alias): the adapter of ``keras3``, unchanged, on the JAX
backend. Keras reads ``KERAS_BACKEND`` once per process; the first ``make_*`` call sets it to
``jax`` if it is unset and refuses a process whose Keras already runs another backend."""
from . import keras3

REQUIRES = ("jax", "keras")
INSTALL_HINT = " (pip install 'stateful-lstm-spec[keras-jax]')"
# Traced and compiled per input shape: the spec draws sizes from its palette (SPEC.md).
COMPILES_PER_SHAPE = True
MASKS = "any"          # a bool mask input passed to the LSTM call

KNOWN_DEVIATIONS = [
    {"tests": ["test_batch_split_along_time_equals_one_call",                     # clause 1
               "test_row_i_continues_row_i_of_the_previous_batch",                # clause 1
               "test_one_call_of_T_steps_equals_T_calls_of_one_step",             # clause 4
               "test_h_equals_the_last_output_and_shapes_are_float32",            # clause 5
               "test_outputs_and_state_match_the_reference_from_any_state",       # clause 7
               "test_any_history_of_calls_matches_the_reference",                 # clause 7
               "test_train_on_batch_matches_the_reference",                       # clause 8
               "test_classifier_test_on_batch_is_the_training_loss_without_the_step",  # 17
               "test_masked_batches_leave_each_row_as_its_real_steps_alone",      # 16
               "test_masked_classifier_steps_match_the_reference",                # 18
               "test_each_document_in_ragged_streams_reads_as_if_alone",          # 19
               "sequence-training-agreement", "streams-carry-context",            # 13, 14
               "batch1-copy", "exported-copy",                                    # 15, 20
               "test_sequence_test_on_batch_is_the_training_loss_without_the_step",  # 17
               "test_masked_sequence_steps_match_the_reference",                  # 18
               "test_tutorial_model_walks_from_a_but_answers_b_from_other_letters"],  # clause 10
     "title": "predict_on_batch and train_on_batch do not carry the state",
     "reason": "through Model.predict_on_batch (and train_on_batch, test_on_batch), a stateful "
               "LSTM (GRU, SimpleRNN: every RNN layer) does not "
               "write its final state back: layer.states keep the value they had, and the value "
               "a state variable had when an input shape was first traced is baked into the "
               "compiled function, so later set_states or reset_states are ignored by calls of "
               "that shape. Cause: RNN creates its state variables under "
               "no_automatic_dependency_tracking, so they are not among the model's "
               "non_trainable_variables, the only ones the jitted step threads through "
               "stateless_call. Eager layer(x) calls, and the TensorFlow backend, carry the "
               "state.",
     "versions": "Keras 3.15.1, JAX 0.10.2",
     "upstream": "none found (related: keras-team/keras#19054)",
     "repro": "repros/keras_jax_stateful_state_not_carried.py"},
    keras3.ADJUSTS_RANK,                                                          # clause 6
]

(describe, make_lstm, make_gru, make_simple_rnn, make_classifier,
 make_sequence_model) = keras3.factories("jax")
