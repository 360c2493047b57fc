"""Driving ``train_on_batch`` and ``test_on_batch`` against the oracle (``training_oracle``),
call by call: what clauses 8, 13, 17 and 18 share."""

from . import strategies as sst
from .assertions import assert_close, assert_identical, assert_states_close, assert_within
from .masking import REFUSED, describe_mask, masked_call
from .models import (
    CLASSIFIER_WEIGHT_NAMES,
    SEQUENCE_WEIGHT_NAMES,
    describe_call,
    make_classifier,
    make_sequence_model,
)
from .training_oracle import (
    AdamRange,
    expected_step,
    gradient_and_error_bound,
    sequence_gradient_and_error_bound,
)

# The contract's default and two others (a few values, so that compiled models can be reused).
LEARNING_RATES = (0.001, 0.01, 0.0003)


def assert_training_steps(impl, model, data, setup, *, stateful, calls, learning_rate, draw_batch,
                          oracle=gradient_and_error_bound, weight_names=CLASSIFIER_WEIGHT_NAMES,
                          **details):
    """The ``calls`` ("train_on_batch" or "test_on_batch") of ``model`` (built from ``setup``
    with ``learning_rate``), each on a batch ``(x, y, keywords) = draw_batch()`` (keywords:
    ``sample_weight``, ``mask``), checked against the oracle: the loss; after a training step
    every weight within Adam's range, after a test step every weight exactly as it was (and
    Adam's history untouched: the next training step is checked against the same history); the
    new state. A stateful model starts from a drawn carried state. A mask the implementation
    does not take must be refused (``masking.masked_call``). (``oracle`` as
    ``expected_step``'s ``model``.)"""
    states = setup.zero_states()
    if stateful:
        states = data.draw(sst.states_of(setup),
                           label="states")
        model.set_states([s.copy() for s in states])
    adam = AdamRange(learning_rate)
    for step, method in enumerate(calls):
        x, y, keywords = draw_batch()
        weights = model.get_weights()
        shown = {"mask": describe_mask(keywords["mask"])} if keywords.get("mask") is not None \
            else {}
        label = describe_call(setup, **details, stateful=stateful, timesteps=x.shape[1],
                              learning_rate=learning_rate, call=f"{step + 1} of {calls}",
                              weighted=keywords.get("sample_weight") is not None, **shown)
        if "mask" in keywords:
            loss = masked_call(impl, model, method, x, y, what=label, **keywords)
            if loss is REFUSED:
                continue
        else:
            loss = getattr(model, method)(x, y, **keywords)
        if method == "train_on_batch":
            expected = expected_step(weights, x, states, y, adam, model=oracle,
                                     cell=setup.cell, **keywords)
        else:
            expected = oracle(weights, x, states, y, cell=setup.cell, **keywords)
        expected_loss, expected_state = (expected.loss, expected.state) if \
            method == "train_on_batch" else expected[:2]
        assert_close(loss, expected_loss, f"loss returned by {method} vs the reference's {label}")
        for index, name in enumerate(weight_names):
            got = model.get_weights()[index]
            if method == "train_on_batch":
                assert_within(got, expected.low[index], expected.high[index],
                              f"{name} after train_on_batch vs the reference's Adam step {label}")
            else:
                assert_identical(got, weights[index], f"{name} after test_on_batch (which must "
                                                      f"change no weight) {label}")
        if stateful:
            states = model.get_states()
            assert_states_close(states, list(expected_state),
                                f"state after {method} vs the reference's {label}")


METHODS = ("train_on_batch", "test_on_batch")


def batch_drawer(data, setup, steps, *, n_classes=None, weighted=False, masked=False):
    """A ``draw_batch`` for ``assert_training_steps``: inputs of ``steps`` timesteps and targets
    (a classifier's one-hot over ``n_classes``; with ``n_classes`` None, a sequence model's
    tokens, one repeated at two real steps, and next tokens), with drawn sample weights
    (``weighted``: none, or one per row for the classifier, per token for the sequence model)
    and masks (``masked``: every pattern)."""
    batch = setup.batch_size

    def draw():
        keywords = {}
        if masked:
            keywords["mask"] = data.draw(sst.masks(batch, steps), label="mask")
        if n_classes is None:
            x = data.draw(sst.repeating_token_batches(batch, steps, setup.vocab_size,
                                                      real=keywords.get("mask")), label="x")
            y = data.draw(sst.token_batches(batch, steps, setup.vocab_size), label="y")
        else:
            x = data.draw(sst.inputs(batch, steps, setup.input_dim), label="x")
            y = data.draw(sst.one_hot_targets(batch, n_classes), label="y")
        if weighted:
            keywords["sample_weight"] = data.draw(
                sst.sample_weights((batch,) if n_classes else (batch, steps)),
                label="sample_weight")
        return x, y, keywords
    return draw


def assert_weighted_classifier_steps(impl, data, setup, *, n_classes, stateful, steps, calls,
                                     learning_rate, masked):
    """``assert_training_steps`` on a fresh classifier with drawn dense weights, fed batches of
    ``steps`` timesteps with drawn sample weights (and, if ``masked``, masks)."""
    dense = data.draw(sst.dense_weights(setup.units, n_classes), label="dense")
    model = make_classifier(impl, setup, n_classes, dense, stateful=stateful,
                            learning_rate=learning_rate)
    assert_training_steps(impl, model, data, setup, stateful=stateful, calls=calls,
                          learning_rate=learning_rate, n_classes=n_classes,
                          draw_batch=batch_drawer(data, setup, steps, n_classes=n_classes,
                                                  weighted=True, masked=masked))


def assert_weighted_sequence_steps(impl, data, setup, *, stateful, steps, calls, learning_rate,
                                   masked):
    """``assert_weighted_classifier_steps`` for a fresh sequence model (weights per token)."""
    model = make_sequence_model(impl, setup, stateful=stateful, learning_rate=learning_rate)
    assert_training_steps(impl, model, data, setup, stateful=stateful, calls=calls,
                          learning_rate=learning_rate, oracle=sequence_gradient_and_error_bound,
                          weight_names=SEQUENCE_WEIGHT_NAMES,
                          draw_batch=batch_drawer(data, setup, steps, weighted=True,
                                                  masked=masked))
