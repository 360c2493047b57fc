"""OpenVINO: on a CPU with native bfloat16 (AVX512_BF16, AMX), the CPU plugin runs an f32 model in
bf16 unless told otherwise, so an LSTM's output differs from float32's by about 1e-2 relative
from the first step.

Documented, not a bug: "On platforms that natively support half-precision calculations
(bfloat16 or float16), the reduced-precision type is used instead of f32 to achieve better
performance" (the CPU device's "inference precision hint"; openvinotoolkit/openvino.genai#164,
intel/ipex-llm#6473). But a model exported in f32 and compiled with the defaults computes
differently on such a CPU than on one without bf16: a stateful copy's state drifts from the
model it continues. ``{"INFERENCE_PRECISION_HINT": "f32"}`` (or ``EXECUTION_MODE_HINT:
ACCURACY``) restores float32; the kit compiles every OpenVINO model with it
(``stateful_lstm.openvino_session.CPU_CONFIG``). Seen with openvino 2026.4.1 on an AMD EPYC
with avx512_bf16. Run:

    python repros/openvino_cpu_computes_in_bf16_by_default.py

needs only numpy and openvino; prints what happened and exits 1 while the defaults compute in
a precision other than f32 on this CPU.
"""
import sys

import numpy as np
import openvino as ov
from openvino import opset15 as ops


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


batch, steps, features, units = 1, 4, 3, 4
rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, (batch, steps, features)).astype(np.float32)
W = rng.uniform(-1, 1, (1, 4 * units, features)).astype(np.float32)   # gates f, i, c, o
R = rng.uniform(-1, 1, (1, 4 * units, units)).astype(np.float32)
zeros = np.zeros((batch, 1, units), np.float32)
inputs = ops.parameter([batch, steps, features], np.float32, "x")
lstm = ops.lstm_sequence(inputs, zeros, zeros, np.full([batch], steps, np.int32), W, R,
                         np.zeros((1, 4 * units), np.float32), units, "forward")
model = ov.Model([ops.result(lstm.output(0))], [inputs])

h, c, expected = np.zeros((batch, units)), np.zeros((batch, units)), []
for t in range(steps):                                     # float64 NumPy
    f, i, g, o = np.split(x[:, t] @ W[0].T.astype(np.float64) + h @ R[0].T, 4, axis=1)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * np.tanh(c)
    expected.append(h)
expected = np.stack(expected, axis=1)

core = ov.Core()
default = core.get_property("CPU", "INFERENCE_PRECISION_HINT")
print(f"CPU plugin's default inference precision here: {default}")
for name, config in [("defaults", {}), ("INFERENCE_PRECISION_HINT f32",
                                        {"INFERENCE_PRECISION_HINT": "f32"})]:
    y = core.compile_model(model, "CPU", config).create_infer_request().infer([x])[0][:, 0]
    print(f"{name}: largest difference from float64: {np.abs(y - expected).max():.1e}")
sys.exit(0 if default == ov.Type.f32 else 1)
