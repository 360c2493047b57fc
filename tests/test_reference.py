"""Tests of the NumPy reference itself: its equations, its numbers, its errors, its imports."""
import math
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import strategies as st

import stateful_lstm
from spec import strategies as sst
from spec.run import given
from stateful_lstm.lstm import lstm_forward


def scalar_lstm(x, h, c, kernel, recurrent_kernel, bias):
    """The LSTM equations one number at a time with ``math``: an independent check of the
    vectorised reference (gate blocks i, f, c, o)."""
    u = len(h)
    def sig(v):
        return 1.0 / (1.0 + math.exp(-v))
    outputs = []
    for x_t in x:
        z = [sum(x_t[k] * kernel[k][j] for k in range(len(x_t))) +
             sum(h[k] * recurrent_kernel[k][j] for k in range(u)) + bias[j] for j in range(4 * u)]
        c = [sig(z[u + j]) * c[j] + sig(z[j]) * math.tanh(z[2 * u + j]) for j in range(u)]
        h = [sig(z[3 * u + j]) * math.tanh(c[j]) for j in range(u)]
        outputs.append(h)
    return outputs, h, c


@given(data=st.data(), setup=sst.setups(max_batch=1), steps=sst.timesteps())
def test_vectorised_reference_equals_the_scalar_equations(data, setup, steps):
    x = data.draw(sst.inputs(1, steps, setup.input_dim))
    h0, c0 = data.draw(sst.carried_states(1, setup.units))
    hs, h, c = lstm_forward(x, h0, c0, *setup.weights)
    w = [np.asarray(a, np.float64).tolist() for a in setup.weights]
    expected_hs, expected_h, expected_c = scalar_lstm(x[0].tolist(), h0[0].tolist(),
                                                      c0[0].tolist(), *w)
    np.testing.assert_allclose(hs[0], expected_hs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h[0], expected_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c[0], expected_c, rtol=1e-5, atol=1e-6)


def scalar_gru(x, h, kernel, recurrent_kernel, bias):
    """Keras' GRU (reset_after=True) one number at a time with ``math`` (blocks z, r, h; bias
    row 0 the input's, row 1 the recurrent one)."""
    u = len(h)
    def sig(v):
        return 1.0 / (1.0 + math.exp(-v))
    outputs = []
    for x_t in x:
        xz = [sum(x_t[k] * kernel[k][j] for k in range(len(x_t))) + bias[0][j]
              for j in range(3 * u)]
        hz = [sum(h[k] * recurrent_kernel[k][j] for k in range(u)) + bias[1][j]
              for j in range(3 * u)]
        z = [sig(xz[j] + hz[j]) for j in range(u)]
        r = [sig(xz[u + j] + hz[u + j]) for j in range(u)]
        g = [math.tanh(xz[2 * u + j] + r[j] * hz[2 * u + j]) for j in range(u)]
        h = [z[j] * h[j] + (1 - z[j]) * g[j] for j in range(u)]
        outputs.append(h)
    return outputs, h


def scalar_simple_rnn(x, h, kernel, recurrent_kernel, bias):
    u = len(h)
    outputs = []
    for x_t in x:
        h = [math.tanh(sum(x_t[k] * kernel[k][j] for k in range(len(x_t))) +
                       sum(h[k] * recurrent_kernel[k][j] for k in range(u)) + bias[j])
             for j in range(u)]
        outputs.append(h)
    return outputs, h


@pytest.mark.parametrize("cell, factory, scalar", [
    ("gru", stateful_lstm.make_gru, scalar_gru),
    ("simple_rnn", stateful_lstm.make_simple_rnn, scalar_simple_rnn)])
@given(data=st.data(), input_dim=st.integers(1, 5), units=st.integers(1, 8),
       steps=sst.timesteps())
