"""Keras 3 and tf-keras: Model.predict of a stateful LSTM built for batch_size=4, given 9 samples
with batch_size=4, runs the two whole batches, then the last batch of ONE row: on TensorFlow it
broadcasts that row over the 4 carried states and returns 12 rows for 9 samples (the 1-row
broadcast of keras-team/keras#21183, reached through predict's own batching), moving all four
rows' states; with 11 samples (a last batch of 3 rows) it raises an opaque error after the first
two batches moved the state. Keras 3 on JAX raises a ValueError from LSTM.call at the last batch,
also after the first batches moved the state (and their outputs are lost). Nothing refuses the
call before it runs, as Keras 1 did (keras-team/keras#1221: "a nice error message when you try to
fit on a set of samples that is not divisible by the batch size"). The same holds for evaluate and
fit.

    python repros/keras_predict_runs_a_partial_last_batch_of_a_stateful_model.py
    KERAS_BACKEND=jax python repros/keras_predict_runs_a_partial_last_batch_of_a_stateful_model.py

runs Keras 3 on the backend KERAS_BACKEND names (TensorFlow by default), then tf-keras if it is
installed; it prints what happened and exits 1 while the behaviour is present.
"""
import importlib.util
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402


def keras3_model():
    import keras
    inputs = keras.Input(batch_size=4, shape=(None, 2))
    layer = keras.layers.LSTM(3, stateful=True, return_sequences=True)
    return keras.Model(inputs, layer(inputs)), layer, f"Keras {keras.__version__} on " \
                                                      f"{keras.backend.backend()}"


def tf_keras_model():
    import tf_keras
    layer = tf_keras.layers.LSTM(3, stateful=True, return_sequences=True,
                                 batch_input_shape=(4, None, 2))
    return tf_keras.Sequential([layer]), layer, f"tf_keras {tf_keras.__version__}"


def partial_batch(build, samples):
    """Whether predict of ``samples`` samples (batch_size 4) ran before refusing, or ran through."""
    model, layer, name = build()
    x = np.random.default_rng(0).uniform(-1, 1, (samples, 5, 2)).astype(np.float32)
    try:
        out = model.predict(x, batch_size=4, verbose=0)
    except Exception as error:  # noqa: BLE001
        moved = any(np.abs(np.asarray(v)).max() > 0 for v in layer.states)
        print(f"{name}: predict of {samples} samples raised {type(error).__name__} "
              f"{'after' if moved else 'before'} moving the carried state")
        return moved
    print(f"{name}: predict of {samples} samples returned {out.shape[0]} rows")
    return out.shape[0] != samples


def main():
    builds = [keras3_model] + ([tf_keras_model] if importlib.util.find_spec("tf_keras") else [])
    present = [partial_batch(build, samples) for build in builds for samples in (9, 11)]
    sys.exit(1 if any(present) else 0)


if __name__ == "__main__":
    main()
