"""Clause `bad-batch-rejected`: a stateful model refuses input or state of the wrong shape, and the
carried state is exactly as it was afterwards (SPEC.md section 6)."""
import numpy as np
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .assertions import (
    assert_close,
    assert_float32,
    assert_identical,
    assert_raises,
    assert_states_identical,
)
from .contract import CELLS
from .models import WEIGHT_NAMES, describe_call, draw_classifier, feed, make_model, weight_names
from .run import given

pytestmark = [pytest.mark.clause("bad-batch-rejected"), pytest.mark.every_cell, pytest.mark.stacks]


def assert_refused_and_state_kept(impl, setup, data, refused):
    """Each call of ``refused`` (``{what: call(model)}``, tried in turn on one model) raises, on a
    fresh model or after a history batch (frameworks that trace per shape may behave
    differently on each); the state is unchanged after each, and the next good batch gives what
    it gives on a model that never saw them."""
    fresh = data.draw(st.booleans(), label="fresh model (no history)")
    model, control = make_model(impl, setup), make_model(impl, setup)
    if not fresh:
        history = data.draw(sst.input_batches(setup, count=1), label="history")
        feed(model, history)
        feed(control, history)
    before = model.get_states()
    where = "a fresh model" if fresh else "a model after a history batch"
    for what, bad_call in refused.items():
        assert_raises(lambda bad_call=bad_call: bad_call(model),
                      f"{what} on {where} {describe_call(setup)}")
        assert_states_identical(model.get_states(), before,
                                f"after the refused {what} on {where} {describe_call(setup)}")
    x = data.draw(sst.inputs(setup.batch_size, 2, setup.input_dim), label="next")
    assert_close(model.predict_on_batch(x), control.predict_on_batch(x),
                 f"predict_on_batch after the refused {', '.join(refused)} on {where} "
                 f"{describe_call(setup)} vs a model that never saw them")


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_batch_of_another_size_is_refused(stateful_lstm_impl, data, setup, steps):
    wrong = data.draw(sst.sizes(2, sst.MAX_BATCH + 2).filter(lambda b: b != setup.batch_size),
                      label="wrong batch size")
    x = data.draw(sst.inputs(wrong, steps, setup.input_dim), label="x")
    assert_refused_and_state_kept(stateful_lstm_impl, setup, data, {
        f"predict_on_batch of a batch of {wrong} rows": lambda m: m.predict_on_batch(x)})


@given(data=st.data(), setup=sst.setups(min_batch=2),
       steps=sst.timesteps())
def test_batch_of_one_row_is_refused_by_a_larger_model(stateful_lstm_impl, data, setup, steps):
    # A single row must not be broadcast over the carried rows.
    x = data.draw(sst.inputs(1, steps, setup.input_dim), label="x")
    assert_refused_and_state_kept(stateful_lstm_impl, setup, data, {
        "predict_on_batch of a batch of 1 row": lambda m: m.predict_on_batch(x)})


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_another_feature_count_is_refused(stateful_lstm_impl, data, setup, steps):
    wrong = data.draw(sst.sizes(1, sst.MAX_INPUT_DIM + 2).filter(lambda f: f != setup.input_dim),
                      label="wrong input_dim")
    x = data.draw(sst.inputs(setup.batch_size, steps, wrong), label="x")
    assert_refused_and_state_kept(stateful_lstm_impl, setup, data, {
        f"predict_on_batch with {wrong} features per timestep": lambda m: m.predict_on_batch(x)})


def not_3d_shapes(batch, steps, input_dim):
    """Inputs of rank 1, 2 and 4 a user might pass by mistake: one row; (batch, input_dim), one
    timestep without its axis; (batch, timesteps), one feature without its axis; the right shape
    with an extra axis. Each test tries them all: a framework may accept only one of them, and
    only on a new model."""
    return [(batch,), (batch, input_dim), (batch, steps), (batch, steps, input_dim, 1)]


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_input_that_is_not_3d_is_refused(stateful_lstm_impl, data, setup, steps):
    for shape in not_3d_shapes(setup.batch_size, steps, setup.input_dim):
        x = data.draw(sst.float32_arrays(shape, sst.INPUT_BOUND), label=f"x of shape {shape}")
        # Each on a model of its own: a framework may accept one only on a new model.
        assert_refused_and_state_kept(stateful_lstm_impl, setup, data, {
            f"predict_on_batch of a {len(shape)}-D input of shape {shape}":
                lambda m, x=x: m.predict_on_batch(x)})


