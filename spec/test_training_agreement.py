"""Clause `training-agreement`: one train_on_batch step gives the reference's loss, state and
updated weights (SPEC.md section 8); the weights within the range Adam allows for a gradient known
to float32 precision (``training_oracle``)."""
import numpy as np
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .models import make_classifier
from .run import given
from .training_steps import LEARNING_RATES, assert_training_steps

pytestmark = [pytest.mark.clause("training-agreement"), pytest.mark.needs("make_classifier"),
              pytest.mark.every_cell]
# What the Dense kernel is scaled by: the LSTM's gradients scale with it (they flow back through
# it), and where they are small beside Adam's epsilon / sqrt(1 - b2^t) (about 3e-6 at the first
# step), where epsilon goes matters: Keras adds it before the bias correction, PyTorch and optax
# after. Each example takes one scale, so that every other example or so has such gradients.
GRADIENT_SCALES = (1.0, 1e-3, 1e-5)


@given(data=st.data(), setup=sst.setups(max_classes=sst.MAX_CLASSES), stateful=st.booleans(),
       steps=sst.timesteps(), n_steps=st.integers(1, 2),
       learning_rate=st.sampled_from(LEARNING_RATES))
def test_train_on_batch_matches_the_reference(stateful_lstm_impl, data, setup, stateful, steps,
                                              n_steps, learning_rate):
    n_classes = setup.n_classes
    scale = data.draw(st.sampled_from(GRADIENT_SCALES), label="Dense kernel scale")
    kernel, bias = data.draw(sst.dense_weights(setup.units, n_classes), label="dense")
    dense = (kernel * np.float32(scale), bias)
    model = make_classifier(stateful_lstm_impl, setup, n_classes, dense, stateful=stateful,
                            learning_rate=learning_rate)

    def draw_batch():
        return (data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x"),
                data.draw(sst.one_hot_targets(setup.batch_size, n_classes), label="y"), {})
    assert_training_steps(stateful_lstm_impl, model, data, setup, stateful=stateful,
                          calls=["train_on_batch"] * n_steps, learning_rate=learning_rate,
                          draw_batch=draw_batch, n_classes=n_classes, dense_scale=scale)
