"""Clause 23's state machine (``spec/test_stream_pool.py``): streams in a ``StreamPool`` of an
implementation's step model, compared with a batch-size-1 copy (hypothesis' "compare with a
model"); ``tests/test_stream_pool.py`` runs it on broken pools."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from stateful_lstm.stream_pool import StreamPool

from . import strategies as sst
from .assertions import (
    assert_close,
    assert_raises,
    assert_states_close,
    assert_states_identical,
    assert_that,
)
from .models import describe_call, make_model

MAX_STREAMS = 6


def rows(states):
    """A pool's state of one stream (each (units,)) as a batch-1 model's (each (1, units))."""
    return [s[None] for s in states]


def serves_streams_as_if_alone(impl, run, pool_class=StreamPool):
    """The state machine of ``impl``'s step model in ``pool_class`` (the kit's ``StreamPool``;
    the meta-tests pass broken pools) for ``run``, compared with a model: a batch-size-1 stateful
    copy of the same weights, given the stream's state before each step (the float32 rounding
    of one call is compared, and cannot pile up over a long history: as clause 7's machine),
    while a joined or reset stream must hold exactly zeros and a stream that did not step
    exactly the state it had."""
    setups, timesteps = sst.setups().strategy(run), sst.timesteps().strategy(run)

    class ServesStreamsAsIfAlone(RuleBasedStateMachine):
        @initialize(data=st.data(), setup=setups)
        def build(self, data, setup):
            # Every example starts with two streams stepped together twice (their states
            # different, in one batch), whatever the rules then draw.
            self.setup, self.calls, self.active, self.left = setup, [], [], []
            self.copy = make_model(impl, setup, batch_size=1)
            self.pool = pool_class(impl.step_model(make_model(impl, setup)))
            self.zeros = setup.zero_states(batch=1)
            self.join()
            self.join()
            for _ in range(2):
                self.step_streams(data, list(self.active), same_length=True)

        def label(self):
            return f"after {self.calls} {describe_call(self.setup)}"

        def states(self):
            return {s: self.pool.get_state(s) for s in self.active}

        def assert_untouched(self, before, streams):
            for s in streams:
                assert_states_identical(rows(self.pool.get_state(s)), rows(before[s]),
                                        f"stream {s}'s state, which did not step, "
                                        f"{self.label()}")

        @precondition(lambda self: len(self.active) < MAX_STREAMS)
        @rule()
        def join(self):
            before, stream = self.states(), self.pool.join()
            self.calls.append(f"join() -> {stream}")
            assert_that(stream not in (*before, *self.left),
                        f"join() returned {stream}, an id in use or used before {self.label()}")
            assert_states_identical(rows(self.pool.get_state(stream)), self.zeros,
                                    f"a new stream's state {self.label()}")
            self.assert_untouched(before, before)
            self.active.append(stream)

        @precondition(lambda self: self.active)
        @rule(data=st.data(), same_length=st.booleans())
        def step(self, data, same_length):
            # Half the steps give every stream the same timesteps, so that streams share one
            # batch (where a step model could mix up rows).
            self.step_streams(data, data.draw(st.lists(st.sampled_from(self.active), min_size=1,
                                                       unique=True), label="streams"), same_length)

        def step_streams(self, data, stepping, same_length):
            shared = data.draw(timesteps, label="timesteps")
            inputs = {s: data.draw(sst.inputs(1, shared if same_length else data.draw(timesteps),
                                              self.setup.input_dim), label=f"x of {s}")[0]
                      for s in stepping}
            before = self.states()
            self.calls.append(f"step({ {s: x.shape for s, x in inputs.items()} })")
            outputs = self.pool.step(inputs)
            assert_that(sorted(outputs) == sorted(stepping),
                        f"step returned outputs for streams {sorted(outputs)}; expected "
                        f"{sorted(stepping)} {self.label()}")
            for s, x in inputs.items():
                self.copy.set_states(rows(before[s]))
                assert_close(outputs[s], self.copy.predict_on_batch(x[None])[0],
                             f"stream {s}'s outputs in the pool vs a batch-1 copy from its "
                             f"state {self.label()}")
                assert_states_close(rows(self.pool.get_state(s)), self.copy.get_states(),
                                    f"stream {s}'s state in the pool vs the batch-1 copy's "
                                    f"{self.label()}")
            self.assert_untouched(before, set(self.active) - set(stepping))

        @precondition(lambda self: self.active)
        @rule(data=st.data())
        def reset(self, data):
            stream = data.draw(st.sampled_from(self.active), label="reset")
            before = self.states()
            self.calls.append(f"reset({stream})")
            self.pool.reset(stream)
            assert_states_identical(rows(self.pool.get_state(stream)), self.zeros,
                                    f"stream {stream}'s state after reset {self.label()}")
            self.assert_untouched(before, set(self.active) - {stream})

        @precondition(lambda self: self.active)
        @rule(data=st.data())
        def leave(self, data):
            stream = data.draw(st.sampled_from(self.active), label="leave")
            before = self.states()
            self.calls.append(f"leave({stream})")
            self.pool.leave(stream)
            self.active.remove(stream)
            self.left.append(stream)
            assert_that(stream not in self.pool.streams,
                        f"stream {stream} still in the pool {self.label()}")
            x = np.zeros((1, self.setup.input_dim), np.float32)
            assert_raises(lambda: self.pool.step({stream: x}),
                          f"step of stream {stream}, which left, {self.label()}")
            self.assert_untouched(before, self.active)
    return ServesStreamsAsIfAlone
