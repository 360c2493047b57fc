"""Clause `stateful-loop-rules`: a stateful model's loops keep row i continuing row i: a partial
last batch or another batch size is refused before anything runs, every input row gets one
output row, fit never reorders samples by default and refuses to shuffle, and validation inside
fit leaves the training state alone (SPEC.md section 22)."""
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .assertions import (
    assert_close,
    assert_identical,
    assert_raises,
    assert_states_close,
    assert_states_identical,
    assert_that,
    fail,
)
from .loop_calls import batch_evaluation, batch_training, classifier_samples
from .models import CLASSIFIER_WEIGHT_NAMES, describe_call, make_classifier, make_model
from .run import given

pytestmark = [pytest.mark.clause("stateful-loop-rules"), pytest.mark.needs("loops"),
              pytest.mark.every_cell]


def refused_loops(batch_size, whole):
    """Every refused ``(samples, batch_size)`` of a stateful model of ``batch_size`` rows after
    ``whole`` whole batches: each partial last batch, then each other batch size up to twice
    its own (cheap to refuse: all of them, in every example)."""
    partial = [(whole * batch_size + rest, batch_size) for rest in range(1, batch_size)]
    return partial + [(whole * batch_size, other) for other in range(1, 2 * batch_size + 1)
                      if other != batch_size]


def usable_after(what, read):
    """``read()`` of a model after its refused ``what``: an exception there is a violation (a
    refusal leaves the model as it was, usable)."""
    try:
        return read()
    except Exception as error:     # noqa: BLE001 (any exception: the model is not as it was)
        fail(f"after the refused {what}, the model no longer works: {type(error).__name__}: "
             f"{error}")


def stateful_classifier(impl, data, setup):
    """A stateful classifier of ``setup`` with drawn Dense weights and carried state, and its
    twin (the same weights and state)."""
    dense = data.draw(sst.dense_weights(setup.units, setup.n_classes), label="dense")
    states = data.draw(sst.states_of(setup),
                       label="carried state")
    models = [make_classifier(impl, setup, setup.n_classes, dense) for _ in range(2)]
    for model in models:
        model.set_states([s.copy() for s in states])
    return models


@given(data=st.data(), setup=sst.setups(min_batch=2), whole=st.integers(1, 2),
       steps=sst.timesteps())
def test_predict_refuses_a_partial_last_batch_before_anything_runs(stateful_lstm_impl, data,
                                                                   setup, whole, steps):
    model, twin = make_model(stateful_lstm_impl, setup), make_model(stateful_lstm_impl, setup)
    states = data.draw(sst.states_of(setup),
                       label="carried state")
    for each in (model, twin):
        each.set_states([s.copy() for s in states])
    x = data.draw(sst.inputs((whole + 1) * setup.batch_size, steps, setup.input_dim), label="x")
    for samples, size in refused_loops(setup.batch_size, whole):
        what = f"predict of {samples} samples with batch_size {size}"
        label = describe_call(setup, timesteps=steps, samples=samples, loop_batch_size=size)
        assert_raises(lambda n=samples, b=size: model.predict(x[:n], b), f"{what} {label}")
        assert_states_identical(usable_after(what, model.get_states), states,
                                f"state after the refused {what} {label}")
    fits = x[:whole * setup.batch_size]
    assert_close(usable_after("calls", lambda: model.predict(fits, setup.batch_size)),
                 twin.predict(fits, setup.batch_size),
                 f"predict of whole batches after the refused calls vs a model that never saw "
                 f"them {describe_call(setup, timesteps=steps)}")


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(min_batch=2, max_classes=sst.MAX_CLASSES),
       whole=st.integers(1, 2), steps=sst.timesteps())
