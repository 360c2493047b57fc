"""Tests of the framework adapters' own machinery: the weight mappings between a framework's
layout and Keras' (gate order, transposes, PyTorch's two biases, Flax's per-gate Dense layers) and
the state the adapter carries for frameworks without a stateful mode. (What the frameworks do with
stateful models is the spec's business.) The frameworks' tests are slow (importing PyTorch or
Flax costs seconds; ``.ci/run`` runs them once the frameworks are installed) and skipped where the
framework is not installed."""
import os
import subprocess
import sys

import numpy as np
import pytest

import stateful_lstm
from stateful_lstm.adapters.common import SHARED_FOLDER, shared_between_processes
from stateful_lstm.adapters.held_state import HeldState


def _keras_weights(input_dim, units, seed):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, shape).astype(np.float32)
            for shape in [(input_dim, 4 * units), (units, 4 * units), (4 * units,)]]


@pytest.mark.slow
@pytest.mark.parametrize("adapter", ["pytorch", "flax_nnx"])
def test_weights_round_trip_and_compute_what_the_reference_computes(adapter):
    module = pytest.importorskip(f"stateful_lstm.adapters.{adapter}")
    pytest.importorskip(module.REQUIRES[0])
    weights = _keras_weights(3, 4, seed=1)
    model = module.make_lstm(units=4, input_dim=3, stateful=True, batch_size=2)
    model.set_weights([w.copy() for w in weights])
    for got, put in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, put)
    reference = stateful_lstm.make_lstm(units=4, input_dim=3, stateful=True, batch_size=2)
    reference.set_weights(weights)
    x = np.random.default_rng(2).uniform(-2, 2, (2, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(model.predict_on_batch(x), reference.predict_on_batch(x),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("factory", ["make_lstm", "make_simple_rnn"])
def test_torch_reports_the_sum_of_its_two_biases(factory):
    pytorch = pytest.importorskip("stateful_lstm.adapters.pytorch")
    pytest.importorskip("torch")
    model = getattr(pytorch, factory)(units=3, input_dim=2, stateful=False, seed=4)
    expected = (model.rnn.bias_ih_l0 + model.rnn.bias_hh_l0).detach().numpy()
    assert np.abs(model.rnn.bias_hh_l0.detach().numpy()).max() > 0   # a fresh model has both
    np.testing.assert_array_equal(model.get_weights()[2], expected)   # same gate order


@pytest.mark.slow
def test_torch_reports_its_gru_biases_as_keras_two_rows_in_keras_gate_order():
    # nn.GRU's blocks are r, z, n; Keras' z, r, h: the first two swap places.
    pytorch = pytest.importorskip("stateful_lstm.adapters.pytorch")
    pytest.importorskip("torch")
    model = pytorch.make_gru(units=2, input_dim=1, stateful=False, seed=4)
    b_ih, b_hh = (b.detach().numpy() for b in (model.rnn.bias_ih_l0, model.rnn.bias_hh_l0))
    swap = [2, 3, 0, 1, 4, 5]
    np.testing.assert_array_equal(model.get_weights()[2], np.stack([b_ih[swap], b_hh[swap]]))
    kernel = model.get_weights()[0]
    np.testing.assert_array_equal(kernel, model.rnn.weight_ih_l0.detach().numpy()[swap].T)


class _Held(HeldState):
    def __init__(self, stateful):
        self.units, self.stateful, self.batch_size = 3, stateful, 2 if stateful else None
        self.reset_states()


def test_held_state_refuses_a_wrong_shape_and_keeps_what_it_had():
    model = _Held(stateful=True)
    model.keep(np.ones((2, 3)), np.full((2, 3), 2.0))
    with pytest.raises(ValueError, match=r"set_states expects shapes \[\(2, 3\), \(2, 3\)\]"):
        model.set_states([np.zeros((1, 3)), np.zeros((2, 3))])
    h, c = model.get_states()
    np.testing.assert_array_equal(h, np.ones((2, 3), np.float32))
    np.testing.assert_array_equal(c, np.full((2, 3), 2.0, np.float32))


def test_held_state_of_a_stateless_model_starts_each_call_from_zeros():
    model = _Held(stateful=False)
    model.keep(np.ones((5, 3)), np.ones((5, 3)))
    h, c = model.start_states(5)
    assert not h.any() and not c.any() and h.shape == (5, 3)
    with pytest.raises(ValueError, match="needs a stateful model"):
        model.get_states()


def test_what_one_process_of_a_run_made_another_reads_back(tmp_path, monkeypatch):
    code = ("from stateful_lstm.adapters.common import shared_between_processes as shared\n"
            "print(shared('m', (1, 'a'), lambda: print('made') or b'bytes'))")
    env = dict(os.environ, **{SHARED_FOLDER: str(tmp_path)})
    outs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout for _ in range(2)]
    assert outs == ["made\nb'bytes'\n", "b'bytes'\n"]     # made once, then read back
    assert len(list(tmp_path.iterdir())) == 1              # and no partial file left
    monkeypatch.setenv(SHARED_FOLDER, str(tmp_path))
    assert shared_between_processes("m", (2,), lambda: b"other") == b"other"    # another key
    monkeypatch.delenv(SHARED_FOLDER)
    made = []
    for _ in range(2):                                      # outside a run: made every time
        assert shared_between_processes("m", (1, "a"), lambda: made.append(1) or b"x") == b"x"
    assert len(made) == 2
