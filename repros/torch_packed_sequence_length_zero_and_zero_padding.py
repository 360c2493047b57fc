"""PyTorch: a packed sequence refuses a row of length 0, and its padded steps output zeros.

The way PyTorch's users feed sequences of different lengths to ``nn.LSTM`` is
``pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)``, then
``pad_packed_sequence`` on the outputs; the final ``(h_n, c_n)`` is each row's state at its last
real step.

1. A batch in which one row has no real step (a stream that has ended, or waits: length 0) is
   refused with a RuntimeError, so that row cannot carry its state through the batch.
2. The outputs at the padded steps are zeros (``pad_packed_sequence``'s ``padding_value``), not the
   h the row keeps (``h_n``), so they depend on the padding rather than on the row's state.

Both are documented behaviour (``pack_padded_sequence``: lengths must be positive); the first is
an open feature request, pytorch/pytorch#11514 ("Allow sequences lengths to be 0 in
PackSequence"). PyTorch 2.13. Run:

    python repros/torch_packed_sequence_length_zero_and_zero_padding.py

needs only torch; prints what happened and exits 1 while the behaviour is present.
"""
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.manual_seed(0)
lstm = torch.nn.LSTM(2, 3, batch_first=True)
x = torch.rand(2, 4, 2)
h0, c0 = torch.rand(1, 2, 3), torch.rand(1, 2, 3)

with torch.no_grad():
    packed = pack_padded_sequence(x, torch.tensor([4, 2]), batch_first=True, enforce_sorted=False)
    out, (h, c) = lstm(packed, (h0, c0))
    out = pad_packed_sequence(out, batch_first=True, total_length=4)[0]
    print(f"row 1 (length 2): outputs at its padded steps {out[1, 2:].tolist()}; the h it keeps "
          f"{[round(v, 4) for v in h[0, 1].tolist()]}")
    zero_padding = not out[1, 2:].abs().max() > 0 and h[0, 1].abs().max() > 0
    try:
        pack_padded_sequence(x, torch.tensor([4, 0]), batch_first=True, enforce_sorted=False)
        refused = False
    except RuntimeError as error:
        refused = True
        print(f"a row of length 0: {type(error).__name__}: {error}")
sys.exit(1 if zero_padding or refused else 0)
