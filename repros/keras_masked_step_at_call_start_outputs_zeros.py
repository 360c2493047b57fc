"""Keras 3 and Keras 2 (tf_keras): a masked step before a row's first real step of a call outputs
zeros, not the h the row carries; a row masked for the whole call gives a classifier zeros.

A stateful LSTM that has run keeps its state across a masked step (its h and c are unchanged),
and a masked step later in a call outputs the previous step's output, which is that kept h. But a
masked step at the start of a call outputs zeros although the carried h is not zero, so the
outputs at masked steps depend on where the batch boundaries fall: the same sequence fed in one
call or in two gives other outputs at the same masked step. An LSTM(return_sequences=False)
returns the last step's output: for a row with no real step in the call it is zeros, whatever
state the row carries.

Cause (keras/src/backend/tensorflow/rnn.py; tf_keras/src/backend.py, function rnn): a masked
step outputs the previous step's output of the same call, "In the case T = 0, a zero filled tensor
will be used"; the carried state is not consulted. The rule goes back to Keras 2
(keras-team/keras#7185: "When using masking, the first state should be the previous output").
Keras 3.15.1 and tf_keras 2.21.0 on TensorFlow 2.21 (Keras 3's JAX backend has the same rule, but
there predict_on_batch carries no state at all: repros/keras_jax_stateful_state_not_carried.py);
no upstream report found for the stateful case. Run:

    python repros/keras_masked_step_at_call_start_outputs_zeros.py [keras|tf_keras]

needs only that package and tensorflow; prints what happened and exits 1 while the behaviour is
present.
"""
import importlib
import os
import sys

import numpy as np

os.environ["KERAS_BACKEND"] = "tensorflow"
keras = importlib.import_module(sys.argv[1] if len(sys.argv) > 1 else "keras")

inputs = keras.Input(batch_size=1, shape=(None, 2))
mask = keras.Input(batch_size=1, shape=(None,), dtype="bool")
layer = keras.layers.LSTM(3, stateful=True, return_sequences=True)
model = keras.Model([inputs, mask], layer(inputs, mask=mask))
x = np.random.default_rng(0).uniform(-1, 1, (1, 4, 2)).astype("float32")
m = np.array([[True, True, False, True]])

whole = model.predict_on_batch([x, m])
layer.reset_states()
first = model.predict_on_batch([x[:, :2], m[:, :2]])
carried_h = layer.states[0].numpy()
second = model.predict_on_batch([x[:, 2:], m[:, 2:]])
print(f"masked step 2 in one call outputs     {np.round(whole[0, 2], 4)} (step 1's output)")
print(f"the same step at the start of a call: {np.round(second[0, 0], 4)}; the carried h is "
      f"{np.round(carried_h[0], 4)}")
start_zero = not np.abs(second[0, 0]).max() > 0 and np.abs(carried_h).max() > 0

lstm = keras.layers.LSTM(3, stateful=True)
last = keras.Model([inputs, mask], lstm(inputs, mask=mask))
last.predict_on_batch([x, np.ones((1, 4), bool)])
kept = [s.numpy() for s in lstm.states]
read = last.predict_on_batch([x, np.zeros((1, 4), bool)])
unchanged = all(np.array_equal(a, s.numpy()) for a, s in zip(kept, lstm.states))
print(f"a row masked for a whole call: state unchanged {unchanged}; the last output the "
      f"classifier reads is {np.round(read[0], 4)}, the carried h {np.round(kept[0][0], 4)}")
sys.exit(1 if start_zero or not np.abs(read).max() > 0 else 0)
