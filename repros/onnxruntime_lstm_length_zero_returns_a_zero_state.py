"""ONNX Runtime: the LSTM operator returns a zero state, not the initial one, for a row that has no
step, and outputs zeros at padded steps.

A stateful model exported to ONNX carries its state as inputs and outputs: ``initial_h`` and
``initial_c`` in, ``Y_h`` and ``Y_c`` out, fed back into the next run. A row with no real step in
a run (a stream that waits, or a run of 0 timesteps) should come out with the state it went in
with. ONNX Runtime's CPU LSTM instead:

1. given an input of 0 timesteps, returns ``Y_h`` and ``Y_c`` of zeros: the carried state is lost;
2. given ``sequence_lens`` 0 for a row, returns zeros for that row's ``Y_h`` and ``Y_c``;
3. outputs zeros in ``Y`` at the steps past a row's ``sequence_lens``, not the h the row keeps.

Deliberate: microsoft/onnxruntime#749 ("Handle sequence length == 0 for RNN", merged 2019) skips
the computation and zero-fills, and microsoft/onnxruntime#1193 zero-fills ``Y`` past a row's
length (microsoft/onnxruntime#12492, closed, asked why: Keras repeats the previous output). The
ONNX operator spec leaves ``Y_h`` of a length-0 row undefined (onnx/onnx#1674, closed as stale;
onnx/onnx#2089). ONNX Runtime 1.32, onnx 1.23. Run:

    python repros/onnxruntime_lstm_length_zero_returns_a_zero_state.py

needs only numpy, onnx and onnxruntime; prints what happened and exits 1 while the behaviour is
present.
"""
import sys

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

batch, features, units = 2, 2, 3
rng = np.random.default_rng(0)
weights = [numpy_helper.from_array(rng.uniform(-1, 1, shape).astype(np.float32), name)
           for name, shape in (("W", (1, 4 * units, features)), ("R", (1, 4 * units, units)),
                               ("B", (1, 8 * units)))]
lstm = helper.make_node("LSTM", ["x", "W", "R", "B", "lengths", "h0", "c0"],
                        ["y", "h", "c"], hidden_size=units)
graph = helper.make_graph(
    [lstm], "lstm",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["time", batch, features]),
     helper.make_tensor_value_info("lengths", TensorProto.INT32, [batch]),
     helper.make_tensor_value_info("h0", TensorProto.FLOAT, [1, batch, units]),
     helper.make_tensor_value_info("c0", TensorProto.FLOAT, [1, batch, units])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["time", 1, batch, units]),
     helper.make_tensor_value_info("h", TensorProto.FLOAT, [1, batch, units]),
     helper.make_tensor_value_info("c", TensorProto.FLOAT, [1, batch, units])],
    weights)
session = ort.InferenceSession(
    helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString(),
    providers=["CPUExecutionProvider"])
h0 = rng.uniform(-1, 1, (1, batch, units)).astype(np.float32)
c0 = rng.uniform(-1, 1, (1, batch, units)).astype(np.float32)

_, h, c = session.run(None, {"x": np.zeros((0, batch, features), np.float32),
                             "lengths": np.zeros(batch, np.int32), "h0": h0, "c0": c0})
print(f"1. 0 timesteps: Y_h {h[0].round(4).tolist()}, initial_h {h0[0].round(4).tolist()}")
lost_on_no_steps = not np.array_equal(h, h0)

x = rng.uniform(-1, 1, (4, batch, features)).astype(np.float32)
y, h, c = session.run(None, {"x": x, "lengths": np.array([4, 0], np.int32), "h0": h0, "c0": c0})
print(f"2. row 1 of length 0: Y_h {h[0, 1].round(4).tolist()}, its initial_h "
      f"{h0[0, 1].round(4).tolist()}")
lost_on_length_zero = not np.array_equal(h[0, 1], h0[0, 1])

y, h, c = session.run(None, {"x": x, "lengths": np.array([4, 2], np.int32), "h0": h0, "c0": c0})
print(f"3. row 1 of length 2: Y at its padded steps {y[2:, 0, 1].round(4).tolist()}, the h it "
      f"keeps {h[0, 1].round(4).tolist()}")
zero_padding = not np.abs(y[2:, 0, 1]).max() > 0
sys.exit(1 if lost_on_no_steps or lost_on_length_zero or zero_padding else 0)
