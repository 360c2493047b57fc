"""Building and driving models under test, the same way in every clause."""
import numpy as np

_UNSET = object()


def make_model(impl, setup, *, stateful=True, batch_size=_UNSET):
    """``impl.make_lstm`` for ``setup``'s sizes, given ``setup``'s weights (as copies).

    ``batch_size`` defaults to ``setup.batch_size`` for a stateful model and to None (any batch
    size) for a stateless one."""
    if batch_size is _UNSET:
        batch_size = setup.batch_size if stateful else None
    model = impl.make_lstm(units=setup.units, input_dim=setup.input_dim, stateful=stateful,
                           batch_size=batch_size)
    model.set_weights([w.copy() for w in setup.weights])
    return model


def feed(model, batches):
    """``predict_on_batch`` on each batch in turn; the outputs joined along time."""
    return np.concatenate([model.predict_on_batch(x) for x in batches], axis=1)


def describe_call(setup, **details):
    """A label for assertion messages: the sizes and anything else that identifies the case."""
    extra = "".join(f", {k}={v}" for k, v in details.items())
    return (f"[batch_size={setup.batch_size}, input_dim={setup.input_dim}, "
            f"units={setup.units}{extra}]")
