"""The reference's loops (``stateful_lstm.loops``): what they refuse, and how, before anything
runs; what they return."""
import numpy as np
import pytest

import stateful_lstm


def classifier(stateful=True):
    model = stateful_lstm.make_classifier(units=3, input_dim=2, n_classes=3, stateful=stateful,
                                          batch_size=4 if stateful else None)
    if stateful:
        model.set_states([np.full((4, 3), 0.5, np.float32)] * 2)
    return model


def samples(n):
    rng = np.random.default_rng(n)
    return (rng.uniform(-1, 1, (n, 5, 2)).astype(np.float32),
            np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)])


@pytest.mark.parametrize("call, message", [
    (lambda m, x, y: m.predict(x[:9], 4), "received 9 samples (1 left over for a last batch). "
                                          "Pass a multiple of 4 samples"),
    (lambda m, x, y: m.evaluate(x[:11], y[:11], 4), "received 11 samples (3 left over"),
    (lambda m, x, y: m.fit(x[:8], y[:8], 2), "built for batch_size 4 runs batches of 4 rows; "
                                             "received batch_size 2"),
    (lambda m, x, y: m.fit(x[:8], y[:7], 4), "y needs one entry per sample (8); received shape"),
    (lambda m, x, y: m.fit(x[:8], y[:8], 4, shuffle=True), "fit(shuffle=True): a stateful"),
    (lambda m, x, y: m.fit(x[:8], y[:8], 4, validation_data=(x[:5], y[:5])),
     "fit's validation_data: a stateful model carries one state per row"),
    (lambda m, x, y: m.fit(x[:8], y[:8], 4, epochs=0), "fit's epochs must be a positive"),
    (lambda m, x, y: m.predict(x[:0], 4), "predict needs at least one sample; received 0"),
])
def test_a_refused_loop_says_why_and_changes_nothing(call, message):
    model = classifier()
    x, y = samples(12)
    states, weights = model.get_states(), model.get_weights()
    with pytest.raises(ValueError) as error:
        call(model, x, y)
    assert message in str(error.value)
    for got, before in zip(model.get_states() + model.get_weights(), states + weights):
        np.testing.assert_array_equal(got, before)


def test_fit_returns_each_epochs_loss_and_val_loss_and_a_stateless_model_may_shuffle():
    x, y = samples(10)
    history = classifier(stateful=False).fit(x, y, 4, epochs=3, shuffle=True,
                                             validation_data=(x[:6], y[:6]))
    assert sorted(history) == ["loss", "val_loss"]
    assert len(history["loss"]) == len(history["val_loss"]) == 3
    in_order = classifier(stateful=False).fit(x, y, 4, epochs=3, shuffle=False)
    assert history["loss"][0] != in_order["loss"][0] or history["loss"][1:] != in_order["loss"][1:]


def test_predict_of_a_stateless_model_runs_a_partial_last_batch():
    x, _ = samples(10)
    model = stateful_lstm.make_lstm(units=3, input_dim=2, stateful=False)
    np.testing.assert_allclose(model.predict(x, 4), model.predict_on_batch(x), rtol=1e-6)