@given(data=st.data(), setup=sst.setups(), steps=sst.timesteps())
def test_input_that_is_not_3d_is_refused_by_a_stateless_model(stateful_lstm_impl, data, setup,
                                                              steps):
    # A stateless model has no state to protect, but reading (batch, input_dim) as one unbatched
    # sequence, or (batch, timesteps) as one feature, silently computes something else.
    for shape in not_3d_shapes(setup.batch_size, steps, setup.input_dim):
        x = data.draw(sst.float32_arrays(shape, sst.INPUT_BOUND), label=f"x of shape {shape}")
        model = make_model(stateful_lstm_impl, setup, stateful=False)
        assert_raises(lambda model=model, x=x: model.predict_on_batch(x),
                      f"predict_on_batch of a {len(shape)}-D input of shape {shape} on a new "
                      f"stateless model {describe_call(setup)}")


@given(data=st.data(), setup=sst.setups())
def test_set_states_with_a_wrong_count_of_arrays_is_refused(stateful_lstm_impl, data, setup):
    # None, one fewer (for an LSTM; none again for a cell whose state is [h]) and one more; a
    # stack's one layer's arrays too.
    states = data.draw(sst.states_of(setup), label="states")
    one_layer = len(CELLS[setup.cell].states)
    assert_refused_and_state_kept(stateful_lstm_impl, setup, data, {
        f"set_states of {count} arrays": lambda m, count=count: m.set_states(
            [*states, states[-1]][:count])
        for count in sorted({0, len(states) - 1, len(states) + 1} |
                            ({one_layer} if setup.layers > 1 else set()))})


@given(data=st.data(), setup=sst.setups(), which=st.sampled_from(["h", "c", "both"]))
def test_set_states_with_a_wrong_shape_is_refused(stateful_lstm_impl, data, setup, which):
    # Every shape a caller is likely to pass by mistake (those NumPy would broadcast to
    # (batch_size, units) among them), and one drawn from all the others; a cell whose state is
    # [h] alone gets a wrong h whatever ``which`` says; in a stack, the arrays of one drawn
    # layer (the others right).
    right = (setup.batch_size, setup.units)
    names = CELLS[setup.cell].states
    states = data.draw(sst.states_of(setup), label="states")
    layer = data.draw(st.integers(0, setup.layers - 1), label="layer") if setup.layers > 1 else 0
    changed = {layer * len(names) + i for i, name in enumerate(names)
               if which in (name, "both") or len(names) == 1}
    refused = {}
    for shape in [*sst.near_shapes(right), data.draw(sst.wrong_shapes(right), label="shape")]:
        bad = [np.resize(s, shape) if i in changed else s for i, s in enumerate(states)]
        refused[f"set_states with shapes {[a.shape for a in bad]} (the state is {right})"] = \
            lambda m, bad=bad: m.set_states(bad)
    assert_refused_and_state_kept(stateful_lstm_impl, setup, data, refused)