def test_the_gru_and_simple_rnn_equal_their_scalar_equations(cell, factory, scalar, data,
                                                             input_dim, units, steps):
    weights = data.draw(sst.cell_weights(input_dim, units, cell))
    x = data.draw(sst.inputs(1, steps, input_dim))
    (h0,) = data.draw(sst.carried_states(1, units, cell))
    model = factory(units=units, input_dim=input_dim, stateful=True, batch_size=1)
    model.set_weights(weights)
    model.set_states([h0])
    hs = model.predict_on_batch(x)
    w = [np.asarray(a, np.float64).tolist() for a in weights]
    expected_hs, expected_h = scalar(x[0].tolist(), h0[0].tolist(), *w)
    np.testing.assert_allclose(hs[0], expected_hs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_states()[0][0], expected_h, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("factory, bias_shape", [(stateful_lstm.make_gru, lambda u: (2, 3 * u)),
                                                 (stateful_lstm.make_simple_rnn, lambda u: (u,))])
@given(input_dim=st.integers(1, 5), units=st.integers(1, 8), seed=st.integers(0, 2**31))
def test_the_gru_and_simple_rnn_start_from_keras_defaults(factory, bias_shape, input_dim, units,
                                                          seed):
    kernel, recurrent_kernel, bias = factory(units=units, input_dim=input_dim, stateful=False,
                                             seed=seed).get_weights()
    blocks = recurrent_kernel.shape[1] // units
    assert np.abs(kernel).max() <= np.sqrt(6 / (input_dim + blocks * units))   # Glorot uniform
    np.testing.assert_allclose(recurrent_kernel @ recurrent_kernel.T, np.eye(units), atol=1e-5)
    np.testing.assert_array_equal(bias, np.zeros(bias_shape(units), np.float32))


def test_one_step_matches_the_numbers_keras_printed():
    # Keras 3.15.1 / TensorFlow 2.21, LSTM(1) with every weight 0.5 and zero bias, x = 1 from zero
    # state: h = 0.17426972, c = 0.28764912.
    model = stateful_lstm.make_lstm(units=1, input_dim=1, stateful=True, batch_size=1)
    model.set_weights([np.full((1, 4), 0.5), np.full((1, 4), 0.5), np.zeros(4)])
    out = model.predict_on_batch(np.ones((1, 1, 1)))
    np.testing.assert_allclose(out[0, 0], [0.17426972], rtol=1e-6)
    np.testing.assert_allclose(model.get_states()[1], [[0.28764912]], rtol=1e-6)


def test_zero_timesteps_return_an_empty_output_and_keep_the_state():
    model = stateful_lstm.make_lstm(units=3, input_dim=2, stateful=True, batch_size=2, seed=1)
    model.predict_on_batch(np.ones((2, 4, 2), np.float32))
    before = model.get_states()
    out = model.predict_on_batch(np.zeros((2, 0, 2), np.float32))
    assert out.shape == (2, 0, 3) and out.dtype == np.float32
    for a, b in zip(model.get_states(), before):
        np.testing.assert_array_equal(a, b)


@given(input_dim=st.integers(1, 5), units=st.integers(1, 8), seed=st.integers(0, 2**31))
def test_initial_weights_follow_keras_defaults(input_dim, units, seed):
    model = stateful_lstm.make_lstm(units=units, input_dim=input_dim, stateful=False, seed=seed)
    kernel, recurrent_kernel, bias = model.get_weights()
    assert np.abs(kernel).max() <= np.sqrt(6 / (input_dim + 4 * units))   # Glorot uniform
    np.testing.assert_allclose(recurrent_kernel @ recurrent_kernel.T, np.eye(units), atol=1e-5)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(units), np.ones(units),
                                              np.zeros(2 * units)])        # unit_forget_bias
    again = stateful_lstm.make_lstm(units=units, input_dim=input_dim, stateful=False, seed=seed)
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("config, message", [
    (dict(units=0, input_dim=1, stateful=False), "units must be a positive integer; received 0"),
    (dict(units=2, input_dim=1.5, stateful=False), "input_dim must be a positive integer"),
    (dict(units=2, input_dim=1, stateful=True), "needs a fixed batch_size"),
    (dict(units=2, input_dim=1, stateful="yes", batch_size=1), "stateful must be True or False"),
    (dict(units=2, input_dim=1, stateful=True, batch_size=0), "batch_size must be a positive"),
])
def test_bad_configuration_is_refused_with_a_clear_message(config, message):
    with pytest.raises(ValueError, match=message):
        stateful_lstm.make_lstm(**config)