def test_evaluate_and_fit_refuse_a_partial_last_batch_before_anything_runs(
        stateful_lstm_impl, data, setup, whole, steps):
    model, twin = stateful_classifier(stateful_lstm_impl, data, setup)
    states, weights = model.get_states(), model.get_weights()
    x, y, sample_weight = classifier_samples(data, setup, (whole + 1) * setup.batch_size, steps)
    fits = whole * setup.batch_size
    calls = {}
    for samples, size in refused_loops(setup.batch_size, whole):
        rows = slice(0, samples)
        part = None if sample_weight is None else sample_weight[rows]
        calls[f"evaluate of {samples} samples with batch_size {size}"] = \
            lambda rows=rows, size=size, part=part: model.evaluate(x[rows], y[rows], size,
                                                                     sample_weight=part)
        calls[f"fit on {samples} samples with batch_size {size}"] = \
            lambda rows=rows, size=size, part=part: model.fit(x[rows], y[rows], size,
                                                                sample_weight=part, shuffle=False)
        if size == setup.batch_size:
            calls[f"fit on {fits} samples with validation_data of {samples}"] = \
                lambda rows=rows: model.fit(x[:fits], y[:fits], setup.batch_size, shuffle=False,
                                            validation_data=(x[rows], y[rows]))
    label = describe_call(setup, timesteps=steps, weighted=sample_weight is not None)
    for what, call in calls.items():
        assert_raises(call, f"{what} {label}")
        assert_states_identical(usable_after(what, model.get_states), states,
                                f"state after the refused {what} {label}")
        for name, got, before in zip(CLASSIFIER_WEIGHT_NAMES,
                                     usable_after(what, model.get_weights), weights):
            assert_identical(got, before, f"{name} after the refused {what} {label}")
    assert_close(usable_after("calls", lambda: model.predict(x[:fits], setup.batch_size)),
                 twin.predict(x[:fits], setup.batch_size),
                 f"predict of whole batches after the refused calls vs a model that never saw "
                 f"them {label}")


@given(data=st.data(), setup=sst.setups(), stateful=st.booleans(), steps=sst.timesteps())
def test_predict_gives_one_row_per_input_row(stateful_lstm_impl, data, setup, stateful, steps):
    model = make_model(stateful_lstm_impl, setup, stateful=stateful)
    if stateful:
        size = setup.batch_size
        samples = size * data.draw(st.integers(1, 3), label="whole batches")
    else:
        size = data.draw(sst.batch_sizes(), label="batch_size of predict")
        samples = data.draw(st.integers(1, 3 * sst.MAX_BATCH), label="samples")
    x = data.draw(sst.inputs(samples, steps, setup.input_dim), label="x")
    got = model.predict(x, size)
    label = describe_call(setup, stateful=stateful, samples=samples, loop_batch_size=size,
                          timesteps=steps)
    assert_that(getattr(got, "shape", None) == (samples, steps, setup.units),
                f"predict of {samples} samples returned shape {getattr(got, 'shape', None)}, "
                f"but should be {(samples, steps, setup.units)}: one row per input row {label}")
    if not stateful:
        del model       # (an implementation that pools its models may hand the same one out again)
        one_call = make_model(stateful_lstm_impl, setup, stateful=False).predict_on_batch(x)
        assert_close(got, one_call, f"a stateless model's predict vs one predict_on_batch of "
                                    f"every row {label}")


