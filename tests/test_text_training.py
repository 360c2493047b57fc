"""``stateful_lstm.text_training``: clause 14's margins on more seeds (reference), generation with
a batch-size-1 copy, saving and loading, and the too-short-text error."""
import numpy as np
import pytest

import stateful_lstm
from spec.experiment_assertions import assert_carried_state_gives_context
from stateful_lstm import text_training as tt
from stateful_lstm.text import Vocabulary

TINY = tt.TextSetup(characters=600, streams=2, window=4, embedding_dim=3, units=5, epochs=1)
TEXT = "abcab cabca bcabc " * 40


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(1, 6))
def test_carried_state_beats_resets_on_more_seeds(seed):
    assert_carried_state_gives_context(stateful_lstm, seed)


def trained_tiny():
    corpus = tt.split_text(TEXT, TINY)
    model = tt.make_model(stateful_lstm, corpus, TINY, seed=1)
    tt.train(model, corpus.train, TINY)
    return corpus, model


def test_generation_reads_the_prompt_then_feeds_each_drawn_character_back():
    corpus, model = trained_tiny()
    copy = tt.batch1_copy(stateful_lstm, model, len(corpus.vocabulary), TINY)
    first = tt.generate(copy, corpus.vocabulary, "ab", 30, temperature=0.7, seed=5)
    assert len(first) == 30 and set(first) <= set(corpus.vocabulary.characters)
    assert tt.generate(copy, corpus.vocabulary, "ab", 30, temperature=0.7, seed=5) == first
    # a temperature near zero takes the most likely character every time
    greedy = tt.generate(copy, corpus.vocabulary, "ab", 5, temperature=1e-4, seed=1)
    copy.reset_states()
    p = copy.predict_on_batch(corpus.vocabulary.encode("ab")[None])[0, -1]
    assert greedy[0] == corpus.vocabulary.characters[int(np.argmax(p))]


@pytest.mark.parametrize("prompt, temperature, message", [
    ("", 1.0, "at least one character"), ("ab", 0.0, "temperature must be positive"),
    ("az", 1.0, "character 'z' at position 1 is not in the vocabulary")])
def test_generation_refuses_bad_arguments(prompt, temperature, message):
    corpus, model = trained_tiny()
    copy = tt.batch1_copy(stateful_lstm, model, len(corpus.vocabulary), TINY)
    with pytest.raises(ValueError, match=message):
        tt.generate(copy, corpus.vocabulary, prompt, 3, temperature)


def test_save_and_load_round_trip(tmp_path):
    corpus, model = trained_tiny()
    tt.save(tmp_path / "m.npz", model, corpus.vocabulary, TINY, "ab")
    loaded, vocabulary, setup, start = tt.load(tmp_path / "m.npz", stateful_lstm)
    assert vocabulary == corpus.vocabulary and start == "ab" and loaded.batch_size == 1
    assert (setup.units, setup.embedding_dim, setup.window) == (5, 3, 4)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_too_short_a_text_is_refused_naming_the_lengths():
    with pytest.raises(ValueError, match=r"the held-out part has 6 characters \(the text's "
                                         r"first 60 characters, 10% held out\); one batch of 2 streams x 4 "
                                         r"characters needs 9"):
        tt.split_text("abc" * 20, TINY)


def test_the_vocabulary_is_of_the_whole_used_text():
    corpus = tt.split_text(TEXT + "xyz", TINY.with_(characters=len(TEXT) + 3))
    assert corpus.vocabulary == Vocabulary(TEXT + "xyz")
    assert len(corpus.train) + len(corpus.held_out) == len(TEXT) + 3
