"""Clause `reference-agreement`: with the same weights, inputs and history, an implementation's
outputs and states match the NumPy reference's within float32 tolerance (SPEC.md section 7)."""
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

import stateful_lstm as reference

from . import strategies as sst
from .assertions import assert_close, assert_identical, assert_states_close
from .models import describe_call, factory, make_model, weight_names
from .run import given

pytestmark = [pytest.mark.clause("reference-agreement"), pytest.mark.every_cell, pytest.mark.stacks]


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_outputs_and_state_match_the_reference_from_any_state(stateful_lstm_impl, data, setup,
                                                              steps):
    states = data.draw(sst.states_of(setup), label="states")
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    model, oracle = make_model(stateful_lstm_impl, setup), make_model(reference, setup)
    model.set_states([s.copy() for s in states])
    oracle.set_states(states)
    label = describe_call(setup, timesteps=steps)
    assert_close(model.predict_on_batch(x), oracle.predict_on_batch(x),
                 f"predict_on_batch vs the reference, from a set state {label}")
    assert_states_close(model.get_states(), oracle.get_states(),
                        f"final state vs the reference's {label}")


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps(), seed=st.integers(0, 2**16))
def test_a_fresh_model_computes_with_the_weights_it_reports(stateful_lstm_impl, data, setup,
                                                            steps, seed):
    # Every other test sets the weights first; this one checks what make_lstm (make_gru, ...)
    # builds: the same weights for the same seed, and get_weights() reporting all that the model
    # computes with (a weight left out, such as a second bias, makes the outputs differ from
    # the reference's).
    impl, label = stateful_lstm_impl, describe_call(setup, timesteps=steps, seed=seed)
    config = dict(units=setup.units, input_dim=setup.input_dim, stateful=True,
                  batch_size=setup.batch_size, seed=seed,
                  **({"layers": setup.layers} if setup.layers > 1 else {}))
    model = factory(impl, setup.cell)(**config)
    reported = model.get_weights()
    for name, again, first in zip(weight_names(setup),
                                  factory(impl, setup.cell)(**config).get_weights(), reported):
        assert_identical(again, first, f"{name} of two models made with the same seed {label}")
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    oracle = factory(reference, setup.cell)(**config)
    oracle.set_weights(reported)
    assert_close(model.predict_on_batch(x), oracle.predict_on_batch(x),
                 f"a new model's predict_on_batch vs the reference given that model's "
                 f"get_weights() {label}")


def agrees_with_reference(impl, run):
    """The state machine of ``impl`` for ``run``: any history of calls gives what the reference
    gives (the 'compare with a model' pattern), on a stateful and a stateless model side by
    side; the history starts with a call, so that every example sees a state carried from one
    call to the next."""
    setups, timesteps, batch_sizes = (strategy.strategy(run) for strategy in (
        sst.setups(), sst.timesteps(), sst.batch_sizes()))

    class AgreesWithReference(RuleBasedStateMachine):
        @initialize(data=st.data(), setup=setups, steps=timesteps)
        def build(self, data, setup, steps):
            self.setup, self.calls = setup, []
            self.pairs = {stateful: (make_model(impl, setup, stateful=stateful),
                                     make_model(reference, setup, stateful=stateful))
                          for stateful in (True, False)}
            self.predict_on_batch(data, steps)

        @rule(data=st.data(), steps=timesteps)
        def predict_on_batch(self, data, steps):
            for stateful, (model, oracle) in self.pairs.items():
                if stateful:
                    # From the state the implementation has (the invariant found it equal to
                    # the reference's within the tolerance): each call is compared over at most
                    # 12 timesteps, and float32 rounding cannot pile up over a long history
                    # (SPEC.md).
                    oracle.set_states(model.get_states())
                batch = self.setup.batch_size if stateful else data.draw(batch_sizes)
                x = data.draw(sst.inputs(batch, steps, self.setup.input_dim), label="x")
                self.calls.append(f"predict_on_batch({x.shape})")
                assert_close(model.predict_on_batch(x), oracle.predict_on_batch(x),
                             f"predict_on_batch vs the reference after {self.calls} "
                             f"{describe_call(self.setup, stateful=stateful)}")

        @rule()
        def reset_states(self):
            self.calls.append("reset_states()")
            for model in self.pairs[True]:
                model.reset_states()

        @rule(data=st.data())
        def set_states(self, data):
            states = data.draw(sst.states_of(self.setup))
            self.calls.append("set_states(...)")
            model, oracle = self.pairs[True]
            model.set_states([s.copy() for s in states])
            oracle.set_states(states)

        @invariant()
        def states_agree(self):
            if hasattr(self, "pairs"):
                model, oracle = self.pairs[True]
                assert_states_close(model.get_states(), oracle.get_states(),
                                    f"state vs the reference's after {self.calls} "
                                    f"{describe_call(self.setup)}")
    return AgreesWithReference


def test_any_history_of_calls_matches_the_reference(stateful_lstm_impl, stateful_lstm_run):
    examples = stateful_lstm_run.examples or settings.default.max_examples
    run_state_machine_as_test(agrees_with_reference(stateful_lstm_impl, stateful_lstm_run),
                              settings=settings(settings.default, max_examples=examples,
                                                stateful_step_count=8))
