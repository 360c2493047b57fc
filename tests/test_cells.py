"""The cell registry (``stateful_lstm.cells``): one description of each cell that the contract,
the checks, the exporter and the adapters read."""
import numpy as np
import pytest

from spec.contract import CELLS as CONTRACT_CELLS
from stateful_lstm import LAYERS
from stateful_lstm.cells import CELLS


def test_the_contract_and_the_reference_read_the_registry():
    assert CONTRACT_CELLS is CELLS
    for name, cell in CELLS.items():
        assert LAYERS[name].cell == name and cell.states == LAYERS[name].STATES
        layer = LAYERS[name](units=3, input_dim=2, stateful=False)
        assert [w.shape for w in layer.get_weights()] == cell.weight_shapes(2, 3)


@pytest.mark.parametrize("cell, framework, blocks", [
    ("lstm", "onnx", (0, 3, 1, 2)), ("lstm", "torch", (0, 1, 2, 3)), ("gru", "torch", (1, 0, 2)),
    ("gru", "flax", (1, 0, 2)), ("gru", "onnx", (0, 1, 2)), ("simple_rnn", "torch", (0,))])
def test_columns_put_keras_blocks_in_the_framework_s_order(cell, framework, blocks):
    units = 3
    columns = CELLS[cell].columns(framework, units)
    np.testing.assert_array_equal(columns, np.concatenate(
        [np.arange(k * units, (k + 1) * units) for k in blocks]))
    keras = np.arange(len(blocks) * units * 2).reshape(2, -1)
    np.testing.assert_array_equal(keras[..., columns][..., np.argsort(columns)], keras)
