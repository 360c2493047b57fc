"""Keras 3 and tf-keras: Model.fit of a stateful model (a stateful LSTM -> Dense classifier,
batch_size 2) breaks "row i of a batch continues row i of the batch before" two ways.

1. Shuffling. fit's shuffle defaults to True for every model, stateful or not, and reorders each
   epoch's samples; fit(shuffle=True) of a stateful model is accepted without a word. The RNN
   docstring asks users to pass shuffle=False (keras-team/keras#4970); nothing checks it. Shown
   by two copies trained on the same 8 samples, one with fit's default and one with
   shuffle=False (which equals train_on_batch on the samples in order): their carried states
   differ (on JAX, which carries no state through fit, their weights show the other order).
2. Validation. fit(..., validation_data=...) runs the validation batches through the same
   stateful layers: the validation starts from the state the training left, not from zeros, and
   (on TensorFlow) the training goes on from the state the validation left. Callbacks are not
   called between validation batches (keras-team/keras#4185). Shown by two copies trained from
   the same carried state, one with validation_data: their carried states differ, and val_loss
   is not evaluate from a zero state.

    python repros/keras_fit_of_a_stateful_model.py
    KERAS_BACKEND=jax python repros/keras_fit_of_a_stateful_model.py

runs Keras 3 on the backend KERAS_BACKEND names (TensorFlow by default), then tf-keras if it is
installed; it prints what happened and exits 1 while either behaviour is present.
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


def set_states(layer, value):
    for variable in layer.states:
        variable.assign(np.full(variable.shape, value, np.float32))


def twins(build):
    (model, layer, name), (twin, twin_layer, _) = build(), build()
    twin.set_weights(model.get_weights())
    return model, layer, twin, twin_layer, name


def data(samples):
    rng = np.random.default_rng(samples)
    return (rng.uniform(-1, 1, (samples, 3, 2)).astype(np.float32),
            np.eye(2, dtype=np.float32)[rng.integers(0, 2, samples)])


def shuffles(build):
    x, y = data(8)
    default, layer, ordered, ordered_layer, name = twins(build)
    default.fit(x, y, batch_size=2, epochs=1, verbose=0)
    ordered.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    differ = float(np.abs(states(layer) - states(ordered_layer)).max())
    weights = max(float(np.abs(a - b).max())
                  for a, b in zip(default.get_weights(), ordered.get_weights()))
    print(f"{name}: after fit with its default shuffle, the carried state differs from "
          f"fit(shuffle=False)'s by up to {differ:.3f}, the weights by up to {weights:.2e}")
    try:
        default.fit(x, y, batch_size=2, epochs=1, shuffle=True, verbose=0)
        print(f"{name}: fit(shuffle=True) of a stateful model was accepted")
        return True
    except Exception as error:  # noqa: BLE001
        print(f"{name}: fit(shuffle=True) of a stateful model raised {type(error).__name__}")
        return differ > 1e-6 or weights > 1e-7


def validation_moves_training(build):
    (x, y), (x_val, y_val) = data(4), data(6)
    validated, layer, plain, plain_layer, name = twins(build)
    for each in (layer, plain_layer):
        set_states(each, 0.5)                      # a carried state, as after a history
    history = validated.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0,
                            validation_data=(x_val, y_val))
    plain.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    differ = float(np.abs(states(layer) - states(plain_layer)).max())
    set_states(plain_layer, 0.0)
    from_zeros = float(plain.evaluate(x_val, y_val, batch_size=2, verbose=0))
    print(f"{name}: the carried state after fit with validation_data differs from the same fit "
          f"without by up to {differ:.3f}; val_loss {history.history['val_loss'][-1]:.4f}, "
          f"evaluate from a zero state {from_zeros:.4f}")
    return differ > 1e-6 or abs(history.history["val_loss"][-1] - from_zeros) > 1e-5


def main():
    builds = [keras3_classifier] + ([tf_keras_classifier]
                                    if importlib.util.find_spec("tf_keras") else [])
    present = [check(build) for build in builds for check in (shuffles,
                                                               validation_moves_training)]
    sys.exit(1 if any(present) else 0)


if __name__ == "__main__":
    main()
