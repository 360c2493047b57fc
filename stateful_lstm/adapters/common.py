"""What every framework adapter shares: version lines read from package metadata, and the
factories' argument checks (the reference's)."""
from importlib import metadata

from .. import validation


def version(*distributions):
    """The installed version of the first of ``distributions`` found, or "not installed"
    (read from package metadata: nothing is imported)."""
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return "not installed"


def configure(model, *, units, input_dim, stateful, batch_size, seed, **classifier):
    """Check the factory's arguments as the reference does (``make_lstm``'s, and with
    ``n_classes`` and ``learning_rate`` ``make_classifier``'s) and set the contract's attributes
    on ``model``."""
    validation.check_config(units=units, input_dim=input_dim, stateful=stateful,
                        batch_size=batch_size, seed=seed)
    if classifier:
        validation.check_classifier_config(**classifier)
        model.n_classes = classifier["n_classes"]
    model.units, model.input_dim = units, input_dim
    model.stateful, model.batch_size = stateful, batch_size


def configure_sequence(model, *, vocab_size, embedding_dim, units, stateful, batch_size, seed,
                       learning_rate):
    """``make_sequence_model``'s arguments checked as the reference checks them, and the
    contract's attributes set on ``model`` (``n_classes`` too: one class per token)."""
    configure(model, units=units, input_dim=embedding_dim, stateful=stateful,
              batch_size=batch_size, seed=seed, n_classes=vocab_size, learning_rate=learning_rate)
    validation.check_sequence_config(vocab_size=vocab_size, embedding_dim=embedding_dim,
                                     learning_rate=learning_rate)
    model.vocab_size, model.embedding_dim = vocab_size, embedding_dim
