"""Clause `stream-pool`: streams served at once through one batched step model (the
implementation's ``step_model``, in the kit's ``StreamPool``) each get what the stream alone gets
through a batch-size-1 copy from zeros, for any interleaving of joins, steps, resets and leaves;
and threads sharing a loaded step model, or a pool, never see each other's state (SPEC.md
section 23)."""
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from stateful_lstm.stream_pool import StreamPool

from . import strategies as sst
from .assertions import assert_close, assert_states_close
from .models import describe_call, make_model
from .pool_machine import rows, serves_streams_as_if_alone
from .run import given

pytestmark = [pytest.mark.clause("stream-pool"), pytest.mark.needs("step_model"),
              pytest.mark.every_cell]
THREAD_STEPS = 12       # each thread's stream, one step a call


def test_any_interleaving_serves_each_stream_as_if_alone(stateful_lstm_impl, stateful_lstm_run):
    examples = stateful_lstm_run.examples or settings.default.max_examples
    run_state_machine_as_test(serves_streams_as_if_alone(stateful_lstm_impl, stateful_lstm_run),
                              settings=settings(settings.default, max_examples=examples,
                                                stateful_step_count=10))


def in_two_threads(serve):
    """``serve(i, wait)`` for i = 0, 1, each in its own thread, ``wait()`` a barrier both
    threads pass before each call (so that their calls overlap); the two results, or the first
    error raised."""
    barrier = threading.Barrier(2, timeout=30)

    def serving(i):
        try:
            return serve(i, barrier.wait)
        except BaseException:
            barrier.abort()          # the other thread's wait raises instead of hanging
            raise
    with ThreadPoolExecutor(2) as threads:
        return [f.result() for f in [threads.submit(serving, i) for i in range(2)]]


@given(data=st.data(), setup=sst.setups())
def test_two_threads_sharing_one_step_model_never_see_each_others_state(stateful_lstm_impl,
                                                                          data, setup):
    shared = stateful_lstm_impl.step_model(make_model(stateful_lstm_impl, setup))
    xs = [data.draw(sst.inputs(1, THREAD_STEPS, setup.input_dim), label=f"x of thread {i}")
          for i in range(2)]

    def serve(i, wait=lambda: None):
        """Thread i's stream through ``shared``, one step a call, its state its own."""
        state, outputs = setup.zero_states(batch=1), []
        for t in range(THREAD_STEPS):
            wait()
            y, *state = shared.run(xs[i][:, t:t + 1], *state)
            outputs.append(np.asarray(y)[0])
        return np.concatenate(outputs), state
    alone = [serve(i) for i in range(2)]
    label = describe_call(setup, timesteps=THREAD_STEPS)
    for i, (outputs, state) in enumerate(in_two_threads(serve)):
        assert_close(outputs, alone[i][0], f"thread {i}'s stream through a step model another "
                                           f"thread runs at the same time vs alone {label}")
        assert_states_close(state, alone[i][1], f"thread {i}'s final state vs alone {label}")


@given(data=st.data(), setup=sst.setups())
def test_two_threads_sharing_one_pool_never_see_each_others_state(stateful_lstm_impl, data,
                                                                   setup):
    xs = [data.draw(sst.inputs(1, THREAD_STEPS, setup.input_dim), label=f"x of thread {i}")[0]
          for i in range(2)]
    copy = make_model(stateful_lstm_impl, setup, batch_size=1)
    pool = StreamPool(stateful_lstm_impl.step_model(copy))

    def serve(i, wait):
        stream = pool.join()
        wait()
        outputs = [pool.step({stream: xs[i][t:t + 1]})[stream] for t in range(THREAD_STEPS)]
        return np.concatenate(outputs), pool.get_state(stream)
    label = describe_call(setup, timesteps=THREAD_STEPS)
    for i, (outputs, state) in enumerate(in_two_threads(serve)):
        copy.reset_states()
        assert_close(outputs, copy.predict_on_batch(xs[i][None])[0],
                     f"thread {i}'s stream in a pool another thread serves at the same time vs "
                     f"a batch-1 copy from zeros {label}")
        assert_states_close(rows(state), copy.get_states(),
                            f"thread {i}'s stream's final state vs the copy's {label}")
