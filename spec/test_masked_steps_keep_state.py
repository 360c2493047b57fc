"""Clause `masked-steps-keep-state`: a masked step leaves its row's (h, c) exactly as it was and
outputs the h the row keeps; a masked batch leaves each row as its real steps alone, fed to a
batch-size-1 model, leave it (SPEC.md section 16)."""
import numpy as np
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .assertions import assert_close, assert_identical
from .contract import CELLS
from .masking import REFUSED, compact, describe_mask, edge_mask, masked_call, patterns_taken
from .models import describe_call, feed_sequence, make_model
from .run import given

pytestmark = [pytest.mark.clause("masked-steps-keep-state"), pytest.mark.needs("masks"),
              pytest.mark.every_cell]
CALLS = st.integers(1, 3)


def start_states(data, setup, stateful):
    return data.draw(sst.states_of(setup),
                     label="states") if stateful else setup.zero_states()


def draw_masked_batch(data, setup, patterns=sst.MASK_PATTERNS):
    steps = data.draw(sst.timesteps(), label="steps")
    return (data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim), label="x"),
            data.draw(sst.masks(setup.batch_size, steps, patterns), label="mask"))


@given(data=st.data(), setup=sst.setups(), stateful=st.booleans(), calls=CALLS)
def test_masked_batches_leave_each_row_as_its_real_steps_alone(stateful_lstm_impl,
                                                               stateful_lstm_run, data, setup,
                                                               stateful, calls):
    impl = stateful_lstm_impl
    model = make_model(impl, setup, stateful=stateful)
    start = start_states(data, setup, stateful)
    if stateful:
        model.set_states([s.copy() for s in start])
    xs, masks, outputs = [], [], []
    for k in range(calls):
        x, mask = draw_masked_batch(data, setup, sst.WITH_A_REAL_STEP)
        out = masked_call(impl, model, "predict_on_batch", x, mask=mask,
                          what=f"call {k + 1} {describe_call(setup, stateful=stateful)}")
        if out is not REFUSED:
            xs, masks, outputs = [*xs, x], [*masks, mask], [*outputs, out]
    if not xs:
        return
    # Each row's real steps, fed alone to a batch-size-1 model: one sequence for a stateful
    # model; for a stateless one, each call from zeros.
    segments = [(xs, masks, outputs)] if stateful else [([x], [m], [o]) for x, m, o in
                                                        zip(xs, masks, outputs)]
    alone = make_model(impl, setup.with_batch_size(1), stateful=True)
    shown = "; ".join(describe_mask(m) for m in masks)
    for segment_xs, segment_masks, segment_outputs in segments:
        real_x, real_out = compact(segment_xs, segment_masks), compact(segment_outputs,
                                                                       segment_masks)
        for i in range(setup.batch_size):
            alone.set_states([s[i:i + 1].copy() for s in start])
            expected = feed_sequence(alone, real_x[i][None], stateful_lstm_run.palette)[0]
            label = describe_call(setup, stateful=stateful, row=i, masks=shown)
            assert_close(real_out[i], expected, f"outputs at the real steps of row {i} of the "
                         f"masked batches vs the row's real steps alone {label}")
            if stateful:
                for name, got, want in zip(CELLS[setup.cell].states, model.get_states(),
                                           alone.get_states()):
                    assert_close(got[i:i + 1], want, f"{name} of row {i} after the masked "
                                 f"batches vs after its real steps alone {label}")


@given(data=st.data(), setup=sst.setups(), stateful=st.booleans(), calls=CALLS)
def test_a_masked_step_outputs_the_h_its_row_keeps(stateful_lstm_impl, data, setup, stateful,
                                                   calls):
    impl = stateful_lstm_impl
    model = make_model(impl, setup, stateful=stateful)
    if stateful:
        model.set_states(start_states(data, setup, stateful))
    batches = [draw_masked_batch(data, setup, patterns_taken(impl)) for _ in range(calls)]
    # then, in every example, a call from a carried state with a mask where implementations
    # slip (``edge_mask``): a masked step before a row's first real step, a padded last step
    steps = data.draw(sst.timesteps(2), label="steps of the last call")
    batches.append((data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim),
                              label="x of the last call"), edge_mask(impl, setup.batch_size, steps)))
    for k, (x, mask) in enumerate(batches):
        if k == calls and not stateful:
            stateful, model = True, make_model(impl, setup, stateful=True)
            model.set_states(start_states(data, setup, True))
        held = model.get_states()[0] if stateful else np.zeros((setup.batch_size, setup.units),
                                                                np.float32)
        out = masked_call(impl, model, "predict_on_batch", x, mask=mask,
                          what=f"call {k + 1} {describe_call(setup, stateful=stateful)}")
        if out is REFUSED:
            continue
        expected = np.array(out)
        for t in range(mask.shape[1]):          # a masked step: the h as it stands
            expected[:, t] = np.where(mask[:, t, None], out[:, t], held)
            held = expected[:, t]
        label = describe_call(setup, stateful=stateful, call=k + 1, mask=describe_mask(mask))
        assert_close(out, expected, f"outputs of predict_on_batch at the masked steps vs the h "
                                    f"each row keeps there (its last real step's, or the h it "
                                    f"carried into the call) {label}")


@given(data=st.data(), setup=sst.setups())
def test_a_row_masked_for_a_whole_batch_keeps_its_state_bit_for_bit(stateful_lstm_impl, data,
                                                                    setup):
    impl = stateful_lstm_impl
    model = make_model(impl, setup)
    model.set_states(start_states(data, setup, True))
    x, mask = draw_masked_batch(data, setup, patterns_taken(impl))
    waiting = data.draw(st.lists(st.integers(0, setup.batch_size - 1), min_size=1, unique=True),
                        label="rows masked for the whole batch")
    mask[waiting] = False
    before = model.get_states()
    label = describe_call(setup, rows=waiting, mask=describe_mask(mask))
    if masked_call(impl, model, "predict_on_batch", x, mask=mask, what=label) is REFUSED:
        return
    for name, got, was in zip(CELLS[setup.cell].states, model.get_states(), before):
        assert_identical(got[waiting], was[waiting], f"{name} of the rows masked for the whole "
                                                     f"batch after predict_on_batch {label}")
