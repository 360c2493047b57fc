"""The alphabet experiments as checks, shared by the spec's clauses (seed 0) and the seed sweep in
``tests/`` (more seeds on the reference). Each trains with ``stateful_lstm.alphabet`` and asserts
the clause's thresholds, with messages that show what the model predicted."""
import stateful_lstm
from stateful_lstm import alphabet as abc

from .assertions import check

LETTERS = abc.ALPHABET


def start_model(impl, scheme, encoding, seed):
    """``impl``'s classifier for ``scheme``, set to the reference's initial weights for ``seed``
    (Keras' default initialisation): the tutorial's setup includes Keras' initialiser, and the
    contract leaves a framework's own initialiser free, so every implementation starts where the
    tutorial's model starts."""
    model = abc.make_model(impl, scheme, encoding, seed)
    model.set_weights(abc.make_model(stateful_lstm, scheme, encoding, seed).get_weights())
    return model


def _shown(predictions, starts):
    return " ".join(f"{LETTERS[s]}->{LETTERS[p]}" for s, p in zip(starts, predictions))


def check_position_only(impl, seed):
    """The tutorial's setup walks from A (>= 24 of 25), but started after a reset from each of
    B..Y it predicts "B" for >= 80% of them and the true successor for <= 20%."""
    model = start_model(impl, "tutorial", "scalar", seed)
    abc.train(model, "tutorial", "scalar", seed=seed)
    walk = abc.walk_from_a(model, "scalar")
    right = sum(p == i + 1 for i, p in enumerate(walk))
    check(right >= 24, f"walk from A: {right}/25 right, needs >= 24 [seed {seed}]: "
                       f"{_shown(walk, range(25))}")
    first = abc.first_predictions(model, "scalar")[1:]          # starts B..Y
    says_b = sum(p == 1 for p in first)
    successor = sum(p == s + 1 for s, p in zip(range(1, 25), first))
    shown = _shown(first, range(1, 25))
    check(says_b >= 0.8 * 24, f"after a reset, 'B' was the answer for {says_b}/24 starts "
                              f"B..Y, needs >= 80% [seed {seed}]: {shown}")
    check(successor <= 0.2 * 24, f"after a reset, the true successor for {successor}/24 "
                                 f"starts, needs <= 20% [seed {seed}]: {shown}")


def check_remedy(impl, scheme, seed):
    """With one-hot inputs, ``scheme`` ("subsequences" or "pairs") predicts the true successor
    from >= 24 of the 25 start letters; "subsequences" also walks on from K for as many steps as
    its longest training subsequence (5, the tutorial's "New start" printout: K->L ... O->P)."""
    model = start_model(impl, scheme, "onehot", seed)
    abc.train(model, scheme, "onehot", seed=seed)
    first = abc.first_predictions(model, "onehot")
    successor = sum(p == s + 1 for s, p in enumerate(first))
    check(successor >= 24, f"{scheme}: the true successor from {successor}/25 start letters, "
                           f"needs >= 24 [seed {seed}]: {_shown(first, range(25))}")
    if scheme == "subsequences":
        k = LETTERS.index("K")
        walk = abc.walk(model, k, "onehot", steps=abc.MAX_SUBSEQUENCE)
        check(all(p == i + 1 for i, p in walk),
              f"{scheme}: walk from K should go K->L ... O->P [seed {seed}]: "
              f"{_shown([p for _, p in walk], [i for i, _ in walk])}")
