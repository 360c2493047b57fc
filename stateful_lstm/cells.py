"""Every cell type, described once: its name in reports, its factory, the arrays of its carried
state, its gate blocks and weights in Keras' layout, and what each framework calls it and how it
orders the blocks. The contract (``spec.contract.CELLS``), the argument checks
(``validation``), the exporter and the adapters read it; ``Cell.columns`` is the one gate-block
permutation they all use.

Keras' layout (the contract's): ``kernel (input_dim, blocks * u)``, ``recurrent_kernel (u,
blocks * u)`` and ``bias`` of the same width, the blocks side by side in Keras' order: the LSTM's
i, f, c, o; the GRU's z, r, h with two bias rows, input and recurrent (``reset_after=True``);
the SimpleRNN's one block.
"""
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Cell:
    """A cell type. ``layers`` names its layer (or operator) in each framework; ``orders`` gives
    a framework's order of the gate blocks, named as Keras names them, where it differs from
    Keras'; ``onnx_attributes`` are its ONNX operator's attributes beyond ``hidden_size``."""
    name: str
    title: str
    states: tuple[str, ...]
    blocks: tuple[str, ...]
    bias_rows: int
    layers: dict[str, str]
    orders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    onnx_attributes: dict[str, int] = field(default_factory=dict)

    @property
    def factory(self) -> str:
        """The contract's factory of the cell: ``make_lstm``, ``make_gru``, ``make_simple_rnn``."""
        return "make_" + self.name

    def weight_shapes(self, input_dim, units):
        """Keras' ``[kernel, recurrent_kernel, bias]`` shapes for (input_dim, units)."""
        width = len(self.blocks) * units
        bias = (width,) if self.bias_rows == 1 else (self.bias_rows, width)
        return [(input_dim, width), (units, width), bias]

    def columns(self, framework, units):
        """Keras' columns in ``framework``'s order of the gate blocks: ``keras[..., columns]`` is
        the framework's layout, and ``keras[..., columns] = theirs`` (or ``theirs[...,
        np.argsort(columns)]``) goes back."""
        order = self.orders.get(framework, self.blocks)
        return np.concatenate([np.arange(k * units, (k + 1) * units)
                               for k in map(self.blocks.index, order)])

    def by_layer(self, states):
        """A stack's states as the contract lists them (every layer's arrays, bottom first), one
        list per layer."""
        return _chunks(states, len(self.states))


def weights_by_layer(weights):
    """A stack's weights as ``get_weights`` lists them, one ``[kernel, recurrent_kernel, bias]``
    per layer, bottom first."""
    return _chunks(weights, 3)


def _chunks(flat, size):
    return [list(flat[k:k + size]) for k in range(0, len(flat), size)]


CELLS = {cell.name: cell for cell in [
    Cell("lstm", "LSTM", ("h", "c"), ("i", "f", "c", "o"), 1,
         layers={"keras": "LSTM", "torch": "LSTM", "flax": "LSTMCell", "onnx": "LSTM",
                 "openvino": "LSTMSequence"},
         orders={"onnx": ("i", "o", "f", "c"), "openvino": ("f", "i", "c", "o")}),
    # PyTorch's and Flax' r, z, n; ONNX's z, r, h with linear_before_reset (reset_after=True).
    Cell("gru", "GRU", ("h",), ("z", "r", "h"), 2,
         layers={"keras": "GRU", "torch": "GRU", "flax": "GRUCell", "onnx": "GRU",
                 "openvino": "GRUSequence"},
         orders={"torch": ("r", "z", "h"), "flax": ("r", "z", "h")},
         onnx_attributes={"linear_before_reset": 1}),
    Cell("simple_rnn", "SimpleRNN", ("h",), ("h",), 1,
         layers={"keras": "SimpleRNN", "torch": "RNN", "flax": "SimpleCell", "onnx": "RNN",
                 "openvino": "RNNSequence"}),
]}
LSTM_CELL = "lstm"
