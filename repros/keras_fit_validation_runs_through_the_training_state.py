"""Keras 3 and tf-keras: Model.fit(..., validation_data=...) of a stateful model runs the
validation batches through the same stateful layers: the validation pass starts from the state
the training left (not from zeros), and the training goes on from the state the validation left,
so the weights, losses and carried state after fit depend on whether one validates. Users reset
the state in callbacks to work around it; callbacks are not called between validation batches
(keras-team/keras#4185).

The script trains two copies of one stateful classifier from the same carried state, one with
validation_data and one without, and compares their carried state after two epochs; it also
compares fit's val_loss with evaluate from a zero state (on JAX, which carries no state through
fit, the validation still starts from the carried state, not from zeros).

    python repros/keras_fit_validation_runs_through_the_training_state.py
    KERAS_BACKEND=jax python repros/keras_fit_validation_runs_through_the_training_state.py

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


def validation_moves_training(build):
    rng = np.random.default_rng(0)
    x, x_val = (rng.uniform(-1, 1, (4, 3, 2)).astype(np.float32) for _ in range(2))
    y, y_val = (np.eye(2, dtype=np.float32)[rng.integers(0, 2, 4)] for _ in range(2))
    (validated, layer, name), (plain, plain_layer, _) = build(), build()
    plain.set_weights(validated.get_weights())
    for variable in (*layer.states, *plain_layer.states):      # a carried state, as after a
        variable.assign(np.full(variable.shape, 0.5, np.float32))   # history
    history = validated.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0,
                            validation_data=(x_val, y_val))
    plain.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    differ = float(np.abs(states(layer) - states(plain_layer)).max())
    for variable in plain_layer.states:
        variable.assign(np.zeros(variable.shape, np.float32))
    from_zeros = float(plain.evaluate(x_val, y_val, batch_size=2, verbose=0))
    print(f"{name}: the carried state after fit with validation_data differs from the same fit "
          f"without by up to {differ:.3f}; val_loss {history.history['val_loss'][-1]:.4f}, "
          f"evaluate from a zero state (the weights of the fit without validation) "
          f"{from_zeros:.4f}")
    return differ > 1e-6 or abs(history.history["val_loss"][-1] - from_zeros) > 1e-5


def main():
    builds = [keras3_classifier] + ([tf_keras_classifier]
                                    if importlib.util.find_spec("tf_keras") else [])
    present = [validation_moves_training(build) for build in builds]
    sys.exit(1 if any(present) else 0)


if __name__ == "__main__":
    main()
