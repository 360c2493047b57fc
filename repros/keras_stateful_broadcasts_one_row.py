"""Keras 3 (TensorFlow backend): a stateful LSTM built for batch_size=4 accepts a batch of ONE row
through Model.predict_on_batch once the model has been called before, broadcasts that row over all
4 carried states, and moves every row's state. A fresh model refuses the same call.

Upstream: https://github.com/keras-team/keras/issues/21183 (open; reported on SimpleRNN). The fix
in Keras 3.12 (https://github.com/keras-team/keras/pull/21742) compares the batch size only when it
is known at trace time (keras/src/layers/rnn/rnn.py, RNN.call: `actual_batch_size is not None`).
predict_on_batch runs a tf.function with reduce_retracing=True
(keras/src/backend/tensorflow/trainer.py, make_predict_function): after a first call, a call with
another input shape is traced with the batch dimension relaxed to None, so the check is skipped
and TensorFlow broadcasts the (1, 4*units) input term against the (4, 4*units) recurrent term.
A compiled LSTM -> Dense classifier does the same in predict_on_batch and in train_on_batch.

    python repros/keras_stateful_broadcasts_one_row.py

needs only tensorflow (Keras 3); it prints what happened and exits 1 while the bug is present.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras  # noqa: E402
import numpy as np  # noqa: E402


def build():
    inputs = keras.Input(batch_size=4, shape=(None, 2))
    outputs = keras.layers.LSTM(3, stateful=True, return_sequences=True)(inputs)
    return keras.Model(inputs, outputs)


def one_row_after_a_call(model, call, *extra):
    """Whether ``call`` (a method name) accepts a 1-row batch after one 4-row call, and if so
    whether the carried state of the 4 rows moved."""
    layer = next(layer for layer in model.layers if isinstance(layer, keras.layers.LSTM))
    getattr(model, call)(np.ones((4, 3, 2), np.float32), *(e[[0, 0, 0, 0]] for e in extra))
    before = [v.numpy().copy() for v in layer.states]
    try:
        getattr(model, call)(np.ones((1, 5, 2), np.float32), *extra)
    except Exception as error:  # noqa: BLE001
        print(f"classifier {call}: a 1-row batch after one call is refused "
              f"({type(error).__name__})")
        return False
    moved = any(not np.array_equal(v.numpy(), b) for v, b in zip(layer.states, before))
    print(f"classifier {call}: a 1-row batch after one call was accepted, carried state of all "
          f"4 rows {'moved' if moved else 'unchanged'}")
    return True


def classifier():
    inputs = keras.Input(batch_size=4, shape=(None, 2))
    h = keras.layers.LSTM(3, stateful=True)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(h))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def main():
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}")
    fresh = build()
    try:
        fresh.predict_on_batch(np.ones((1, 5, 2), np.float32))
        print("fresh model: a 1-row batch was accepted")
    except Exception as error:  # noqa: BLE001
        print(f"fresh model: a 1-row batch is refused ({type(error).__name__})")

    model = build()
    model.predict_on_batch(np.ones((4, 3, 2), np.float32))      # any earlier call
    layer = model.layers[-1]
    before = [v.numpy().copy() for v in layer.states]
    try:
        out = model.predict_on_batch(np.ones((1, 5, 2), np.float32))
    except Exception as error:  # noqa: BLE001
        print(f"after one call: a 1-row batch is refused ({type(error).__name__}): fixed")
        broadcast = False
    else:
        after = [v.numpy() for v in layer.states]
        moved = any(not np.array_equal(a, b) for a, b in zip(after, before))
        print(f"after one call: a 1-row batch was accepted, output shape {out.shape}, carried "
              f"state of all 4 rows {'moved' if moved else 'unchanged'}")
        broadcast = True
    y = np.array([[1, 0]], np.float32)
    broadcast |= one_row_after_a_call(classifier(), "predict_on_batch")
    broadcast |= one_row_after_a_call(classifier(), "train_on_batch", y)
    return int(broadcast)


if __name__ == "__main__":
    sys.exit(main())
