"""LiteRT: the builtin FULLY_CONNECTED kernel accepts an input whose last dimension is not the
weights' depth: it reads the input's flat buffer in rows of the weights' depth, without an error.

A matmul of x (2, 5) with a (5, 1) kernel converts to FULLY_CONNECTED. Run by the LiteRT
interpreter's builtin kernels (no XNNPACK delegate: as every op inside a WHILE loop runs, such as
a converted recurrent layer's), an x of shape (2, 7) (the signature runner resizes the input) is
not refused: the kernel takes the first 10 of its 14 values as two rows of 5 and returns the
same (2, 1) as for x[:, :5] of a (2, 5) input with those values; an x of shape (2, 3) gives one
row, from 5 of its 6 values. With the XNNPACK delegate (the default at the top level) the same
calls fail at invoke. In the litert adapter this is a SimpleRNN of 1 unit (its kernel converted
to a FULLY_CONNECTED in the loop body) accepting any number of features per timestep.

    pip install tensorflow ai-edge-litert && python litert_fully_connected_reads_any_input_depth.py
Seen with TensorFlow 2.21 (converter) and ai-edge-litert 2.3.0.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from ai_edge_litert.interpreter import Interpreter, OpResolverType  # noqa: E402

kernel = np.arange(1, 6, dtype=np.float32).reshape(5, 1)


@tf.function(input_signature=[tf.TensorSpec([2, 5], tf.float32)])
def project(x):
    return {"y": tf.matmul(x, kernel)}


converter = tf.lite.TFLiteConverter.from_concrete_functions([project.get_concrete_function()],
                                                            tf.Module())
interpreter = Interpreter(model_content=converter.convert(),
                          experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
run = interpreter.get_signature_runner()
accepted = []
for features in (5, 7, 3):
    x = np.arange(2 * features, dtype=np.float32).reshape(2, features)
    try:
        y = run(x=x)["y"]
    except (ValueError, RuntimeError) as error:
        print(f"x of shape {x.shape}: refused ({error})")
        continue
    print(f"x of shape {x.shape}: accepted, y = {y.ravel()} of shape {y.shape}")
    accepted += [features] if features != 5 else []
print(f"inputs of {accepted} features accepted by a kernel of depth 5" if accepted else "fixed")
sys.exit(1 if accepted else 0)
