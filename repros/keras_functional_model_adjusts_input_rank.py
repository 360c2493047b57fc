"""Keras 3: a new functional model built for (batch, timesteps, features) "adjusts" inputs of
another rank instead of refusing them, and a stateful LSTM in it moves its carried state:
a 4-D (B, T, F, 1) input is squeezed to (B, T, F) for any F, and a 2-D (B, T) input is expanded
to (B, T, 1) when F = 1 (Functional._adjust_input_rank, keras/src/models/functional.py, with a
warning only for the structure). On the TensorFlow backend only a model whose predict function has
not been traced yet does this; after one 3-D call, the retraced function fails instead. A
stateful model's first call is often the one with the wrong shape. Keras 3.15.1 (TensorFlow 2.21
and JAX 0.10.2). No upstream report found. Run:

    python repros/keras_functional_model_adjusts_input_rank.py

needs only keras and a backend; prints what happened and exits 1 while the behaviour is present.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras  # noqa: E402
import numpy as np  # noqa: E402


def build(features):
    inputs = keras.Input(batch_size=2, shape=(None, features))
    layer = keras.layers.LSTM(3, stateful=True, return_sequences=True)
    return keras.Model(inputs, layer(inputs)), layer


accepted = []
for features, shape in [(2, (2, 4, 2, 1)), (1, (2, 4))]:
    model, layer = build(features)
    try:
        out = model.predict_on_batch(np.ones(shape, np.float32))
    except Exception as error:  # noqa: BLE001
        print(f"input {shape} to a new model built for F={features}: refused "
              f"({type(error).__name__})")
        continue
    moved = bool(np.abs(layer.states[0].numpy()).max() > 0)
    print(f"input {shape} to a new model built for F={features}: accepted, output {out.shape}, "
          f"carried state {'moved' if moved else 'unchanged'}")
    accepted.append(shape)
print(f"keras {keras.__version__}, backend {keras.backend.backend()}")
sys.exit(1 if accepted else 0)
