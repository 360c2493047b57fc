"""tf2onnx: a stateful tf-keras LSTM converts silently, its carried state frozen in as it was at
conversion time.

``tf2onnx.convert.from_keras`` of a ``Sequential`` with ``LSTM(stateful=True)`` (the seed's
model) gives an ONNX model with no state input or output: every ``run`` starts from the value
the state variables had when the model was converted (not zeros, and not the state of the
previous run). A copy exported after training, or after predicting, starts every stream from
the end of some other one, and nothing says so. ONNX is stateless by design: the state must be
an input and an output (onnx/tensorflow-onnx#1152, where the maintainers say so; onnx/keras-onnx#676,
the same for keras2onnx). tf2onnx 1.17.0, tf_keras 2.21.0, TensorFlow 2.21, ONNX Runtime 1.32.
Run:

    python repros/tf2onnx_bakes_in_the_carried_state.py

needs tf_keras, tensorflow, tf2onnx and onnxruntime; prints what happened and exits 1 while the
behaviour is present.
"""
import logging
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
logging.disable(logging.WARNING)
import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf2onnx  # noqa: E402
import tf_keras as keras  # noqa: E402

x = np.random.default_rng(0).uniform(-1, 1, (1, 3, 2)).astype(np.float32)
model = keras.Sequential([keras.layers.LSTM(4, stateful=True, return_sequences=True,
                                            batch_input_shape=(1, None, 2))])
model.predict_on_batch(x)
model.predict_on_batch(x)                          # the state has moved twice
lstm = model.layers[0]
at_conversion = [v.numpy().copy() for v in lstm.states]
proto, _ = tf2onnx.convert.from_keras(model, input_signature=[tf.TensorSpec((1, None, 2))])
session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
print("inputs of the converted model:", [i.name for i in session.get_inputs()])
first, second = (session.run(None, {session.get_inputs()[0].name: x})[0] for _ in range(2))

lstm.reset_states(states=at_conversion)
from_conversion = np.array(model.predict_on_batch(x))
lstm.reset_states()
from_zeros = np.array(model.predict_on_batch(x))
baked = np.abs(first - from_conversion).max() < 1e-6 and np.abs(first - from_zeros).max() > 1e-3
print(f"run 1 vs Keras from the state at conversion: {np.abs(first - from_conversion).max():.2g}; "
      f"vs Keras from zeros: {np.abs(first - from_zeros).max():.2g}; run 2 vs run 1: "
      f"{np.abs(second - first).max():.2g}")
sys.exit(1 if baked else 0)
