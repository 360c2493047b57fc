"""Flax: ``nnx.RNN(..., seq_lengths=...)`` gives a row of length 0 the carry after all the padding,
and its padded steps' outputs are the cell run over the padding.

The way Flax's users feed sequences of different lengths is ``nnx.RNN(cell, return_carry=True)``
called with ``seq_lengths`` (each row's real steps first); the returned carry is each row's carry
at its last real step.

1. A row of length 0 (a stream that has ended, or waits) should keep its initial carry; it gets the
   carry after running the cell over every padded step: ``_select_last_carry`` indexes the carries
   at ``seq_lengths - 1``, which is -1, the last one (flax/nnx/nn/recurrent.py).
2. The outputs at the padded steps are not the h the row keeps but the cell run on the padding
   (documented: "elements corresponding to padding elements are NOT zeroed out").

Flax 0.12.8, JAX 0.10.2; no upstream report found for the length-0 carry. Run:

    python repros/flax_rnn_seq_lengths_zero_runs_the_padding.py

needs only flax and jax; prints what happened and exits 1 while the behaviour is present.
"""
import sys

import jax.numpy as jnp
import numpy as np
from flax import nnx

rnn = nnx.RNN(nnx.LSTMCell(2, 3, rngs=nnx.Rngs(0)), return_carry=True)
x = jnp.asarray(np.random.default_rng(0).uniform(-1, 1, (2, 4, 2)), jnp.float32)
c0 = h0 = jnp.full((2, 3), 0.5, jnp.float32)
(c, h), out = rnn(x, initial_carry=(c0, h0), seq_lengths=jnp.array([2, 0]))
moved = not np.array_equal(np.asarray(h[1]), np.asarray(h0[1]))
print(f"row 1, length 0: h {np.round(np.asarray(h[1]), 4)}, initial h {np.asarray(h0[1])}; "
      f"kept: {not moved}")
print(f"row 0, length 2: outputs at its padded steps {np.round(np.asarray(out[0, 2:]), 4)}, the h "
      f"it keeps {np.round(np.asarray(h[0]), 4)}")
padding_runs = not np.allclose(np.asarray(out[0, 2:]), np.asarray(h[0]))
sys.exit(1 if moved or padding_runs else 0)
