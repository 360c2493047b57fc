"""Clause `loops-are-batch-calls`: predict, evaluate and fit over many batches are the batch calls
on consecutive slices, and the tutorial's own loop through fit learns positions, as its batch
calls do (SPEC.md section 21)."""
import pytest
from hypothesis import strategies as st

from . import strategies as sst
from .assertions import assert_close, assert_states_close, assert_that
from .experiment_assertions import assert_position_only
from .loop_calls import (
    batch_evaluation,
    batch_predictions,
    batch_training,
    classifier_samples,
    loop_samples,
    token_samples,
)
from .models import (
    CLASSIFIER_WEIGHT_NAMES,
    SEQUENCE_WEIGHT_NAMES,
    describe_call,
    make_classifier,
    make_model,
    make_sequence_model,
)
from .run import given
from .training_steps import LEARNING_RATES

pytestmark = [pytest.mark.clause("loops-are-batch-calls"), pytest.mark.needs("loops"),
              pytest.mark.every_cell]


def twins(build, data, setup, stateful):
    """Two models of ``build()``, given the same drawn carried state if stateful."""
    model, twin = build(), build()
    if stateful:
        cell = getattr(setup, "cell", "lstm")          # (a sequence model's is the LSTM)
        states = data.draw(sst.carried_states(setup.batch_size, setup.units, cell),
                           label="carried state")
        model.set_states([s.copy() for s in states])
        twin.set_states([s.copy() for s in states])
    return model, twin


def assert_same_state(model, twin, what):
    if model.stateful:
        assert_states_close(model.get_states(), twin.get_states(), what)


@given(data=st.data(), setup=sst.setups(), stateful=st.booleans(), steps=sst.timesteps())
def test_predict_is_predict_on_batch_on_consecutive_slices(stateful_lstm_impl, data, setup,
                                                           stateful, steps):
    model, twin = twins(lambda: make_model(stateful_lstm_impl, setup, stateful=stateful), data,
                        setup, stateful)
    samples = loop_samples(data, setup, stateful)
    x = data.draw(sst.inputs(samples, steps, setup.input_dim), label="x")
    label = describe_call(setup, stateful=stateful, samples=samples, timesteps=steps)
    got = model.predict(x, setup.batch_size)
    expected = batch_predictions(twin, x, setup.batch_size)
    assert_that(getattr(got, "shape", None) == expected.shape,
                f"predict returned shape {getattr(got, 'shape', None)}, but one row per sample "
                f"is {expected.shape} {label}")
    assert_close(got, expected, f"predict vs predict_on_batch on consecutive slices {label}")
    assert_same_state(model, twin, f"state after predict vs after the batch calls {label}")


def assert_loops_are_batch_calls(data, setup, model, twin, samples, weight_names, label):
    """``model``'s evaluate, fit (shuffle=False) and predict, one after the other, against its
    twin's batch calls: losses, weights, outputs and the carried state after each."""
    x, y, sample_weight = samples
    size = setup.batch_size
    label = describe_call(setup, stateful=model.stateful, samples=len(x),
                          timesteps=x.shape[1], weighted=sample_weight is not None, **label)
    assert_close(model.evaluate(x, y, size, sample_weight=sample_weight),
                 batch_evaluation(twin, x, y, size, sample_weight),
                 f"evaluate vs test_on_batch on consecutive slices, rows-weighted mean {label}")
    assert_same_state(model, twin, f"state after evaluate vs after the batch calls {label}")
    epochs = data.draw(st.integers(1, 2), label="epochs")
    reset = data.draw(st.booleans(), label="reset_each_epoch")
    history = model.fit(x, y, size, epochs=epochs, shuffle=False, sample_weight=sample_weight,
                        reset_each_epoch=reset)
    fitted = f"{label[:-1]}, epochs={epochs}, reset_each_epoch={reset}]"
    assert_close(history["loss"], batch_training(twin, x, y, size, epochs=epochs,
                                                 sample_weight=sample_weight,
                                                 reset_each_epoch=reset),
                 f"fit's loss of each epoch vs train_on_batch on consecutive slices {fitted}")
    for name, got, expected in zip(weight_names, model.get_weights(), twin.get_weights()):
        assert_close(got, expected, f"{name} after fit vs after the batch calls {fitted}")
    assert_same_state(model, twin, f"state after fit vs after the batch calls {fitted}")
    assert_close(model.predict(x, size), batch_predictions(twin, x, size),
                 f"predict after fit vs predict_on_batch on consecutive slices {fitted}")
    assert_same_state(model, twin, f"state after predict vs after the batch calls {fitted}")


@pytest.mark.needs("make_classifier")
@given(data=st.data(), setup=sst.setups(max_classes=sst.MAX_CLASSES), stateful=st.booleans(),
       steps=sst.timesteps(), learning_rate=st.sampled_from(LEARNING_RATES))
def test_a_classifiers_loops_are_its_batch_calls(stateful_lstm_impl, data, setup, stateful,
                                                 steps, learning_rate):
    dense = data.draw(sst.dense_weights(setup.units, setup.n_classes), label="dense")
    model, twin = twins(lambda: make_classifier(stateful_lstm_impl, setup, setup.n_classes, dense,
                                                stateful=stateful, learning_rate=learning_rate),
                        data, setup, stateful)
    samples = classifier_samples(data, setup, loop_samples(data, setup, stateful), steps)
    assert_loops_are_batch_calls(data, setup, model, twin, samples, CLASSIFIER_WEIGHT_NAMES,
                                 {"learning_rate": learning_rate})


@pytest.mark.needs("make_sequence_model")
@given(data=st.data(), setup=sst.sequence_setups(), stateful=st.booleans(),
       steps=sst.timesteps(), learning_rate=st.sampled_from(LEARNING_RATES))
def test_a_sequence_models_loops_are_its_batch_calls(stateful_lstm_impl, data, setup, stateful,
                                                     steps, learning_rate):
    model, twin = twins(lambda: make_sequence_model(stateful_lstm_impl, setup, stateful=stateful,
                                                    learning_rate=learning_rate),
                        data, setup, stateful)
    samples = token_samples(data, setup, loop_samples(data, setup, stateful), steps)
    assert_loops_are_batch_calls(data, setup, model, twin, samples, SEQUENCE_WEIGHT_NAMES,
                                 {"learning_rate": learning_rate})


@pytest.mark.needs("make_classifier")
@pytest.mark.lstm_only                  # the tutorial's model
def test_the_tutorials_fit_loop_learns_positions_not_letters(stateful_lstm_impl):
    assert_position_only(stateful_lstm_impl, seed=0, loop="fit")
