"""PyTorch: torch.nn.LSTM(batch_first=True) reads a 2-D input as ONE unbatched sequence
(timesteps, features), as its documentation says ("input: tensor of shape (L, H_in) for unbatched
input"). A batch of B rows of one timestep each, passed without its time axis as (B, features),
is therefore run as one sequence of B timesteps: no error, and an output of shape (B, units) whose
row i depends on rows 0..i. With an explicit 3-D (h0, c0), as a stateful adapter passes, the same
input raises. PyTorch 2.13. Documented behaviour, so no upstream report. Run:

    python repros/torch_lstm_reads_2d_as_one_sequence.py

needs only torch; prints what happened and exits 1 while the behaviour is present.
"""
import sys

import torch

torch.manual_seed(0)
lstm = torch.nn.LSTM(2, 3, batch_first=True)
rows = torch.ones(4, 2)                                    # meant: 4 rows, 1 timestep each
with torch.no_grad():
    out, _ = lstm(rows)
    meant, _ = lstm(rows[:, None, :])                       # (4, 1, 2): what was meant
differs = not torch.allclose(out, meant[:, 0])
print(f"(4, 2) input accepted: output {tuple(out.shape)}; rows equal to 4 separate one-step rows: "
      f"{not differs}")
sys.exit(1 if differs else 0)
