"""Clause `alphabet-remedies`: the remedies the answer names learn letters, not positions (SPEC.md
section 11)."""
import pytest

from .alphabet_checks import check_remedy
from .models import require_classifier

pytestmark = pytest.mark.clause("alphabet-remedies")


def test_stateful_model_trained_on_subsequences_from_any_letter(stateful_lstm_impl):
    check_remedy(require_classifier(stateful_lstm_impl), "subsequences", seed=0)


def test_stateless_model_trained_on_pairs(stateful_lstm_impl):
    check_remedy(require_classifier(stateful_lstm_impl), "pairs", seed=0)