@given(data=st.data(), setup=sst.setups(), which=st.sampled_from(WEIGHT_NAMES))
def test_set_weights_with_a_wrong_shape_is_refused(stateful_lstm_impl, data, setup, which):
    # A wrong shape must fail at set_weights, not at some later call, and change nothing: every
    # likely mistake for ``which`` (``near_shapes``; in a stack, of one drawn layer), one shape
    # drawn from all the others, and the wrong counts of arrays (a stack's one layer's too).
    layer = data.draw(st.integers(0, setup.layers - 1), label="layer") if setup.layers > 1 else 0
    index = layer * len(WEIGHT_NAMES) + WEIGHT_NAMES.index(which)
    right = setup.weights[index].shape
    shapes = [*sst.near_shapes(right), data.draw(sst.wrong_shapes(right), label="shape")]
    weights = [w.copy() for w in setup.weights]
    counts = [0, len(weights) - 1, len(weights) + 1] + [3] * (setup.layers > 1)
    wrong = [[np.resize(w, shape) if i == index else w for i, w in enumerate(weights)]
             for shape in shapes] + [[*weights, weights[-1]][:count] for count in counts]
    model = make_model(stateful_lstm_impl, setup)
    feed(model, data.draw(sst.input_batches(setup, count=1), label="history"))
    before = model.get_states()
    for bad in wrong:
        what = f"set_weights with shapes {[np.shape(w) for w in bad]} {describe_call(setup)}"
        assert_raises(lambda bad=bad: model.set_weights([w.copy() for w in bad]), what)
        for name, now, kept in zip(weight_names(setup), model.get_weights(), setup.weights):
            assert_identical(now, kept, f"{name} after the refused {what}")
        assert_states_identical(model.get_states(), before, f"the state after the refused {what}")


@given(data=st.data(), setup=sst.setups())
def test_a_batch_of_no_timesteps_is_refused_or_changes_nothing(stateful_lstm_impl, data, setup):
    history = data.draw(sst.input_batches(setup, count=1), label="history")
    model = make_model(stateful_lstm_impl, setup)
    feed(model, history)
    before = model.get_states()
    empty = np.zeros((setup.batch_size, 0, setup.input_dim), np.float32)
    label = describe_call(setup, timesteps=0)
    try:
        out = model.predict_on_batch(empty)
    except Exception:      # noqa: BLE001 (refusing is allowed, with any exception)
        what = "after a refused batch of 0 timesteps"
    else:
        assert_float32(out, (setup.batch_size, 0, setup.units), f"predict_on_batch {label}")
        what = "after a batch of 0 timesteps"
    assert_states_identical(model.get_states(), before, f"{what} {label}")


def assert_a_classifier_refuses(data, impl, setup, steps, call, rows):
    """A stateful classifier with a history refuses ``call`` on a batch of ``rows`` rows and keeps
    its state."""
    model, n_classes, _ = draw_classifier(data, impl, setup)
    model.predict_on_batch(data.draw(sst.inputs(setup.batch_size, steps, setup.input_dim),
                                     label="history"))
    before = model.get_states()
    x = data.draw(sst.inputs(rows, steps, setup.input_dim), label="x")
    y = data.draw(sst.one_hot_targets(rows, n_classes), label="y")
    label = describe_call(setup, n_classes=n_classes, timesteps=steps)
    bad = (lambda: model.predict_on_batch(x)) if call == "predict_on_batch" else \
        (lambda: model.train_on_batch(x, y))
    assert_raises(bad, f"a classifier's {call} of a batch of {rows} rows {label}")
    assert_states_identical(model.get_states(), before,
                            f"a classifier's state after its refused {call} of {rows} rows "
                            f"{label}")


CLASSIFIER_CALLS = st.sampled_from(["predict_on_batch", "train_on_batch"])


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(max_classes=sst.MAX_CLASSES), steps=sst.timesteps(),
       call=CLASSIFIER_CALLS)
def test_a_classifier_refuses_a_batch_of_another_size(stateful_lstm_impl, data, setup, steps,
                                                      call):
    wrong = data.draw(sst.sizes(2, sst.MAX_BATCH + 2).filter(lambda b: b != setup.batch_size),
                      label="wrong batch size")
    assert_a_classifier_refuses(data, stateful_lstm_impl, setup, steps, call, wrong)


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(min_batch=2, max_classes=sst.MAX_CLASSES),
       steps=sst.timesteps(), call=CLASSIFIER_CALLS)
def test_a_classifier_refuses_a_batch_of_one_row(stateful_lstm_impl, data, setup, steps, call):
    # The classifier is a model of its own: a single row must not be broadcast over its rows
    # either.
    assert_a_classifier_refuses(data, stateful_lstm_impl, setup, steps, call, 1)
