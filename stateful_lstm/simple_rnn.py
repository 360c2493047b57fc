"""The NumPy reference SimpleRNN: every equation of the layer on one screen.

Layout and equations are Keras' ``keras.layers.SimpleRNN`` (tanh), so weights move between the
two unchanged:

    kernel (input_dim, u), recurrent_kernel (u, u), bias (u,)

    h' = tanh(x_t @ kernel + h @ recurrent_kernel + bias)

and back (``simple_rnn_backward``), with dh the loss gradient at h':

    da = dh * (1 - h'^2)      dkernel += x_t.T @ da,  drecurrent_kernel += h.T @ da,  dbias += da
    dh += da @ recurrent_kernel.T                                  (to the previous step)

(PyTorch's ``nn.RNN`` and ONNX's ``RNN`` have a second bias that enters only as a sum with this
one.) A masked step keeps the row's h and outputs it, as the LSTM's does. The state is ``[h]``;
the layer around the cell is every cell's (``recurrent.RecurrentLayer``).
"""
import numpy as np

from .cells import CELLS
from .lstm import dtanh
from .recurrent import RecurrentLayer, keep_masked, keras_initial_weights, rows, step_gradient, step_mask


def simple_rnn_forward(x, h, kernel, recurrent_kernel, bias, cache=None, mask=None):
    """Run the SimpleRNN over ``x`` (batch, T, input_dim) from ``h`` (batch, u); ``mask`` as the
    LSTM's. Returns every timestep's h (batch, T, u) and the final h. If ``cache`` is a list,
    each timestep appends what ``simple_rnn_backward`` needs: ``(h_prev, h_new, m)``."""
    xz = x @ kernel + bias                      # the input's part, for all timesteps at once
    hs = np.empty(xz.shape, xz.dtype)
    for t in range(x.shape[1]):
        new, m = np.tanh(xz[:, t] + h @ recurrent_kernel), step_mask(mask, t)
        if cache is not None:
            cache.append((h, new, m))
        h = keep_masked(m, new, h)
        hs[:, t] = h
    return hs, h


def simple_rnn_backward(x, dh_out, cache, recurrent_kernel, kernel=None, dtanh=dtanh):
    """Backpropagation through the timesteps of one call (truncated BPTT), ``dh_out`` and the
    returns as ``lstm_backward``'s (``dtanh`` unsigned in the spec's error analysis)."""
    das = np.empty((x.shape[0], x.shape[1], recurrent_kernel.shape[0]), dh_out.dtype)
    h_prevs = np.empty_like(das)
    dh_later = 0                                # what reaches h from the later timesteps
    for t in reversed(range(x.shape[1])):
        h_prev, new, m = cache[t]
        dh = step_gradient(dh_out, dh_later, t, x.shape[1])
        das[:, t] = dh * dtanh(new) if m is None else dh * dtanh(new) * m
        h_prevs[:, t] = h_prev
        if t:
            dh_later = keep_masked(m, das[:, t] @ recurrent_kernel.T, dh)
    gradients = [rows(x).T @ rows(das), rows(h_prevs).T @ rows(das), das.sum(axis=(0, 1))]
    return gradients if kernel is None else (gradients, das @ kernel.T)


def initial_weights(input_dim, units, seed):
    """Keras' default initialisation, drawn from ``seed``: Glorot-uniform kernel, orthogonal
    recurrent kernel, zero bias."""
    return keras_initial_weights(input_dim, units, "simple_rnn", seed)


class SimpleRNN(RecurrentLayer):
    """A SimpleRNN layer (tanh) returning every timestep's h; with ``stateful=True`` it carries
    each row's final h into that row of the next call."""

    cell = "simple_rnn"
    STATES = CELLS[cell].states
    forward, backward = staticmethod(simple_rnn_forward), staticmethod(simple_rnn_backward)
    initial_weights = staticmethod(initial_weights)
