"""The NumPy reference SimpleRNN: every equation of the layer on one screen.

Layout and equations are Keras' ``keras.layers.SimpleRNN`` (tanh), so weights move between the
two unchanged:

    kernel (input_dim, u), recurrent_kernel (u, u), bias (u,)

    h' = tanh(x_t @ kernel + h @ recurrent_kernel + bias)

(PyTorch's ``nn.RNN`` and ONNX's ``RNN`` have a second bias that enters only as a sum with this
one.) A masked step keeps the row's h and outputs it, as the LSTM's does. The state is ``[h]``;
the layer around the cell is every cell's (``recurrent.RecurrentLayer``).
"""
import numpy as np

from .cells import CELLS
from .recurrent import RecurrentLayer, keep_masked, keras_initial_weights, step_mask


def simple_rnn_forward(x, h, kernel, recurrent_kernel, bias, mask=None):
    """Run the SimpleRNN over ``x`` (batch, T, input_dim) from ``h`` (batch, u); ``mask`` as the
    LSTM's. Returns every timestep's h (batch, T, u) and the final h."""
    xz = x @ kernel + bias                      # the input's part, for all timesteps at once
    hs = np.empty(xz.shape, xz.dtype)
    for t in range(x.shape[1]):
        h = keep_masked(step_mask(mask, t), np.tanh(xz[:, t] + h @ recurrent_kernel), h)
        hs[:, t] = h
    return hs, h


def initial_weights(input_dim, units, seed):
    """Keras' default initialisation, drawn from ``seed``: Glorot-uniform kernel, orthogonal
    recurrent kernel, zero bias."""
    return keras_initial_weights(input_dim, units, "simple_rnn", seed)


class SimpleRNN(RecurrentLayer):
    """A SimpleRNN layer (tanh) returning every timestep's h; with ``stateful=True`` it carries
    each row's final h into that row of the next call."""

    cell = "simple_rnn"
    STATES = CELLS[cell].states
    forward, initial_weights = staticmethod(simple_rnn_forward), staticmethod(initial_weights)
