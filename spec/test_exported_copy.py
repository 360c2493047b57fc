"""Clause `exported-copy`: a model exported as a batch-size-1 step model with its state as inputs
and outputs, run by ONNX Runtime, OpenVINO or LiteRT (each its own verdict), continues row i of
the batch model from row i's state, and gives row i's outputs when fed row i's history from zeros
(SPEC.md section 20). The ONNX export tested (which OpenVINO converts, as its users convert
theirs) is the implementation's own ``to_onnx`` if it offers one, else the kit's
(``stateful_lstm.export.to_onnx``); the LiteRT copy is the kit's (``litert_export.to_tflite``)."""
import numpy as np
import pytest
from hypothesis import strategies as st

from stateful_lstm import export

from . import strategies as sst
from .assertions import assert_close, assert_states_close, not_applicable
from .contract import RUNTIMES
from .models import (
    describe_call,
    fed_token_history,
    feed,
    make_model,
    row_of,
    trained_batch_model,
)
from .run import given

pytestmark = [pytest.mark.clause("exported-copy"), pytest.mark.every_cell,
              pytest.mark.every_runtime, pytest.mark.stacks]


def exported_copy(impl, model, runtime, cell="lstm"):
    """A session (``run(x, *state) -> [y, *state]``) of ``model`` (of ``cell``) exported with
    batch size 1 and run by ``runtime`` (a key of ``RUNTIMES``): the implementation's
    ``to_onnx``, else the kit's, told the cell, in ONNX Runtime or converted by OpenVINO; the
    kit's ``.tflite`` copy in LiteRT."""
    if runtime == "litert":
        from stateful_lstm.adapters.keras3 import backend_in_use
        if backend_in_use() not in (None, "tensorflow"):
            not_applicable(f"the kit's LiteRT copy is converted from Keras on TensorFlow, and "
                           f"Keras runs {backend_in_use()} in this process (one backend per "
                           f"process)")
        from stateful_lstm.litert_export import to_tflite
        from stateful_lstm.litert_session import LiteRTSession
        return LiteRTSession(to_tflite(model, batch_size=1, cell=cell))
    proto = impl.to_onnx(model, batch_size=1) if hasattr(impl, "to_onnx") else \
        export.to_onnx(model, batch_size=1, cell=cell)
    if runtime == "openvino":
        from stateful_lstm.openvino_session import OpenVINOSession
        return OpenVINOSession(export.openvino_of(proto))
    from stateful_lstm.step_session import StepSession
    return StepSession(proto)


def step_by_step(session, inputs, *state):
    """``session``'s outputs for one row's ``inputs`` (T, ...) fed one step at a time from the
    ``state`` (``h, c``, or ``h``; a stack's every layer's: each (1, units)), each step's new
    state fed into the next:
    the outputs (T, ...) and the final state."""
    outputs = []
    for t in range(len(inputs)):
        out, *state = session.run(inputs[None, t:t + 1], *state)
        outputs.append(out[0])
    return np.concatenate(outputs), state


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_an_exported_lstm_given_row_i_state_continues_row_i(stateful_lstm_impl, stateful_lstm_run,
                                                             data, setup, steps):
    runtime = stateful_lstm_run.runtime
    model = make_model(stateful_lstm_impl, setup)
    history = data.draw(sst.input_batches(setup, (0, 2)), label="history")
    for x in history:
        model.predict_on_batch(x)
    row = data.draw(st.integers(0, setup.batch_size - 1), label="row")
    session = exported_copy(stateful_lstm_impl, model, runtime, setup.cell)
    start = row_of(model.get_states(), row)
    x = data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x")
    expected = model.predict_on_batch(x)[row]
    got, state = step_by_step(session, x[row], *start)
    label = describe_call(setup, row=row, history=len(history), timesteps=steps)
    copy = f"exported batch-1 LSTM run by {RUNTIMES[runtime].title}"
    assert_close(got, expected, f"{copy} from row {row}'s state, fed its next steps one at a "
                                f"time, vs row {row} of the model {label}")
    assert_states_close(state, row_of(model.get_states(), row),
                        f"{copy}: its final state vs row {row} of the model's {label}")


