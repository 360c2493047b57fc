"""Clause `training-agreement`: one train_on_batch step gives the reference's loss and updated
weights (SPEC.md section 8)."""
import pytest
from hypothesis import given, strategies as st

import stateful_lstm as reference

from . import strategies as sst
from .assertions import assert_close, assert_states_close
from .models import describe_call, make_classifier

pytestmark = pytest.mark.clause("training-agreement")
WEIGHT_NAMES = ["kernel", "recurrent_kernel", "bias", "dense kernel", "dense bias"]


@given(data=st.data(), setup=sst.setups(), n_classes=st.integers(2, 6), stateful=st.booleans(),
       steps=sst.timesteps(), n_steps=st.integers(1, 2))
def test_train_on_batch_matches_the_reference(impl, data, setup, n_classes, stateful, steps,
                                              n_steps):
    dense = data.draw(sst.dense_weights(setup.units, n_classes), label="dense")
    model = make_classifier(impl, setup, n_classes, dense, stateful=stateful)
    oracle = make_classifier(reference, setup, n_classes, dense, stateful=stateful)
    if stateful:
        states = data.draw(sst.carried_states(setup.batch_size, setup.units), label="states")
        model.set_states([s.copy() for s in states])
        oracle.set_states(states)
    for step in range(n_steps):
        x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
        y = data.draw(sst.one_hot_targets(setup.batch_size, n_classes), label="y")
        label = describe_call(setup, n_classes=n_classes, stateful=stateful, timesteps=steps,
                              step=step + 1)
        assert_close(model.train_on_batch(x, y), oracle.train_on_batch(x, y),
                     f"loss returned by train_on_batch vs the reference's {label}")
        for name, got, expected in zip(WEIGHT_NAMES, model.get_weights(), oracle.get_weights()):
            assert_close(got, expected, f"{name} after train_on_batch vs the reference's {label}")
        if stateful:
            assert_states_close(model.get_states(), oracle.get_states(),
                                f"state after train_on_batch vs the reference's {label}")
