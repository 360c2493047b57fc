"""LiteRT: a signature runner resizes an input's static batch dimension without complaint, so a
stateful model converted for a batch of 2 takes a batch of 1 row and broadcasts it over both
carried rows.

A tf.Module carries h (2, 3) in a resource variable (h = tanh(x + h)), its signature's x fixed at
(2, 3). Converted with resource variables and run by the LiteRT interpreter, a call with x of shape
(1, 3) is not refused: SignatureRunner.__call__ resizes every input to the array it is given
(resize_input with strict=False), and the graph's ADD then broadcasts the one row over both rows
of h: the call returns (2, 3) and moves both rows' state. (A batch of 3 fails, at invoke, with a
RuntimeError.) The runner's ``resize_input`` does not check the model's shape signature, where
the batch is 2, not -1; Interpreter.resize_tensor_input(..., strict=True) would refuse it.

    pip install tensorflow ai-edge-litert && python litert_signature_runner_resizes_a_static_batch.py
Seen with TensorFlow 2.21 (converter) and ai-edge-litert 2.3.0.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from ai_edge_litert.interpreter import Interpreter  # noqa: E402


class Carries(tf.Module):
    def __init__(self):
        self.h = tf.Variable(tf.zeros((2, 3)))

    @tf.function(input_signature=[tf.TensorSpec([2, 3], tf.float32)])
    def step(self, x):
        h = tf.tanh(x + self.h)
        self.h.assign(h)
        return {"h": h}


module = Carries()
converter = tf.lite.TFLiteConverter.from_concrete_functions(
    [module.step.get_concrete_function()], module)
converter.experimental_enable_resource_variables = True
interpreter = Interpreter(model_content=converter.convert())
step = interpreter.get_signature_runner()       # the one signature
print("x's shape signature:", interpreter.get_input_details()[0]["shape_signature"])
try:
    h = step(x=np.full((1, 3), 0.5, np.float32))["h"]
except (ValueError, RuntimeError) as error:
    print(f"a batch of 1 row was refused: {error}")
    sys.exit(0)
print(f"a batch of 1 row for a model of batch 2 was accepted: returned {h.shape}, both rows "
      f"moved:\n{h}")
sys.exit(1)