@given(data=st.data(), setup=sst.setups())
def test_an_exported_lstm_fed_row_i_history_gives_row_i_outputs(stateful_lstm_impl,
                                                                 stateful_lstm_run, data, setup):
    runtime = stateful_lstm_run.runtime
    model = make_model(stateful_lstm_impl, setup)
    batches = data.draw(sst.input_batches(setup, (1, 3)), label="batches")
    expected = feed(model, batches)
    row = data.draw(st.integers(0, setup.batch_size - 1), label="row")
    got, state = step_by_step(exported_copy(stateful_lstm_impl, model, runtime, setup.cell),
                              np.concatenate([x[row] for x in batches]),
                              *setup.zero_states(batch=1))
    label = describe_call(setup, row=row, batches=len(batches))
    copy = f"exported batch-1 LSTM run by {RUNTIMES[runtime].title}"
    assert_close(got, expected[row], f"{copy} fed row {row}'s history one step at a time from "
                                     f"zeros vs row {row} of the model {label}")
    assert_states_close(state, row_of(model.get_states(), row),
                        f"{copy}: its final state vs row {row} of the model's {label}")


@pytest.mark.needs("make_sequence_model")
@given(data=st.data(), setup=sst.sequence_setups(), history=st.integers(0, 2),
       steps=sst.timesteps())
def test_an_exported_sequence_model_given_row_i_state_continues_row_i(
        stateful_lstm_impl, stateful_lstm_run, data, setup, history, steps):
    runtime = stateful_lstm_run.runtime
    model = trained_batch_model(stateful_lstm_impl, data, setup)
    for _ in range(history):
        model.predict_on_batch(data.draw(sst.token_batches(
            setup.batch_size, data.draw(sst.timesteps()), setup.vocab_size), label="history"))
    row = data.draw(st.integers(0, setup.batch_size - 1), label="row")
    session = exported_copy(stateful_lstm_impl, model, runtime, setup.cell)
    start = row_of(model.get_states(), row)
    x = data.draw(sst.token_batches(setup.batch_size, steps, setup.vocab_size), label="x")
    expected = model.predict_on_batch(x)[row]
    got, state = step_by_step(session, x[row].astype(np.int64), *start)
    label = describe_call(setup, row=row, history=history, timesteps=steps)
    copy = f"exported batch-1 sequence model run by {RUNTIMES[runtime].title}"
    assert_close(got, expected, f"{copy} from row {row}'s state, fed its next tokens one at a "
                                f"time, vs row {row} of the model {label}")
    assert_states_close(state, row_of(model.get_states(), row),
                        f"{copy}: its final state vs row {row} of the model's {label}")


@pytest.mark.needs("make_sequence_model")
@given(data=st.data(), setup=sst.sequence_setups(), history=st.integers(1, 3))
def test_an_exported_sequence_model_fed_row_i_history_gives_row_i_outputs(
        stateful_lstm_impl, stateful_lstm_run, data, setup, history):
    runtime = stateful_lstm_run.runtime
    model = trained_batch_model(stateful_lstm_impl, data, setup)
    batches, expected = fed_token_history(data, setup, model, history)
    row = data.draw(st.integers(0, setup.batch_size - 1), label="row")
    tokens = np.concatenate([x[row] for x in batches]).astype(np.int64)
    got, state = step_by_step(exported_copy(stateful_lstm_impl, model, runtime, setup.cell),
                              tokens, *setup.zero_states(batch=1))
    label = describe_call(setup, row=row, batches=len(batches))
    copy = f"exported batch-1 sequence model run by {RUNTIMES[runtime].title}"
    assert_close(got, expected[row], f"{copy} fed row {row}'s history one token at a time from "
                                     f"zeros vs row {row} of the model {label}")
    assert_states_close(state, row_of(model.get_states(), row),
                        f"{copy}: its final state vs row {row} of the model's {label}")
