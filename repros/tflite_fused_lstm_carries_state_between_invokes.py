"""TFLite: a stateless tf-keras LSTM, converted to the fused UNIDIRECTIONAL_SEQUENCE_LSTM, carries
its state from one ``invoke()`` to the next.

A stateless model must start every batch from zeros (clause 2: "as if you always called
reset_states()"). ``tf.lite.TFLiteConverter.from_keras_model`` of a tf-keras (Keras 2) model
with a plain ``LSTM`` and a fixed input shape fuses it into ``UNIDIRECTIONAL_SEQUENCE_LSTM``,
whose state lives in variable tensors of the interpreter: the second ``invoke()`` starts from
where the first ended, so the same input gives another output. Only
``interpreter.reset_all_variables()`` clears it. tensorflow/tensorflow#47813 (the fused LSTM
keeps its state between invocations). The same model from Keras 3 converts to a WHILE loop and
starts from zeros every time; a stateful model of either converts its state into resource
variables (VAR_HANDLE) and carries it between invokes, as it should. TensorFlow 2.21, tf_keras
2.21.0. Run:

    python repros/tflite_fused_lstm_carries_state_between_invokes.py

needs tf_keras and tensorflow; prints what happened and exits 1 while the behaviour is present.
"""
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")     # tf.lite.Interpreter's deprecation notice (LiteRT)
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

x = np.random.default_rng(0).uniform(-1, 1, (1, 3, 2)).astype(np.float32)
model = keras.Sequential([keras.layers.LSTM(4, return_sequences=True,
                                            batch_input_shape=(1, 3, 2))])   # stateless
interpreter = tf.lite.Interpreter(
    model_content=tf.lite.TFLiteConverter.from_keras_model(model).convert())
interpreter.allocate_tensors()
ops = sorted({op["op_name"] for op in interpreter._get_ops_details()})
source, target = interpreter.get_input_details()[0], interpreter.get_output_details()[0]


def invoke():
    interpreter.set_tensor(source["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(target["index"]).copy()


first, second = invoke(), invoke()
interpreter.reset_all_variables()
after_reset = invoke()
keras_output = np.array(model.predict_on_batch(x))
print(f"ops: {ops}")
print(f"the same input twice: invoke 1 vs Keras {np.abs(first - keras_output).max():.2g}; "
      f"invoke 2 vs invoke 1 {np.abs(second - first).max():.2g}; after "
      f"reset_all_variables() vs invoke 1 {np.abs(after_reset - first).max():.2g}")
sys.exit(1 if np.abs(second - first).max() > 1e-6 else 0)
