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

and back (``gru_backward``), with dh the loss gradient at h' and d(a) = a (1 - a) for a gate:

    dz_pre = dh * (h - g) * d(z)       dg_pre = dh * (1 - z) * (1 - g^2)
    dr_pre = dg_pre * hz_h * d(r)      d(input's part) = [dz_pre, dr_pre, dg_pre]
    d(recurrent part) = [dz_pre, dr_pre, dg_pre * r]
    dh += dh * z + d(recurrent part) @ recurrent_kernel.T        (to the previous step)

(``reset_after=False``, Keras 2's old default, resets before it: ``g = tanh(xz_h + (r * h) @
recurrent_kernel_h)``, with one bias row: another cell.) A masked step keeps the row's h and
outputs it, as the LSTM's does. The state is ``[h]``; the layer around the cell is every
cell's (``recurrent.RecurrentLayer``).
"""
import numpy as np

from .cells import CELLS
from .lstm import dsigmoid, dtanh, sigmoid
from .recurrent import RecurrentLayer, keep_masked, keras_initial_weights, rows, step_gradient, step_mask


def gru_forward(x, h, kernel, recurrent_kernel, bias, cache=None, mask=None):
    """Run the GRU over ``x`` (batch, T, input_dim) from ``h`` (batch, u); ``mask`` (batch, T)
    bool, True at the real steps (None: all are real). Returns every timestep's h (batch, T, u)
    and the final h. If ``cache`` is a list, each timestep appends what ``gru_backward`` needs:
    ``(h_prev, z, r, g, hz_h, m)``."""
    u = recurrent_kernel.shape[0]
    xz = x @ kernel + bias[0]                   # the input's part, for all timesteps at once
    hs = np.empty((x.shape[0], x.shape[1], u), xz.dtype)
    for t in range(x.shape[1]):
        hz = h @ recurrent_kernel + bias[1]
        z = sigmoid(xz[:, t, :u] + hz[:, :u])
        r = sigmoid(xz[:, t, u:2 * u] + hz[:, u:2 * u])
        g = np.tanh(xz[:, t, 2 * u:] + r * hz[:, 2 * u:])
        m = step_mask(mask, t)
        if cache is not None:
            cache.append((h, z, r, g, hz[:, 2 * u:], m))
        h = keep_masked(m, z * h + (1 - z) * g, h)
        hs[:, t] = h
    return hs, h


def gru_backward(x, dh_out, cache, recurrent_kernel, kernel=None, dsigmoid=dsigmoid,
                 dtanh=dtanh, difference=np.subtract):
    """Backpropagation through the timesteps of one call (truncated BPTT), ``dh_out`` and the
    returns as ``lstm_backward``'s: the gradients ``[dkernel, drecurrent_kernel, dbias]`` (dbias
    (2, 3u): the input's row, the recurrent row), and with ``kernel`` the gradient at ``x``.
    (The spec's error analysis runs it on absolute values: unsigned ``dsigmoid`` and ``dtanh``,
    and ``difference`` adding.)"""
    u = recurrent_kernel.shape[0]
    dxz = np.empty((x.shape[0], x.shape[1], 3 * u), dh_out.dtype)    # dloss/d(input's part)
    dhz = np.empty_like(dxz)                                         # dloss/d(recurrent part)
    h_prevs = np.empty((x.shape[0], x.shape[1], u), dh_out.dtype)
    dh_later = 0                                # what reaches h from the later timesteps
    for t in reversed(range(x.shape[1])):
        h_prev, z, r, g, hz_h, m = cache[t]
        dh = step_gradient(dh_out, dh_later, t, x.shape[1])
        dg = dh * difference(1, z) * dtanh(g)                 # candidate, before its tanh
        dxz[:, t, :u] = dhz[:, t, :u] = dh * difference(h_prev, g) * dsigmoid(z)  # update gate
        dxz[:, t, u:2 * u] = dhz[:, t, u:2 * u] = dg * hz_h * dsigmoid(r)  # reset gate
        dxz[:, t, 2 * u:], dhz[:, t, 2 * u:] = dg, dg * r
        h_prevs[:, t] = h_prev
        if m is not None:          # a masked row: its gates get nothing, h passes through
            dxz[:, t] *= m
            dhz[:, t] *= m
        if t:                                                # to the previous timestep
            dh_later = keep_masked(m, dh * z + dhz[:, t] @ recurrent_kernel.T, dh)
    gradients = [rows(x).T @ rows(dxz), rows(h_prevs).T @ rows(dhz),
                 np.stack([dxz.sum(axis=(0, 1)), dhz.sum(axis=(0, 1))])]
    return gradients if kernel is None else (gradients, dxz @ kernel.T)


def initial_weights(input_dim, units, seed):
    """Keras' default initialisation, drawn from ``seed``: Glorot-uniform kernel, orthogonal
    recurrent kernel, zero biases."""
    return keras_initial_weights(input_dim, units, "gru", seed)


class GRU(RecurrentLayer):
    """A GRU layer (Keras' ``reset_after=True``) returning every timestep's h; with
    ``stateful=True`` it carries each row's final h into that row of the next call."""

    cell = "gru"
    STATES = CELLS[cell].states
    forward, backward = staticmethod(gru_forward), staticmethod(gru_backward)
    initial_weights = staticmethod(initial_weights)
