"""Keras 3: ``model.export`` of a model with a stateful LSTM fails, to ONNX and to a SavedModel.

The seed's answer exports "copies of the trained model with a batch size of 1" for integration.
Keras 3's own export path, ``model.export(path, format="onnx")`` (through tf2onnx on the
TensorFlow backend) or ``format="tf_saved_model"``, refuses a model whose LSTM is stateful:

    Input tensor `.../lstm/ReadVariableOp:0` enters the loop with shape (1, 4), but has shape
    (None, 4) after one iteration

(the export signature relaxes the batch dimension to None; the state variable's is fixed). The
same model built stateless exports, and ONNX Runtime runs it from a zero state every time, as
clause 2 says. The pattern that works: the state as explicit inputs and outputs
(``initial_state=[h, c]``, ``return_state=True``), or ``stateful_lstm.export``. Related:
keras-team/keras#20327; tensorflow/tensorflow#34644 (TF 2.0, a stateful LSTM's SavedModel).
Keras 3.15.1, TensorFlow 2.21, tf2onnx 1.17. Run:

    python repros/keras_export_of_a_stateful_model_fails.py

needs keras, tensorflow, tf2onnx and onnxruntime; prints what happened and exits 1 while the
behaviour is present.
"""
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402

x = np.random.default_rng(0).uniform(-1, 1, (1, 3, 2)).astype(np.float32)
failed = False
for stateful in (True, False):
    inputs = keras.Input(batch_size=1, shape=(None, 2))
    model = keras.Model(inputs, keras.layers.LSTM(4, stateful=stateful,
                                                  return_sequences=True)(inputs))
    model.predict_on_batch(x)                     # export needs a model that has been called
    for fmt in ("onnx", "tf_saved_model"):
        path = os.path.join(tempfile.mkdtemp(), "model.onnx" if fmt == "onnx" else "saved")
        try:
            model.export(path, format=fmt, verbose=False)
        except ValueError as error:
            failed |= stateful
            first = " ".join(str(error).split())[:160]
            print(f"stateful={stateful}, format={fmt}: {type(error).__name__}: {first}")
            continue
        print(f"stateful={stateful}, format={fmt}: exported")
        if fmt == "onnx":
            session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
            name = session.get_inputs()[0].name
            runs = [session.run(None, {name: x})[0] for _ in range(2)]
            print(f"  ONNX Runtime, the same input twice: equal outputs "
                  f"{np.array_equal(*runs)} (a zero state each run)")
sys.exit(1 if failed else 0)
