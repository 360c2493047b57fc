"""Keras 3 and tf-keras: Model.fit reorders a stateful model's samples unless told shuffle=False
(its default is shuffle=True, for every model), so row i of a batch no longer continues row i of
the batch before, and fit(shuffle=True) on a stateful model is accepted without a word. The RNN
docstring asks users to pass shuffle=False (keras-team/keras#4970); nothing checks it.

The script trains two copies of one stateful classifier on the same 8 samples (batch_size 2):
one with fit's default, one with fit(shuffle=False), which equals train_on_batch on the samples
in order; it compares the carried states (on JAX, which carries no state through fit, the
weights show the other order of the steps), and tries fit(shuffle=True).

    python repros/keras_fit_shuffles_a_stateful_model.py
    KERAS_BACKEND=jax python repros/keras_fit_shuffles_a_stateful_model.py

runs Keras 3 on the backend KERAS_BACKEND names (TensorFlow by default), then tf-keras if it is
installed; it prints what happened and exits 1 while the behaviour is present.
"""
import importlib.util
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402


def keras3_classifier():
    import keras
    keras.utils.set_random_seed(0)
    inputs = keras.Input(batch_size=2, shape=(None, 2))
    layer = keras.layers.LSTM(3, stateful=True)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(layer(inputs)))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model, layer, f"Keras {keras.__version__} on {keras.backend.backend()}"


def tf_keras_classifier():
    import tf_keras
    tf_keras.utils.set_random_seed(0)
    layer = tf_keras.layers.LSTM(3, stateful=True, batch_input_shape=(2, None, 2))
    model = tf_keras.Sequential([layer, tf_keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model, layer, f"tf_keras {tf_keras.__version__}"


def states(layer):
    return np.concatenate([np.asarray(v) for v in layer.states], axis=1)


def shuffles(build):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (8, 3, 2)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[rng.integers(0, 2, 8)]
    (default, layer, name), (ordered, ordered_layer, _) = build(), build()
    ordered.set_weights(default.get_weights())
    default.fit(x, y, batch_size=2, epochs=1, verbose=0)
    ordered.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    differ = float(np.abs(states(layer) - states(ordered_layer)).max())
    weights = max(float(np.abs(a - b).max())
                  for a, b in zip(default.get_weights(), ordered.get_weights()))
    print(f"{name}: after fit with its default shuffle, the carried state differs from "
          f"fit(shuffle=False)'s by up to {differ:.3f}, the weights by up to {weights:.2e}")
    try:
        default.fit(x, y, batch_size=2, epochs=1, shuffle=True, verbose=0)
        accepted = True
    except Exception as error:  # noqa: BLE001
        accepted = False
        print(f"{name}: fit(shuffle=True) of a stateful model raised {type(error).__name__}")
    if accepted:
        print(f"{name}: fit(shuffle=True) of a stateful model was accepted")
    return differ > 1e-6 or weights > 1e-7 or accepted


def main():
    builds = [keras3_classifier] + ([tf_keras_classifier]
                                    if importlib.util.find_spec("tf_keras") else [])
    present = [shuffles(build) for build in builds]
    sys.exit(1 if any(present) else 0)


if __name__ == "__main__":
    main()
