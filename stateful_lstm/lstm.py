"""The NumPy reference LSTM: every equation of the layer on one screen.

Layout and equations are Keras' (``keras.layers.LSTM``), so weights move between the two unchanged:

    kernel (input_dim, 4u), recurrent_kernel (u, 4u), bias (4u,), gate blocks in the order i, f, c, o

    z  = x_t @ kernel + h @ recurrent_kernel + bias
    i  = sigmoid(z_i)      input gate
    f  = sigmoid(z_f)      forget gate
    g  = tanh(z_c)         candidate cell
    o  = sigmoid(z_o)      output gate
    c' = f * c + i * g
    h' = o * tanh(c')

A masked step (``mask`` False: padding) changes nothing: the row keeps its ``(h, c)`` and
outputs its h as it stands, ``h' = h``, ``c' = c``; in the backward pass the gradient reaching
that step's h and c passes through to the step before, and its z gets none.

Everything is float32. ``LSTM`` wraps ``lstm_forward`` into a model that satisfies the contract of
``spec/SPEC.md`` (carried state per batch row, ``reset_states``, ``get_states``/``set_states``:
``recurrent.RecurrentLayer``, every cell's).
"""
import numpy as np

from .cells import CELLS
from .recurrent import RecurrentLayer, keep_masked, keras_initial_weights, rows, step_gradient, step_mask


def sigmoid(z):
    """Logistic function, written with tanh so that large |z| cannot overflow."""
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def lstm_forward(x, h, c, kernel, recurrent_kernel, bias, cache=None, mask=None):
    """Run the LSTM over ``x`` (batch, T, input_dim) from the state ``(h, c)``, each (batch, u);
    ``mask`` (batch, T) bool, True at the real steps (None: all are real).

    Returns ``hs`` (batch, T, u), the hidden output of every timestep, and the final ``(h, c)``.
    With T == 0 the state comes back unchanged. If ``cache`` is a list, each timestep appends what
    ``lstm_backward`` needs: ``(h_prev, c_prev, s, g, c, m)``, with ``c`` the step's new cell
    state before the mask and ``m`` the step's mask column (batch, 1), or None if every row is
    real.
    """
    u = recurrent_kernel.shape[0]
    xz = x @ kernel + bias                      # the input part of z, for all timesteps at once
    hs = np.empty((x.shape[0], x.shape[1], u), xz.dtype)
    for t in range(x.shape[1]):
        h_prev, c_prev = h, c
        z = xz[:, t] + h @ recurrent_kernel
        s = sigmoid(z)                          # i, f and o read their blocks of s
        g = np.tanh(z[:, 2 * u:3 * u])
        c = s[:, u:2 * u] * c_prev + s[:, :u] * g
        h = s[:, 3 * u:] * np.tanh(c)
        m = step_mask(mask, t)
        if cache is not None:
            cache.append((h_prev, c_prev, s, g, c, m))
        h, c = keep_masked(m, h, h_prev), keep_masked(m, c, c_prev)    # a masked row keeps its state
        hs[:, t] = h
    return hs, h, c


def dsigmoid(s):
    """sigmoid'(z), written with s = sigmoid(z)."""
    return s * (1 - s)


def dtanh(t):
    """tanh'(z), written with t = tanh(z)."""
    return 1 - t * t


def lstm_backward(x, dh_out, cache, recurrent_kernel, kernel=None, dsigmoid=dsigmoid,
                  dtanh=dtanh):
    """Backpropagation through the timesteps of one call (truncated BPTT: no gradient reaches the
    state the call started from). ``dh_out`` is the loss gradient at the hs of the call: (batch,
    T, u), one per timestep (a sequence model's loss reads them all), or (batch, u), at the last
    timestep's h only (a classifier's).

    Returns the gradients ``[dkernel, drecurrent_kernel, dbias]``; given the ``kernel``, also the
    gradient at the input ``x`` (an embedding's output), as ``(gradients, dx)``. (The spec's
    error analysis of clauses 8 and 13 runs the same pass on absolute values, with unsigned
    ``dsigmoid`` and ``dtanh``.)
    """
    u = recurrent_kernel.shape[0]
    dzs = np.empty((x.shape[0], x.shape[1], 4 * u), dh_out.dtype)     # dloss/dz, every timestep
    h_prevs = np.empty((x.shape[0], x.shape[1], u), dh_out.dtype)
    dh_later, dc = 0, 0                         # what reaches h and c from the later timesteps
    for t in reversed(range(x.shape[1])):
        h_prev, c_prev, s, g, c, m = cache[t]
        i, f, o = s[:, :u], s[:, u:2 * u], s[:, 3 * u:]
        dh = step_gradient(dh_out, dh_later, t, x.shape[1])
        tanh_c = np.tanh(c)
        dc_in = dc                              # what reaches this step's output c
        dc = dc + dh * o * dtanh(tanh_c)        # through h = o * tanh(c)
        dz = dzs[:, t]
        dz[:, :u] = dc * g * dsigmoid(i)                     # input gate
        dz[:, u:2 * u] = dc * c_prev * dsigmoid(f)           # forget gate
        dz[:, 2 * u:3 * u] = dc * i * dtanh(g)               # candidate
        dz[:, 3 * u:] = dh * tanh_c * dsigmoid(o)            # output gate
        h_prevs[:, t] = h_prev
        if t:                                                # to the previous timestep
            dh_later, dc = dz @ recurrent_kernel.T, dc * f
        if m is not None:          # a masked row: its z gets nothing, h and c pass through
            dz *= m
            if t:
                dh_later, dc = np.where(m, dh_later, dh), np.where(m, dc, dc_in)
    gradients = [rows(x).T @ rows(dzs), rows(h_prevs).T @ rows(dzs), dzs.sum(axis=(0, 1))]
    return gradients if kernel is None else (gradients, dzs @ kernel.T)


def initial_weights(input_dim, units, seed):
    """Keras' default initialisation, drawn from ``seed``: Glorot-uniform kernel, orthogonal
    recurrent kernel, zero bias except the forget gate's, which is 1 (``unit_forget_bias``)."""
    kernel, recurrent_kernel, bias = keras_initial_weights(input_dim, units, "lstm", seed)
    bias[units:2 * units] = 1.0
    return [kernel, recurrent_kernel, bias]


class LSTM(RecurrentLayer):
    """An LSTM layer returning every timestep's h; with ``stateful=True`` it carries, for each batch
    row i, the final (h, c) of one ``predict_on_batch`` call into row i of the next call (the
    state handling is every cell's: ``recurrent.RecurrentLayer``)."""

    cell = "lstm"
    STATES = CELLS[cell].states
    forward, backward = staticmethod(lstm_forward), staticmethod(lstm_backward)
    initial_weights = staticmethod(initial_weights)
