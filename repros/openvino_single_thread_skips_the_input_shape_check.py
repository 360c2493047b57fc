"""OpenVINO: compiled with INFERENCE_NUM_THREADS=1, the CPU plugin accepts an input whose shape does
not fit the model and returns the previous call's outputs.

A model declares x as [1, ?, 1]. With the plugin's default threads, an input of shape (1, 1, 2)
is refused ("ParameterMismatch: Can not clone with new dims"). With one inference thread (the
setting a server that runs one request per core, or a test suite that shares its cores, uses)
the same call returns without an error, and infer() gives the outputs of the call before, with
their shape. In the spec's run of an OpenVINO LSTM with this setting, such calls were accepted
by every cell's model (another feature count, a 2-D or 4-D input), and a later call crashed the
process (SIGSEGV): the stateful_lstm adapter therefore uses the plugin's defaults. No upstream
report found. Seen with openvino 2026.4.1. Run:

    python repros/openvino_single_thread_skips_the_input_shape_check.py

needs only numpy and openvino; prints what happened and exits 1 while the behaviour is present.
"""
import sys

import numpy as np
import openvino as ov
from openvino import opset15 as ops

x = ops.parameter(ov.PartialShape([1, -1, 1]), np.float32, "x")
model = ov.Model([ops.result(ops.multiply(x, np.float32(2)))], [x])
accepted = []
for config in ({}, {"INFERENCE_NUM_THREADS": 1}):
    request = ov.Core().compile_model(model, "CPU", config).create_infer_request()
    first = request.infer([np.ones((1, 3, 1), np.float32)])[0].copy()
    try:
        again = request.infer([np.full((1, 1, 2), 5.0, np.float32)])[0]
    except RuntimeError as error:
        print(f"{config or 'default threads'}: x (1, 1, 2) refused: "
              f"{str(error).strip().splitlines()[-1][:90]}")
    else:
        accepted.append(config)
        print(f"{config}: x (1, 1, 2) accepted; y {again.shape}, the previous call's outputs: "
              f"{np.array_equal(again, first)}")
sys.exit(1 if accepted else 0)
