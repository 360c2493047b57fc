"""Keras 3 on JAX: through Model.predict_on_batch, a stateful LSTM does not carry its state.

1. Feeding a sequence in two halves gives other outputs than feeding it whole, and the layer's
   ``states`` variables stay as they were (zeros).
2. train_on_batch of a compiled model with that LSTM does not move the state either.
3. The value a state variable has when a shape is first traced is baked into the compiled
   function: after ``states[0].assign(...)``, a call of an already-traced shape ignores it.
Calling the layer eagerly (``layer(x)``) does carry the state; so does the TensorFlow backend.

Cause (keras/src/layers/rnn/rnn.py, keras/src/backend/jax/trainer.py): the RNN creates its state
variables under ``@tracking.no_automatic_dependency_tracking``, so they are not among the model's
``non_trainable_variables``, the only variables the jitted predict step threads through
``stateless_call``; inside the trace ``self_state.assign(...)`` goes nowhere, and reading the state
reads the concrete value at trace time. Keras 3.15.1, JAX 0.10.2. No upstream report found (a
related JAX-only difference in updating variables: keras-team/keras#19054). Run:

    python repros/keras_jax_stateful_state_not_carried.py

needs only keras and jax; prints what happened and exits 1 while the behaviour is present.
"""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
import numpy as np  # noqa: E402

inputs = keras.Input(batch_size=2, shape=(None, 3))
layer = keras.layers.LSTM(4, stateful=True, return_sequences=True)
model = keras.Model(inputs, layer(inputs))
x = np.random.default_rng(0).uniform(-1, 1, (2, 6, 3)).astype("float32")

whole = model.predict_on_batch(x)
layer.reset_states()
halves = np.concatenate([model.predict_on_batch(x[:, :3]), model.predict_on_batch(x[:, 3:])], 1)
state = layer.states[0].numpy()
not_carried = not np.allclose(whole, halves, atol=1e-6)
print(f"whole vs two halves: max difference {np.abs(whole - halves).max():.3g}; "
      f"h after the calls: max |h| = {np.abs(state).max():.3g} (the last output's is "
      f"{np.abs(halves[:, -1]).max():.3g})")

layer.states[0].assign(np.ones((2, 4), "float32"))
after_assign = model.predict_on_batch(x[:, :3])        # a shape traced above
layer.reset_states()
from_zero = model.predict_on_batch(x[:, :3])
ignored = np.array_equal(after_assign, from_zero)
print(f"after states[0].assign(ones), a traced shape's output equals the zero-state one: {ignored}")
classifier_in = keras.Input(batch_size=2, shape=(None, 3))
lstm = keras.layers.LSTM(4, stateful=True)
classifier = keras.Model(classifier_in, keras.layers.Dense(2, activation="softmax")(
    lstm(classifier_in)))
classifier.compile(optimizer="adam", loss="categorical_crossentropy")
classifier.train_on_batch(x, np.eye(2, dtype="float32"))
untrained_state = not np.abs(lstm.states[0].numpy()).max() > 0
print(f"after train_on_batch, the classifier's LSTM state is still zero: {untrained_state}")
sys.exit(1 if not_carried or ignored or untrained_state else 0)
