"""tf-keras (Keras 2): a batch whose every step is masked gives a NaN loss, and training on it turns
every weight into NaN.

A sequence model trained on texts of different lengths sees batches where every row is padding
(ragged streams whose documents have all ended, or a stream that waits in every row). Keras
passes the mask to the loss and divides the masked sum by the number of real steps; with none,
tf_keras divides 0 by 0: ``test_on_batch`` returns NaN, ``train_on_batch`` returns NaN and its
Adam step writes NaN into the weights, so the model is lost for good. Keras 3 returns 0 there
(``divide_no_nan``), and so did multi-backend Keras once keras-team/keras#11643 (2018) added an
epsilon. No tf-keras report of the all-masked case found (related: keras-team/tf-keras#734,
open, a NaN loss from ``ignore_class``). tf_keras 2.21.0, TensorFlow 2.21. Run:

    python repros/tf_keras_all_masked_batch_makes_the_loss_nan.py

needs only tf_keras (and TensorFlow); prints what happened and exits 1 while the behaviour is
present.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tf_keras as k  # noqa: E402

tokens = k.Input(batch_shape=(2, None), dtype="int32")
mask = k.Input(batch_shape=(2, None), dtype="bool")
h = k.layers.LSTM(4, return_sequences=True)(k.layers.Embedding(5, 3)(tokens), mask=mask)
model = k.Model([tokens, mask], k.layers.Dense(5, activation="softmax")(h))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
x = np.array([[1, 2, 3], [0, 4, 1]], np.int32)

print("some steps real, test_on_batch:", model.test_on_batch([x, x > 1], x))
nothing_real = np.zeros(x.shape, bool)
print("no step real, test_on_batch:   ", model.test_on_batch([x, nothing_real], x))
print("no step real, train_on_batch:  ", model.train_on_batch([x, nothing_real], x))
finite = all(np.isfinite(w).all() for w in model.get_weights())
print("every weight finite afterwards:", finite)
print("a batch of real steps now:     ", model.test_on_batch([x, np.ones(x.shape, bool)], x))
sys.exit(0 if finite else 1)
