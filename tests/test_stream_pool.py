"""The kit's ``StreamPool`` (``stateful_lstm.stream_pool``): clause 23's machine catches broken
pools; bad input is refused with a ValueError naming what was expected, every state as it was;
the pool grows past its capacity; ONNX Runtime's step model of an exported sequence model serves
token streams."""
import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

import stateful_lstm
from spec.pool_machine import serves_streams_as_if_alone
from spec.run import Run
from stateful_lstm.stream_pool import StreamPool


class JoinKeepsTheRowsOldState(StreamPool):
    """A joining stream takes a free row as it was left (a departed stream's state)."""
    def join(self):
        with self._lock:
            if not self._free:
                self._grow(2 * len(self._states[0]))
            stream = next(self._ids)
            self._rows[stream] = self._free.pop()
            return stream


class StepWritesEveryRow(StreamPool):
    """Runs every stream's row and scatters them all back, the streams that did not step
    included (fed zeros)."""
    def step(self, inputs):
        x = next(iter(inputs.values()))
        everyone = {s: inputs.get(s, np.zeros_like(x)) for s in self._rows}
        return {s: y for s, y in super().step(everyone).items() if s in inputs}


class ResetClearsEveryStream(StreamPool):
    """reset(stream) zeroes every stream's state."""
    def reset(self, stream):
        with self._lock:
            self._row(stream)
            for s in self._states:
                s[:] = 0


class LeaveKeepsServing(StreamPool):
    """leave(stream) frees its row but keeps the stream steppable."""
    def leave(self, stream):
        with self._lock:
            self._free.append(self._rows[self._row(stream)])


@pytest.mark.parametrize("broken", [JoinKeepsTheRowsOldState, StepWritesEveryRow,
                                    ResetClearsEveryStream, LeaveKeepsServing])
def test_the_clause_catches_a_broken_pool(broken):
    # The clause's examples and steps, derandomized and not shrunk (as the spec runs).
    machine = serves_streams_as_if_alone(stateful_lstm, Run(), pool_class=broken)
    with pytest.raises(AssertionError):
        run_state_machine_as_test(machine, settings=settings(
            max_examples=25, stateful_step_count=10, deadline=None, derandomize=True,
            database=None, phases=[Phase.generate]))


def make_pool(units=3, input_dim=2, cell="gru"):
    layer = getattr(stateful_lstm, f"make_{cell}")(units=units, input_dim=input_dim,
                                                   stateful=True, batch_size=1, seed=3)
    return StreamPool(stateful_lstm.step_model(layer), capacity=2)


def stepped_pool():
    pool = make_pool()
    a, b = pool.join(), pool.join()
    pool.step({a: np.ones((3, 2)), b: -np.ones((2, 2))})
    return pool, a, b


BAD_INPUTS = {
    "an unknown stream": (lambda a: {a + 100: np.ones((1, 2))}, "no stream 100 in this pool"),
    "another feature count": (lambda a: {a: np.ones((1, 3))}, r"shape \(T, 2\).*\(1, 3\)"),
    "no timesteps": (lambda a: {a: np.ones((0, 2))}, r"T >= 1.*\(0, 2\)"),
    "a batch dimension": (lambda a: {a: np.ones((1, 1, 2))}, r"\(T, 2\).*\(1, 1, 2\)"),
    "NaN": (lambda a: {a: np.full((1, 2), np.nan)}, "finite"),
    "strings": (lambda a: {a: np.array([["a", "b"]])}, "real-valued"),
}


def test_bad_input_is_refused_naming_what_was_expected_and_every_state_kept():
    pool, a, b = stepped_pool()
    before = {s: pool.get_state(s) for s in (a, b)}
    for what, (inputs, message) in BAD_INPUTS.items():
        # With a good input for the other stream: nothing runs when one input is bad.
        with pytest.raises(ValueError, match=message):
            pool.step({b: np.ones((1, 2)), **inputs(a)})
        for s in (a, b):
            np.testing.assert_array_equal(pool.get_state(s), before[s], err_msg=what)
    for call in (pool.reset, pool.leave, pool.get_state):
        with pytest.raises(ValueError, match=r"no stream 7.*\[0, 1\]"):
            call(7)


def test_an_error_of_the_step_model_leaves_every_state_as_it_was():
    pool, a, b = stepped_pool()
    before = {s: pool.get_state(s) for s in (a, b)}
    run, calls = pool.model.run, []

    def fails_second(x, *state):
        calls.append(len(x))
        if len(calls) == 2:
            raise RuntimeError("the runtime failed")
        return run(x, *state)
    pool.model.run = fails_second
    with pytest.raises(RuntimeError):
        pool.step({a: np.ones((1, 2)), b: np.ones((2, 2))})       # two batches: T 1 and 2
    for s in (a, b):
        np.testing.assert_array_equal(pool.get_state(s), before[s])


@settings(max_examples=20, deadline=None)
@given(joins=st.integers(3, 40))
def test_the_pool_grows_past_its_capacity_keeping_every_state(joins):
    pool, a, b = stepped_pool()
    before = {s: pool.get_state(s) for s in (a, b)}
    new = [pool.join() for _ in range(joins)]
    assert len(set(new)) == joins and not {a, b} & set(new)
    for s in (a, b):
        np.testing.assert_array_equal(pool.get_state(s), before[s])
    assert all(not pool.get_state(s)[0].any() for s in new)
    assert pool.streams == (a, b, *new)


def test_token_streams_through_an_exported_sequence_model():
    pytest.importorskip("onnxruntime")
    from stateful_lstm import export
    from stateful_lstm.step_session import StepSession
    model = stateful_lstm.make_sequence_model(vocab_size=7, embedding_dim=3, units=4,
                                              stateful=True, batch_size=1, seed=1)
    pool = StreamPool(StepSession(export.to_onnx(model, batch_size=None)))
    prompts = [np.array([1, 2, 3]), np.array([4]), np.array([5, 6, 0])]
    streams = [pool.join() for _ in prompts]
    got = pool.step(dict(zip(streams, prompts)))
    for stream, prompt in zip(streams, prompts):
        model.reset_states()
        np.testing.assert_allclose(got[stream], model.predict_on_batch(prompt[None])[0],
                                   rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="integer token ids"):
        pool.step({streams[0]: np.array([0.5])})
