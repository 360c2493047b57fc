"""ONNX Runtime: the GRU operator aborts the whole process when its input has 0 timesteps.

A stateful model exported to ONNX is run once per batch of timesteps, its state fed back as
``initial_h``; a batch of 0 timesteps (a stream with nothing new yet) should return the state it
was given, as the spec asks of every model, or be refused with an error. ONNX Runtime's CPU
``GRU`` operator (with ``linear_before_reset`` 1, Keras' and PyTorch's GRU, and with 0, ONNX's
default) instead terminates the process: ``terminate called without an active exception``,
SIGABRT, no Python exception to catch. The ``LSTM`` and ``RNN`` operators return a zero state for
the same input (``repros/onnxruntime_lstm_length_zero_returns_a_zero_state.py``); a GRU row of
``sequence_lens`` 0 in a longer input gets a zero state too, without a crash.

No upstream report found (searched microsoft/onnxruntime for GRU with sequence length 0, empty
input, abort; microsoft/onnxruntime#749 added the zero-length handling of the LSTM and GRU
kernels in 2019). ONNX Runtime 1.32, onnx 1.23. Run:

    python repros/onnxruntime_gru_zero_timesteps_aborts.py

needs only numpy, onnx and onnxruntime; runs each operator in a child process, prints how it
ended and exits 1 while the GRU aborts.
"""
import subprocess
import sys

CHILD = '''
import sys
import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

op, blocks, linear_before_reset = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
batch, features, units = 2, 1, 3
rng = np.random.default_rng(0)
weights = [numpy_helper.from_array(rng.uniform(-1, 1, shape).astype(np.float32), name)
           for name, shape in (("W", (1, blocks * units, features)),
                               ("R", (1, blocks * units, units)), ("B", (1, 2 * blocks * units)))]
extra = {"linear_before_reset": linear_before_reset} if op == "GRU" else {}
node = helper.make_node(op, ["x", "W", "R", "B", "", "h0"], ["y", "h"], hidden_size=units,
                        **extra)
graph = helper.make_graph(
    [node], "rnn",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["time", batch, features]),
     helper.make_tensor_value_info("h0", TensorProto.FLOAT, [1, batch, units])],
    [helper.make_tensor_value_info("h", TensorProto.FLOAT, [1, batch, units])], weights)
session = ort.InferenceSession(
    helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString(),
    providers=["CPUExecutionProvider"])
h0 = rng.uniform(-1, 1, (1, batch, units)).astype(np.float32)
(h,) = session.run(None, {"x": np.zeros((0, batch, features), np.float32), "h0": h0})
print(f"returned Y_h {h[0].round(3).tolist()} for initial_h {h0[0].round(3).tolist()}")
'''

aborted = False
for op, blocks, linear_before_reset in (("RNN", 1, 0), ("GRU", 3, 1), ("GRU", 3, 0)):
    run = subprocess.run([sys.executable, "-c", CHILD, op, str(blocks), str(linear_before_reset)],
                         capture_output=True, text=True, timeout=120)
    what = f"{op}" + (f" (linear_before_reset={linear_before_reset})" if op == "GRU" else "")
    if run.returncode == 0:
        print(f"{what}, 0 timesteps: {run.stdout.strip()}")
    else:
        print(f"{what}, 0 timesteps: the process ended with status {run.returncode} "
              f"({run.stderr.strip().splitlines()[-1] if run.stderr.strip() else 'no message'})")
        aborted |= op == "GRU" and run.returncode < 0
print("the GRU operator aborts the process on 0 timesteps" if aborted else
      "the GRU operator no longer aborts on 0 timesteps")
sys.exit(1 if aborted else 0)
