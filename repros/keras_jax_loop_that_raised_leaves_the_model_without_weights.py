"""Keras 3 on JAX: when Model.predict or Model.evaluate raises inside its loop (here: a stateful
LSTM built for batch_size=4, given 9 samples, refuses the last batch of one row in LSTM.call),
the model's variables are left without values: every later call (predict, get_weights, ...)
raises TypeError: 'NoneType' object is not callable. The JAX trainer takes the variables' values
out of the model while a loop runs (_get_jax_state(purge_model_variables=True)) and puts them
back only when the loop ends normally (jax_state_sync); fit restores them on an exception since
keras-team/keras#21019, predict and evaluate do not (keras/src/backend/jax/trainer.py).

    python repros/keras_jax_loop_that_raised_leaves_the_model_without_weights.py

needs jax and keras; it prints what happened and exits 1 while the bug is present.
"""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
import numpy as np  # noqa: E402


def classifier():
    inputs = keras.Input(batch_size=4, shape=(None, 2))
    h = keras.layers.LSTM(3, stateful=True)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(h))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def main():
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}")
    x = np.ones((9, 5, 2), np.float32)
    y = np.eye(2, dtype=np.float32)[np.arange(9) % 2]
    broken = []
    for method in ("fit", "evaluate", "predict"):
        model = classifier()
        try:
            getattr(model, method)(*((x,) if method == "predict" else (x, y)), batch_size=4,
                                   verbose=0)
        except ValueError as error:
            print(f"{method} of 9 samples raised ValueError ({str(error).splitlines()[0][:60]})")
        try:
            model.get_weights()
            model.predict(x[:8], batch_size=4, verbose=0)
            print("  after it, the model still works")
        except TypeError as error:
            print(f"  after it, get_weights and predict raise TypeError: {error}")
            broken.append(method)
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