@pytest.mark.parametrize("call, message", [
    (lambda m: m.predict_on_batch(np.ones((3, 2, 2))),
     r"batch_size=2 rows; received a batch of 3 \(input shape \(3, 2, 2\)\)"),
    (lambda m: m.predict_on_batch(np.ones((2, 2, 5))),
     r"expected input_dim=2 features per timestep; received 5"),
    (lambda m: m.predict_on_batch(np.ones((2, 2))),
     r"expects a 3-D input \(batch, timesteps, input_dim\); received 2-D input of shape \(2, 2\)"),
    (lambda m: m.predict_on_batch(np.array([[["a", "b"]]] * 2)),
     r"predict_on_batch expects a real-valued input \(float32\); received dtype <U1"),
    (lambda m: m.set_states([np.zeros((2, 3))]),
     r"set_states expects a list of 2 arrays with shapes \[\(2, 3\), \(2, 3\)\]; received 1 arrays"),
    (lambda m: m.set_states([np.zeros((2, 3)), np.zeros((1, 3))]),
     r"set_states expects shapes \[\(2, 3\), \(2, 3\)\]; received \[\(2, 3\), \(1, 3\)\]"),
    (lambda m: m.set_states(np.zeros((2, 2, 3))),
     r"set_states expects a list of 2 arrays .*; received a ndarray"),
    (lambda m: m.set_weights([np.zeros((2, 12)), np.zeros((3, 12)), np.zeros(11)]),
     r"set_weights expects shapes \[\(2, 12\), \(3, 12\), \(12,\)\]; received .*\(11,\)\]"),
])
def test_bad_input_names_expected_and_received_and_keeps_state(call, message):
    model = stateful_lstm.make_lstm(units=3, input_dim=2, stateful=True, batch_size=2, seed=3)
    model.predict_on_batch(np.ones((2, 3, 2), np.float32))
    states, weights = model.get_states(), model.get_weights()
    with pytest.raises(ValueError, match=message):
        call(model)
    for a, b in zip(model.get_states() + model.get_weights(), states + weights):
        np.testing.assert_array_equal(a, b)


NAN = np.float32("nan")


@pytest.mark.parametrize("call, message", [
    (lambda m: m.predict_on_batch(np.where(np.eye(2, 2)[:, :, None], NAN, 1) * np.ones((2, 2, 2))),
     r"predict_on_batch expects a finite input; received 4 NaN or infinite values \(the first, "
     r"np.float64\(nan\), at index \(0, 0, 0\)\)"),
    (lambda m: m.predict_on_batch(np.full((2, 1, 2), np.inf)), r"expects a finite input"),
    (lambda m: m.set_states([np.zeros((2, 3)), np.full((2, 3), NAN)]),
     r"set_states expects a finite array 1; received 6 NaN or infinite values"),
    (lambda m: m.set_states([np.full((2, 3), -np.inf), np.zeros((2, 3))]),
     r"set_states expects a finite array 0"),
    (lambda m: m.set_states([np.full((2, 3), 1e39), np.zeros((2, 3))]),
     r"set_states expects array 0 within float32's range \(\|value\| <= 3.403e\+38\); "
     r"received 1e\+39"),
    (lambda m: m.set_states([np.zeros((2, 3)) + 1j, np.zeros((2, 3))]),
     r"set_states expects a real-valued array 0 \(float32\); received dtype complex128"),
    (lambda m: m.set_weights([np.zeros((2, 12)), np.full((3, 12), NAN), np.zeros(12)]),
     r"set_weights expects a finite array 1"),
    (lambda m: m.set_weights([np.zeros((2, 12)), np.zeros((3, 12)), np.full(12, 1e300)]),
     r"set_weights expects array 2 within float32's range"),
    (lambda m: m.set_weights([np.zeros((2, 12), complex), np.zeros((3, 12)), np.zeros(12)]),
     r"set_weights expects a real-valued array 0"),
])
def test_what_would_corrupt_the_state_or_weights_is_refused(call, message):
    # NaN or infinity would stay in a row's state until a reset; a value beyond float32 would turn
    # into infinity; complex values would lose their imaginary part.
    test_bad_input_names_expected_and_received_and_keeps_state(call, message)


@pytest.mark.parametrize("seed", [-1, "abc", None, 1.5, True])
def test_seed_must_be_a_non_negative_integer(seed):
    with pytest.raises(ValueError, match=rf"seed must be a non-negative integer .*; received "
                                         rf"{re.escape(repr(seed))}"):
        stateful_lstm.make_lstm(units=2, input_dim=1, stateful=False, seed=seed)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        stateful_lstm.make_classifier(units=2, input_dim=1, n_classes=3, stateful=False, seed=seed)


def test_stateless_model_has_no_state_to_get_or_set():
    model = stateful_lstm.make_lstm(units=2, input_dim=1, stateful=False)
    for call in (model.get_states, lambda: model.set_states([np.zeros((1, 2))] * 2)):
        with pytest.raises(ValueError, match="needs a stateful model; this one is stateless"):
            call()


def test_importing_the_package_does_not_import_tensorflow():
    code = ("import sys, stateful_lstm, spec, spec.harness.plugin; "
            "import stateful_lstm.adapters.keras3_tensorflow as k; "
            "k.describe(); assert not {'tensorflow', 'keras'} & set(sys.modules), "
            "sorted(m for m in sys.modules if m.startswith(('tensorflow', 'keras')))")
    subprocess.run([sys.executable, "-c", code], check=True)
