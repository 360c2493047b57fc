"""Stacked recurrent layers of one cell: layer k's output at every timestep is layer k+1's input
(Keras' ``return_sequences=True`` on every layer, PyTorch's ``num_layers``), and each layer
carries its own state per batch row.

A stack's state and weights list every layer's in order, bottom first (what issue 29 asks of
the contract's stacks; not yet a clause of ``spec/SPEC.md``):
``get_states()`` is ``[h_0, c_0, h_1, c_1, ...]`` for an LSTM (``[h_0, h_1, ...]`` for a GRU or
SimpleRNN), ``get_weights()`` each layer's ``[kernel, recurrent_kernel, bias]`` in Keras'
layout, the first layer's kernel (input_dim, ...), the others' (units, ...). ``reset_states``
clears every layer. A mask reaches every layer (Keras propagates it): a masked step keeps every
layer's state. Layer k's initial weights are drawn from ``seed + k``.
"""
from . import validation
from .cells import CELLS, weights_by_layer
from .layers import LAYERS
from .loops import PredictLoop


def make(cell, layers=1, **config):
    """One reference layer of ``cell`` with ``config``, or ``layers`` of them stacked."""
    validation.positive_int("layers", layers)
    return LAYERS[cell](**config) if layers == 1 else Stack(cell=cell, layers=layers, **config)


class Stack(PredictLoop):
    """``layers`` recurrent layers of ``cell`` (``cells.CELLS``), each of ``units``, returning the
    top layer's h at every timestep."""

    def __init__(self, *, cell, layers, units, input_dim, stateful, batch_size=None, seed=0):
        validation.check_cell(cell)
        validation.positive_int("layers", layers)
        self.layers = [LAYERS[cell](units=units, input_dim=input_dim if k == 0 else units,
                                    stateful=stateful, batch_size=batch_size, seed=seed + k)
                       for k in range(layers)]
        self.cell, self.units, self.input_dim = cell, units, input_dim
        self.stateful, self.batch_size = stateful, batch_size

    def predict_on_batch(self, x, mask=None):
        """The top layer's outputs (batch, T, units); checks ``x`` and ``mask`` before any
        layer runs, so that a refused call changes no layer's state."""
        x = self.layers[0]._check_batch("predict_on_batch", x)
        return self.run(x, mask=validation.check_mask("predict_on_batch", mask, x.shape[:2]))

    def run(self, x, mask=None):
        """The layers on checked ``x``, each reading the outputs of the one below; each
        carries its own final state."""
        for layer in self.layers:
            x = layer.run(x, mask=mask)
        return x

    def start_states(self, batch):
        """Every layer's state a call on ``batch`` rows starts from, bottom first."""
        return tuple(s for layer in self.layers for s in layer.start_states(batch))

    def keep(self, *state):
        """Carry a call's final state, every layer's (bottom first), into the next call."""
        for layer, layer_state in zip(self.layers, CELLS[self.cell].by_layer(state)):
            layer.keep(*layer_state)

    def reset_states(self):
        for layer in self.layers:
            layer.reset_states()

    def get_states(self):
        """Every layer's carried arrays, bottom layer first."""
        return [s for layer in self.layers for s in layer.get_states()]

    def set_states(self, states):
        """Every layer's carried arrays, as ``get_states`` lists them; all checked before any
        is set."""
        validation.require_stateful(self, "set_states")
        cell = CELLS[self.cell]
        checked = validation.check_states(states, self.batch_size, self.units,
                                          count=len(cell.states) * len(self.layers))
        for layer, layer_states in zip(self.layers, cell.by_layer(checked)):
            layer.set_states(layer_states)

    def get_weights(self):
        """Every layer's ``[kernel, recurrent_kernel, bias]``, bottom layer first."""
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights):
        """Every layer's three arrays, as ``get_weights`` lists them; all checked before any is
        set."""
        checked = validation.check_weights(weights, self.input_dim, self.units, cell=self.cell,
                                           layers=len(self.layers))
        for layer, layer_weights in zip(self.layers, weights_by_layer(checked)):
            layer.set_weights(layer_weights)
