"""Tests of the Keras adapter's own machinery: the model pool, the weights it starts from, its
refusal of other backends. (What Keras does with stateful models is the spec's business.)"""
import os
import subprocess
import sys

import numpy as np
import pytest

import stateful_lstm as reference
from stateful_lstm.adapters import keras3_tensorflow as keras_tensorflow  # imports no Keras

# Slow: Keras' import and traces (the default run imports no framework).
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def tensorflow():
    # Imported by the tests that run, not at collection: every xdist worker collects this module.
    return pytest.importorskip("tensorflow")


def test_a_released_keras_model_is_reused_with_fresh_state_and_weights():
    first = keras_tensorflow.make_lstm(units=3, input_dim=2, stateful=True, batch_size=2, seed=5)
    initial = first.get_weights()
    keras_model = first.model
    first.set_weights([w + 1 for w in initial])
    first.predict_on_batch(np.ones((2, 3, 2), np.float32))
    other = keras_tensorflow.make_lstm(units=3, input_dim=2, stateful=True, batch_size=2, seed=5)
    assert other.model is not keras_model, "two live wrappers must not share one Keras model"
    del first
    again = keras_tensorflow.make_lstm(units=3, input_dim=2, stateful=True, batch_size=2, seed=5)
    assert again.model is keras_model, "a released Keras model should be handed out again"
    for state in again.get_states():
        np.testing.assert_array_equal(state, np.zeros((2, 3), np.float32))
    for a, b in zip(again.get_weights(), initial):
        np.testing.assert_array_equal(a, b)


def released_model(**config):
    """A pooled Keras model, released after a call with ``x``: (the model, its predict
    function)."""
    x = config.pop("x")
    first = keras_tensorflow.make_lstm(**config)
    first.predict_on_batch(x)
    model, function = first.model, first.model.predict_function
    del first
    return model, function


def test_a_pooled_model_keeps_its_traces_for_well_formed_batches():
    config = dict(units=2, input_dim=3, stateful=True, batch_size=2)
    model, function = released_model(x=np.ones((2, 4, 3), np.float32), **config)
    again = keras_tensorflow.make_lstm(**config)
    assert again.model is model
    again.predict_on_batch(np.ones((2, 5, 3), np.float32))
    assert again.model.predict_function is function, "retraced though every call was well formed"


def test_a_first_call_that_is_not_well_formed_meets_a_new_models_functions():
    # A new stateful Keras model refuses a batch of 1 row on its first call (a traced one
    # broadcasts it: keras-team/keras#21183): a pooled model must do what a new one does.
    config = dict(units=2, input_dim=3, stateful=True, batch_size=2)
    new = keras_tensorflow.make_lstm(**config)
    with pytest.raises(ValueError):
        new.predict_on_batch(np.ones((1, 4, 3), np.float32))
    del new
    model, function = released_model(x=np.ones((2, 4, 3), np.float32), **config)
    again = keras_tensorflow.make_lstm(**config)
    assert again.model is model
    with pytest.raises(ValueError):
        again.predict_on_batch(np.ones((1, 4, 3), np.float32))
    assert again.model.predict_function is not function


def test_a_model_that_saw_a_batch_of_another_rank_is_renewed_for_its_next_owner():
    # A new functional model first called with a 2-D batch accepts it (Keras adjusts the rank),
    # but its traced function then fails on 3-D batches ("as_list() is not defined on an unknown
    # TensorShape"): that must not reach the model's next owner.
    config = dict(units=2, input_dim=1, stateful=False)
    first = keras_tensorflow.make_lstm(**config)
    first.predict_on_batch(np.ones((2, 4), np.float32))
    model = first.model
    del first
    again = keras_tensorflow.make_lstm(**config)
    assert again.model is model
    x = np.ones((3, 5, 1), np.float32)
    oracle = reference.make_lstm(**config)
    oracle.set_weights(again.get_weights())
    np.testing.assert_allclose(again.predict_on_batch(x), oracle.predict_on_batch(x),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 7])
def test_initial_weights_are_keras_defaults_drawn_from_the_seed(seed):
    model = keras_tensorflow.make_lstm(units=4, input_dim=3, stateful=False, seed=seed)
    kernel, recurrent_kernel, bias = model.get_weights()
    assert np.abs(kernel).max() <= np.sqrt(6 / (3 + 16))
    np.testing.assert_allclose(recurrent_kernel @ recurrent_kernel.T, np.eye(4), atol=1e-5)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    same = keras_tensorflow.make_lstm(units=4, input_dim=3, stateful=False, seed=seed)
    np.testing.assert_array_equal(same.get_weights()[0], kernel)


def test_set_states_refuses_a_wrong_shape_before_touching_any_variable():
    model = keras_tensorflow.make_lstm(units=2, input_dim=1, stateful=True, batch_size=3)
    model.predict_on_batch(np.ones((3, 2, 1), np.float32))
    before = model.get_states()
    with pytest.raises(ValueError, match=r"set_states expects shapes \[\(3, 2\), \(3, 2\)\]"):
        model.set_states([np.zeros((3, 2)), np.zeros((3, 3))])
    for a, b in zip(model.get_states(), before):
        np.testing.assert_array_equal(a, b)


def test_another_keras_backend_is_refused_with_a_clear_error():
    code = ("import stateful_lstm.adapters.keras3_tensorflow as k\n"
            "try:\n    k.make_lstm(units=1, input_dim=1, stateful=False)\n"
            "except RuntimeError as e:\n    print(e)\n")
    env = dict(os.environ, KERAS_BACKEND="jax")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert "KERAS_BACKEND is 'jax'" in out
