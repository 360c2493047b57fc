"""PyTorch: the dynamo ONNX exporter (``torch.onnx.export``'s default) fixes the time axis of an
``nn.LSTM`` followed by an ``nn.Linear`` to the example's length, though it declares it dynamic.

A stateful model is exported for generation as a step model: tokens and ``(h, c)`` in, the
next token's probabilities and the new ``(h, c)`` out, fed one token at a time. Exported from
an example of 2 tokens with ``dynamic_shapes={1: Dim("time")}``, the ONNX model declares its
input ``[1, "time"]``, but the Linear's reshape after the LSTM keeps the example's 2 x batch
rows as a constant: ONNX Runtime runs it for 2 tokens and fails for 1 or 3 ("The input tensor
cannot be reshaped to the requested shape. Input shape:{1,1,4}, requested shape:{2,4}"). The
LSTM alone, or the Linear alone, exports with a working time axis, and so does the TorchScript
exporter (``dynamo=False``). Related: pytorch/pytorch#191855 (closed: the dynamo exporter freezes
the time axis of a bidirectional LSTM pattern). PyTorch 2.13, onnxscript 0.7, ONNX Runtime 1.32.
Run:

    python repros/torch_dynamo_export_fixes_the_time_axis_after_an_lstm.py

needs torch, onnxscript and onnxruntime; prints what happened and exits 1 while the behaviour is
present.
"""
import io
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402

ort.set_default_logger_severity(4)


class Step(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding, self.lstm = torch.nn.Embedding(7, 3), torch.nn.LSTM(3, 4, batch_first=True)
        self.dense = torch.nn.Linear(4, 7)

    def forward(self, tokens, h, c):
        y, (h, c) = self.lstm(self.embedding(tokens), (h, c))
        return torch.softmax(self.dense(y), dim=-1), h, c


state = torch.zeros(1, 1, 4)
failed = []
for dynamo in (True, False):
    buffer = io.BytesIO()
    time_axis = {"dynamic_shapes": ({1: torch.export.Dim("time", min=1)}, None, None)} if \
        dynamo else {"dynamic_axes": {"tokens": {1: "time"}}}
    torch.onnx.export(Step(), (torch.zeros(1, 2, dtype=torch.int64), state, state), buffer,
                      input_names=["tokens", "h", "c"], dynamo=dynamo, **time_axis)
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    shape = session.get_inputs()[0].shape
    for steps in (1, 2, 3):
        try:
            session.run(None, {"tokens": np.zeros((1, steps), np.int64), "h": state.numpy(),
                               "c": state.numpy()})
            print(f"dynamo={dynamo}, input {shape}, {steps} tokens: runs")
        except Exception as error:  # noqa: BLE001 (ONNX Runtime's errors share no base class)
            failed.append(dynamo)
            print(f"dynamo={dynamo}, input {shape}, {steps} tokens: {type(error).__name__}: "
                  f"{str(error).split('Status Message: ')[-1].splitlines()[0][-120:]}")
sys.exit(1 if True in failed else 0)
