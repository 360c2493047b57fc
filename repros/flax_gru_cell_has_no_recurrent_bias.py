"""Flax: ``nnx.GRUCell`` has no recurrent bias, though its docstring writes one.

The GRU that Keras (``reset_after=True``, its default), PyTorch (``nn.GRU``) and ONNX
(``linear_before_reset=1``) compute has two biases per gate block, one on the input's side and
one on the recurrent side, and the recurrent one of the candidate sits inside the reset gate's
product: ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``. ``flax.nnx.GRUCell``'s docstring
writes exactly that formula, but the cell builds its recurrent ``dense_h`` with
``use_bias=False``: there is no ``b_hn`` (and one bias for r and z, which is enough, as the two
enter those gates as a sum). So a GRU trained in Keras or PyTorch, whose ``b_hn`` is not zero,
cannot be ported to ``nnx.GRUCell``: whatever is done with ``b_hn``, the cell computes
otherwise. With the default zero biases the two agree, which is why it goes unseen until the
weights are trained. ``flax.linen.GRUCell`` has ``b_hn`` (its ``hn`` layer's bias).

Upstream: google/flax#5594 (open), with the fix proposed in google/flax#5595 (open). Flax 0.12.8,
JAX 0.10.2. Run:

    python repros/flax_gru_cell_has_no_recurrent_bias.py

needs numpy, jax and flax; prints what it found and exits 1 while the bias is missing.
"""
import sys

import numpy as np
from flax import nnx

units, features = 3, 2
cell = nnx.GRUCell(features, units, rngs=nnx.Rngs(0))
_, params = nnx.split(cell, nnx.Param)
names = sorted("/".join(str(k) for k in path) for path, _ in nnx.to_flat_state(params))
print(f"nnx.GRUCell parameters: {names}")
print("its docstring: " + next(line.strip() for line in nnx.GRUCell.__doc__.splitlines()
                                if "n =" in line))

# The GRU of Keras, PyTorch and ONNX, written out with the cell's own weights plus a recurrent
# candidate bias b_hn; Flax' gate order is r, z, n.
rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, (1, features)).astype(np.float32)
h = rng.uniform(-1, 1, (1, units)).astype(np.float32)
W = np.asarray(cell.dense_i.kernel[...])
b = np.asarray(cell.dense_i.bias[...])
U = np.asarray(cell.dense_h.kernel[...])
b_hn = np.full(units, 0.5, np.float32)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


xi, hh = x @ W + b, h @ U
r = sigmoid(xi[:, :units] + hh[:, :units])
z = sigmoid(xi[:, units:2 * units] + hh[:, units:2 * units])
expected = (1 - z) * np.tanh(xi[:, 2 * units:] + r * (hh[:, 2 * units:] + b_hn)) + z * h
got, _ = cell(h, x)
print(f"with b_hn = 0.5: the formula gives {np.float64(expected).round(4).tolist()}; "
      f"nnx.GRUCell, which has nowhere to put b_hn, gives "
      f"{np.float64(got).round(4).tolist()}")
missing = [n for n in names if "bias" in n] == ["dense_i/bias"]   # the input's bias alone
print("nnx.GRUCell has no recurrent bias (b_hn)" if missing else "nnx.GRUCell has b_hn now")
sys.exit(1 if missing else 0)
