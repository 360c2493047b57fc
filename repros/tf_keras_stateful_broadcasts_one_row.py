"""tf-keras (Keras 2): a stateful LSTM built with batch_input_shape=(4, None, 2) accepts a batch of
ONE row through Model.predict_on_batch, broadcasts it over the 4 carried states and moves every
row's state; batches of 2, 3 or 5 rows are refused. The same behaviour as Keras 3 on TensorFlow
(keras-team/keras#21183, open; see repros/keras_stateful_broadcasts_one_row.py): TensorFlow
broadcasts the (1, 4*units) input term against the (4, 4*units) recurrent term, and the
predict function (a tf.function) does not check the batch size against the state's. A compiled
LSTM -> Dense classifier does the same in predict_on_batch and in train_on_batch.
tf_keras 2.21.0, TensorFlow 2.21. Run:

    python repros/tf_keras_stateful_broadcasts_one_row.py

needs only tf_keras; prints what happened and exits 1 while the behaviour is present.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tf_keras  # noqa: E402

model = tf_keras.Sequential([tf_keras.layers.LSTM(3, stateful=True, return_sequences=True,
                                                  batch_input_shape=(4, None, 2))])
model.predict_on_batch(np.ones((4, 3, 2), np.float32))
layer = model.layers[0]
before = [v.numpy().copy() for v in layer.states]
for rows in (2, 3, 5):
    try:
        model.predict_on_batch(np.ones((rows, 3, 2), np.float32))
        print(f"a batch of {rows} rows was accepted")
    except Exception as error:  # noqa: BLE001
        print(f"a batch of {rows} rows is refused ({type(error).__name__})")
try:
    out = model.predict_on_batch(np.ones((1, 5, 2), np.float32))
except Exception as error:  # noqa: BLE001
    print(f"a 1-row batch is refused ({type(error).__name__}): fixed")
    sys.exit(0)
moved = any(not np.array_equal(v.numpy(), b) for v, b in zip(layer.states, before))
print(f"a 1-row batch was accepted: output shape {out.shape}, the 4 rows' carried state "
      f"{'moved' if moved else 'unchanged'}")

y = np.array([[1, 0]], np.float32)
for call, extra in (("predict_on_batch", ()), ("train_on_batch", (y,))):
    classifier = tf_keras.Sequential([
        tf_keras.layers.LSTM(3, stateful=True, batch_input_shape=(4, None, 2)),
        tf_keras.layers.Dense(2, activation="softmax")])
    classifier.compile(optimizer="adam", loss="categorical_crossentropy")
    getattr(classifier, call)(np.ones((4, 3, 2), np.float32), *(e[[0, 0, 0, 0]] for e in extra))
    before = [v.numpy().copy() for v in classifier.layers[0].states]
    try:
        getattr(classifier, call)(np.ones((1, 5, 2), np.float32), *extra)
    except Exception as error:  # noqa: BLE001
        print(f"classifier {call}: a 1-row batch is refused ({type(error).__name__})")
        continue
    moved = any(not np.array_equal(v.numpy(), b)
                for v, b in zip(classifier.layers[0].states, before))
    print(f"classifier {call}: a 1-row batch was accepted, the 4 rows' carried state "
          f"{'moved' if moved else 'unchanged'}")
sys.exit(1)
