"""Clause `alphabet-remedies`: the remedies the answer names learn letters, not positions (SPEC.md
section 11)."""
import pytest

from .experiment_assertions import assert_remedy_learns_letters

pytestmark = [pytest.mark.clause("alphabet-remedies"), pytest.mark.needs("make_classifier")]


def test_stateful_model_trained_on_subsequences_from_any_letter(stateful_lstm_impl):
    assert_remedy_learns_letters(stateful_lstm_impl, "subsequences", seed=0)


def test_stateless_model_trained_on_pairs(stateful_lstm_impl):
    assert_remedy_learns_letters(stateful_lstm_impl, "pairs", seed=0)
