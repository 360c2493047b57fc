"""Flax (nnx): ``nnx.RNN`` over an ``nnx.LSTMCell`` checks no shapes; JAX's broadcasting decides.

1. A batch of ONE row, given the carry of a batch of 4 rows (a stateful model's carried state),
   is broadcast over the 4 rows: the output is (4, T, units) and every row's carry moves. A model
   used statefully with batch_size=4 thus silently accepts a 1-row batch.
2. A 2-D input is read as ONE unbatched sequence (timesteps, features), and that sequence is
   broadcast over the carry's 4 rows, as in 1: a (5, 2) input (5 timesteps of 2 features, or a
   mistake) returns (5, 4, units), time first, and moves every row's carry.

Flax 0.12.8, JAX 0.10.2. No upstream report found (google/flax issues searched for RNN carry
shape and broadcast). Run:

    python repros/flax_rnn_broadcasts_the_carry.py

needs only flax and jax; prints what happened and exits 1 while the behaviour is present.
"""
import sys

import jax.numpy as jnp
from flax import nnx

rnn = nnx.RNN(nnx.LSTMCell(2, 3, rngs=nnx.Rngs(0)), return_carry=True)
carry = (jnp.ones((4, 3)), jnp.ones((4, 3)))            # (c, h) of 4 carried rows
(c, h), out = rnn(jnp.ones((1, 5, 2)), initial_carry=carry)
one_row = out.shape == (4, 5, 3) and c.shape == (4, 3)
print(f"1-row batch (1, 5, 2) with a 4-row carry: output {out.shape}, carry {c.shape}")

(c2, _), out2d = rnn(jnp.ones((5, 2)), initial_carry=carry)
two_d = out2d.shape == (5, 4, 3) and c2.shape == (4, 3)
print(f"2-D input (5, 2) with a 4-row carry: output {out2d.shape}, carry {c2.shape}")
sys.exit(1 if one_row or two_d else 0)
