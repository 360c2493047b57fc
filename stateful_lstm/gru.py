"""The NumPy reference GRU: every equation of the layer on one screen.

Layout and equations are Keras' ``keras.layers.GRU`` with its default ``reset_after=True`` (the
layout PyTorch's ``nn.GRU`` and cuDNN compute), so weights move between the two unchanged:

    kernel (input_dim, 3u), recurrent_kernel (u, 3u), bias (2, 3u): row 0 the input's bias,
    row 1 the recurrent bias; gate blocks in the order z, r, h

    xz = x_t @ kernel + bias[0]                the input's part, blocks z, r, h
    hz = h @ recurrent_kernel + bias[1]        the recurrent part, blocks z, r, h
    z  = sigmoid(xz_z + hz_z)                  update gate
    r  = sigmoid(xz_r + hz_r)                  reset gate
    g  = tanh(xz_h + r * hz_h)                 candidate: reset *after* the recurrent product
    h' = z * h + (1 - z) * g

(``reset_after=False``, Keras 2's old default, resets before it: ``g = tanh(xz_h + (r * h) @
recurrent_kernel_h)``, with one bias row: another cell.) A masked step keeps the row's h and
outputs it, as the LSTM's does. The state is ``[h]``; the layer around the cell is every
cell's (``recurrent.RecurrentLayer``).
"""
import numpy as np

from .cells import CELLS
from .lstm import sigmoid
from .recurrent import RecurrentLayer, keep_masked, keras_initial_weights, step_mask


def gru_forward(x, h, kernel, recurrent_kernel, bias, mask=None):
    """Run the GRU over ``x`` (batch, T, input_dim) from ``h`` (batch, u); ``mask`` (batch, T)
    bool, True at the real steps (None: all are real). Returns every timestep's h (batch, T, u)
    and the final h."""
    u = recurrent_kernel.shape[0]
    xz = x @ kernel + bias[0]                   # the input's part, for all timesteps at once
    hs = np.empty((x.shape[0], x.shape[1], u), xz.dtype)
    for t in range(x.shape[1]):
        hz = h @ recurrent_kernel + bias[1]
        z = sigmoid(xz[:, t, :u] + hz[:, :u])
        r = sigmoid(xz[:, t, u:2 * u] + hz[:, u:2 * u])
        g = np.tanh(xz[:, t, 2 * u:] + r * hz[:, 2 * u:])
        h = keep_masked(step_mask(mask, t), z * h + (1 - z) * g, h)
        hs[:, t] = h
    return hs, h


def initial_weights(input_dim, units, seed):
    """Keras' default initialisation, drawn from ``seed``: Glorot-uniform kernel, orthogonal
    recurrent kernel, zero biases."""
    return keras_initial_weights(input_dim, units, "gru", seed)


class GRU(RecurrentLayer):
    """A GRU layer (Keras' ``reset_after=True``) returning every timestep's h; with
    ``stateful=True`` it carries each row's final h into that row of the next call."""

    cell = "gru"
    STATES = CELLS[cell].states
    forward, initial_weights = staticmethod(gru_forward), staticmethod(initial_weights)