def at_least_six_samples(batch_size):
    """Whole batches of ``batch_size`` rows making at least six samples (two batches at least):
    a reordering of six or more samples leaves them in order once in 720 at most."""
    least = max(2, -(-6 // batch_size))
    return st.integers(least, least + 1)


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(max_classes=sst.MAX_CLASSES), steps=sst.timesteps())
def test_fit_keeps_the_order_of_a_stateful_models_samples_by_default(stateful_lstm_impl, data,
                                                                     setup, steps):
    model, twin = stateful_classifier(stateful_lstm_impl, data, setup)
    whole = data.draw(at_least_six_samples(setup.batch_size), label="whole batches")
    x, y, sample_weight = classifier_samples(data, setup, whole * setup.batch_size, steps)
    label = describe_call(setup, samples=len(x), timesteps=steps,
                          weighted=sample_weight is not None)
    history = model.fit(x, y, setup.batch_size, sample_weight=sample_weight)
    expected = batch_training(twin, x, y, setup.batch_size, epochs=1,
                              sample_weight=sample_weight)
    assert_states_close(model.get_states(), twin.get_states(),
                        f"state after fit with shuffle left to its default vs train_on_batch on "
                        f"the samples in order {label}")
    assert_close(history["loss"], expected, f"fit's loss with shuffle left to its default vs "
                                            f"train_on_batch on the samples in order {label}")


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(max_classes=sst.MAX_CLASSES), steps=sst.timesteps())
def test_fit_refuses_to_shuffle_a_stateful_models_samples(stateful_lstm_impl, data, setup,
                                                           steps):
    model, _ = stateful_classifier(stateful_lstm_impl, data, setup)
    states, weights = model.get_states(), model.get_weights()
    whole = data.draw(at_least_six_samples(setup.batch_size), label="whole batches")
    x, y, _ = classifier_samples(data, setup, whole * setup.batch_size, steps)
    label = describe_call(setup, samples=len(x), timesteps=steps)
    assert_raises(lambda: model.fit(x, y, setup.batch_size, shuffle=True),
                  f"fit(shuffle=True) of a stateful classifier {label}")
    assert_states_identical(model.get_states(), states,
                            f"state after the refused fit(shuffle=True) {label}")
    for name, got, before in zip(CLASSIFIER_WEIGHT_NAMES, model.get_weights(), weights):
        assert_identical(got, before, f"{name} after the refused fit(shuffle=True) {label}")


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(max_classes=sst.MAX_CLASSES), steps=sst.timesteps(),
       epochs=st.integers(1, 2), whole=st.integers(1, 2), reset=st.booleans())
def test_validation_in_fit_starts_from_zeros_and_leaves_the_training_state(
        stateful_lstm_impl, data, setup, steps, epochs, whole, reset):
    model, twin = stateful_classifier(stateful_lstm_impl, data, setup)
    size = setup.batch_size
    x, y, sample_weight = classifier_samples(data, setup, whole * size, steps)
    validation = classifier_samples(data, setup, data.draw(st.integers(1, 2)) * size, steps)
    validation = validation if validation[2] is not None else validation[:2]
    label = describe_call(setup, samples=len(x), validation_samples=len(validation[0]),
                          timesteps=steps, epochs=epochs, reset_each_epoch=reset)
    history = model.fit(x, y, size, epochs=epochs, shuffle=False, sample_weight=sample_weight,
                        validation_data=validation, reset_each_epoch=reset)
    losses, validation_losses = [], []
    for _ in range(epochs):
        losses += batch_training(twin, x, y, size, epochs=1, sample_weight=sample_weight)
        training_state = twin.get_states()
        twin.reset_states()
        validation_losses.append(batch_evaluation(twin, *validation[:2], size, *validation[2:]))
        twin.set_states(training_state)
        if reset:
            twin.reset_states()
    assert_states_close(model.get_states(), twin.get_states(),
                        f"state after fit with validation_data vs the same training without "
                        f"{label}")
    for name, got, expected in zip(CLASSIFIER_WEIGHT_NAMES, model.get_weights(),
                                   twin.get_weights()):
        assert_close(got, expected, f"{name} after fit with validation_data vs the same "
                                    f"training without {label}")
    assert_close(history["loss"], losses, f"fit's loss with validation_data vs the same "
                                          f"training without {label}")
    assert_that("val_loss" in history, f"fit with validation_data returned no val_loss: "
                                       f"{sorted(history)} {label}")
    assert_close(history["val_loss"], validation_losses,
                 f"fit's val_loss vs evaluate from a zero state after each epoch {label}")
