"""The frameworks' own export paths, as their users use them, and the runtimes' findings that are no
column's deviation: each finding's repro still shows it (so the README's findings cannot go
stale), and PyTorch's default exporter (dynamo) gives an LSTM
step model that continues a row as clause 20 asks (its sequence model is a finding). Slow: each
builds and converts models with a framework; ``.ci/run`` runs them once the frameworks are
installed."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow
REPROS = Path(__file__).parents[1] / "repros"
# repro -> the modules it needs: each exits 1 while its framework behaves as described.
EXPORT_FINDINGS = {
    "onnxruntime_lstm_length_zero_returns_a_zero_state.py": ("onnx", "onnxruntime"),
    "onnxruntime_gru_zero_timesteps_aborts.py": ("onnx", "onnxruntime"),
    "keras_export_of_a_stateful_model_fails.py": ("keras", "tensorflow", "tf2onnx",
                                                  "onnxruntime"),
    "tf2onnx_bakes_in_the_carried_state.py": ("tf_keras", "tensorflow", "tf2onnx",
                                              "onnxruntime"),
    "tflite_fused_lstm_carries_state_between_invokes.py": ("tf_keras", "tensorflow"),
    "torch_dynamo_export_fixes_the_time_axis_after_an_lstm.py": ("torch", "onnxscript",
                                                                  "onnxruntime"),
}
# The runtimes' findings that are no column's known deviation (the README names them).
RUNTIME_FINDINGS = {
    "openvino_single_thread_skips_the_input_shape_check.py": ("openvino",),
    "litert_reset_all_variables_keeps_resource_variables.py": ("tensorflow", "ai_edge_litert"),
    "litert_fully_connected_reads_any_input_depth.py": ("tensorflow", "ai_edge_litert"),
}
FINDINGS = {**EXPORT_FINDINGS, **RUNTIME_FINDINGS}


@pytest.mark.parametrize("repro", sorted(FINDINGS))
def test_each_finding_still_shows(repro):
    missing = [m for m in FINDINGS[repro] if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")
    run = subprocess.run([sys.executable, str(REPROS / repro)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 1, (f"{repro} exited {run.returncode}: the behaviour it shows is "
                                 f"gone or it broke\n{run.stdout}\n{run.stderr[-2000:]}")


def test_pytorch_dynamo_export_of_the_lstm_continues_a_row():
    for module in ("torch", "onnxscript", "onnxruntime"):
        pytest.importorskip(module)
    from stateful_lstm.adapters import pytorch
    from stateful_lstm.step_session import StepSession
    rng = np.random.default_rng(0)
    model = pytorch.make_lstm(units=4, input_dim=3, stateful=True, batch_size=3)
    model.set_weights([rng.uniform(-1, 1, w.shape).astype(np.float32)
                       for w in model.get_weights()])
    model.predict_on_batch(rng.uniform(-2, 2, (3, 5, 3)).astype(np.float32))
    h, c = (s[1:2] for s in model.get_states())
    session = StepSession(pytorch.to_onnx(model, batch_size=1, dynamo=True))
    x = rng.uniform(-2, 2, (3, 4, 3)).astype(np.float32)
    expected = model.predict_on_batch(x)[1]
    got = []
    for t in range(4):                   # one step at a time: the example had 2
        y, h, c = session.run(x[1:2, t:t + 1], h, c)
        got.append(y[0])
    np.testing.assert_allclose(np.concatenate(got), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(h, model.get_states()[0][1:2], rtol=1e-5, atol=1e-5)
