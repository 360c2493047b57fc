"""Keras 3 (TensorFlow backend): Adam's second moment of an Embedding is wrong when a token occurs
more than once in a batch, which in character-level text is every batch.

The gradient of an Embedding's table reaches the optimizer as a tf.IndexedSlices with one slice per
occurrence of a token, duplicates not summed. Adam.update_step (keras/src/optimizers/adam.py)
computes ``ops.square(gradient)``; on TensorFlow ``square`` is wrapped by
``sparse.elementwise_unary`` (keras/src/backend/tensorflow/sparse.py), which squares each slice's
values and keeps the duplicate indices, and the IndexedSlices is then added into ``v`` slice by
slice. So ``v`` gets the sum of the squares of the per-occurrence gradients instead of the square
of their sum (the gradient of the variable); ``m`` (``ops.subtract(gradient, m)``, densified) is
right. Here token 0 occurs twice with the same gradient g: ``m = 0.1 * 2g``, ``v = 0.001 * 2g^2``
instead of ``0.001 * 4g^2``, and the first step moves the row by learning_rate * sqrt(2) instead of
by learning_rate (Adam's first step is learning_rate * sign(g) for |g| well above epsilon). The
same model with one-hot input and a Dense layer, mathematically identical, moves by
learning_rate. Keras 2 (tf_keras 2.21) moves the same embedding by learning_rate.

No upstream report found (keras-team/keras#19992 is about the speed of sparse updates).

    python repros/keras_adam_squares_repeated_embedding_rows.py

needs only tensorflow (Keras 3); it prints what happened and exits 1 while the bug is present.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras  # noqa: E402
import numpy as np  # noqa: E402

LEARNING_RATE = 0.1


def first_step(layer, x):
    """How far one Adam step moves the first layer's weights for input ``x`` (target 0, MSE)."""
    inputs = keras.Input(shape=x.shape[1:], dtype=x.dtype)
    hidden = keras.layers.Flatten()(layer(inputs))
    outputs = keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="mse")
    before = np.array(layer.get_weights()[0])
    model.train_on_batch(x, np.zeros((1, 1), np.float32))
    return np.array(layer.get_weights()[0]) - before


tokens = np.array([[0, 0]], np.int32)                        # token 0, twice
embedded = first_step(keras.layers.Embedding(2, 1, embeddings_initializer="ones"), tokens)
one_hot = first_step(keras.layers.Dense(1, use_bias=False, kernel_initializer="ones"),
                     np.eye(2, dtype=np.float32)[tokens])
print(f"Keras {keras.__version__}, backend {keras.backend.backend()}, Adam({LEARNING_RATE})")
print(f"Embedding row of token 0 moved by {embedded[0, 0]:+.6f}")
print(f"one-hot input -> Dense, same weight, moved by {one_hot[0, 0]:+.6f}")
if np.isclose(abs(embedded[0, 0]), LEARNING_RATE * np.sqrt(2), rtol=1e-4):
    print("BUG: the embedding moved sqrt(2) times the learning rate: Adam's v summed the squares "
          "of the two occurrences' gradients instead of squaring their sum")
    sys.exit(1)
print("fixed: the embedding moved as the one-hot model did")
