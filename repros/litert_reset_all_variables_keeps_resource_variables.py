"""LiteRT: Interpreter.reset_all_variables() does not reset resource variables: a model whose state
is a resource variable (what the TFLite converter makes of a stateful model's state, with
experimental_enable_resource_variables) keeps the state it had.

A tf.Module carries h in a variable from one call of its signature to the next (h = tanh(x + h)).
Converted with resource variables and run by the LiteRT interpreter, the state carries over
between invoke()s, as it should; but after interpreter.reset_all_variables(), the next call
still continues from the carried h, not from zeros: the method resets the "variable tensors" of
the fused RNN kernels only. To reset such a model's state, give it a signature that assigns
zeros (or build a new interpreter).

    pip install tensorflow ai-edge-litert && python litert_reset_all_variables_keeps_resource_variables.py
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
        self.h = tf.Variable(tf.zeros((3,)))

    @tf.function(input_signature=[tf.TensorSpec([3], tf.float32)])
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
x = np.full(3, 0.5, np.float32)
first = step(x=x)["h"][0]
second = step(x=x)["h"][0]
interpreter.reset_all_variables()
after_reset = step(x=x)["h"][0]
print(f"h after the 1st call {first:.4f}, the 2nd {second:.4f} (carried), after "
      f"reset_all_variables() {after_reset:.4f} (from zeros it would be {first:.4f})")
kept = not np.isclose(after_reset, first)
print("reset_all_variables() left the resource variable as it was" if kept else "reset: fixed")
sys.exit(1 if kept else 0)
