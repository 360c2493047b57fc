"""OpenVINO: the LSTMSequence operator returns a zero state, not the initial one, for a row whose
sequence length is 0, and outputs zeros at the steps past a row's length.

A stateful model carries each row's state from one call to the next; a row with no real step
in a call (a stream that waits: a right-padded mask, given as sequence_lengths) should come out
with the state it went in with, and its padded steps should output the h the row keeps (what
Keras and the spec's reference do). OpenVINO's CPU plugin instead:

1. given sequence_lengths 0 for a row, returns zeros for that row's final H and C;
2. outputs zeros in Y at the steps past a row's length.

The same as ONNX Runtime's operator (whose zero-filling is deliberate:
microsoft/onnxruntime#749, #1193); the operator spec of LSTMSequence does not say what a row of
length 0 returns. No OpenVINO report found. Seen with openvino 2026.4.1. Run:

    python repros/openvino_sequence_length_zero_returns_a_zero_state.py

needs only numpy and openvino; prints what happened and exits 1 while the behaviour is present.
"""
import sys

import numpy as np
import openvino as ov
from openvino import opset15 as ops

batch, steps, features, units = 2, 3, 2, 3
rng = np.random.default_rng(0)
x = ops.parameter([batch, steps, features], np.float32, "x")
lengths = ops.parameter([batch], np.int32, "lengths")
h0, c0 = (rng.uniform(-1, 1, (batch, 1, units)).astype(np.float32) for _ in range(2))
W = rng.uniform(-1, 1, (1, 4 * units, features)).astype(np.float32)
R = rng.uniform(-1, 1, (1, 4 * units, units)).astype(np.float32)
lstm = ops.lstm_sequence(x, h0, c0, lengths, W, R, np.zeros((1, 4 * units), np.float32), units,
                         "forward")
model = ov.Model([ops.result(lstm.output(k)) for k in range(3)], [x, lengths])
request = ov.Core().compile_model(model, "CPU").create_infer_request()

y, h, c = request.infer([rng.uniform(-1, 1, (batch, steps, features)).astype(np.float32),
                         np.array([2, 0], np.int32)]).to_tuple()
problems = []
if np.allclose(h[1], 0) and np.allclose(c[1], 0) and not np.allclose(h0[1], 0):
    problems.append("row 1 (length 0): H and C come out as zeros, not its initial state")
if np.allclose(y[0, 0, 2], 0):
    problems.append("row 0 (length 2): Y at step 2 is zeros, not the h the row keeps "
                    f"({np.round(y[0, 0, 1], 3)})")
print("\n".join(problems) or "no zero-filled state or output: fixed")
sys.exit(1 if problems else 0)
