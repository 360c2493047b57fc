"""Driving ``train_on_batch`` against the oracle (``training_oracle``), step by step: what
clauses 8 and 13 share."""
import numpy as np

from . import strategies as sst
from .assertions import assert_close, assert_states_close, assert_within
from .models import CLASSIFIER_WEIGHT_NAMES, describe_call
from .training_oracle import AdamRange, expected_step, gradient_and_error_bound

# The contract's default and two others (a few values, so that compiled models can be reused).
LEARNING_RATES = (0.001, 0.01, 0.0003)


def assert_training_steps(model, data, setup, *, stateful, n_steps, learning_rate, draw_batch,
                          oracle=gradient_and_error_bound, weight_names=CLASSIFIER_WEIGHT_NAMES,
                          **details):
    """``n_steps`` train_on_batch calls of ``model`` (built from ``setup`` with
    ``learning_rate``), each on a batch ``(x, y) = draw_batch()``, checked against the oracle's
    step: the loss, every weight within Adam's range, the new state. A stateful model starts from
    a drawn carried state. (Clauses 8 and 13; ``oracle`` as ``expected_step``'s ``model``.)"""
    zeros = np.zeros((setup.batch_size, setup.units), np.float32)
    states = [zeros, zeros]
    if stateful:
        states = data.draw(sst.carried_states(setup.batch_size, setup.units), label="states")
        model.set_states([s.copy() for s in states])
    adam = AdamRange(learning_rate)
    for step in range(n_steps):
        x, y = draw_batch()
        expected = expected_step(model.get_weights(), x, states, y, adam, model=oracle)
        label = describe_call(setup, **details, stateful=stateful, timesteps=x.shape[1],
                              learning_rate=learning_rate, step=step + 1)
        assert_close(model.train_on_batch(x, y), expected.loss,
                     f"loss returned by train_on_batch vs the reference's {label}")
        for name, got, low, high in zip(weight_names, model.get_weights(), expected.low,
                                        expected.high):
            assert_within(got, low, high, f"{name} after train_on_batch vs the reference's "
                                          f"Adam step {label}")
        if stateful:
            states = model.get_states()
            assert_states_close(states, expected.state,
                                f"state after train_on_batch vs the reference's {label}")
