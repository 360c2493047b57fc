"""Clause `position-only-alphabet`: the tutorial's stateful alphabet model learns positions, not
letters (SPEC.md section 10)."""
import pytest

from .alphabet_checks import check_position_only
from .models import require_classifier

pytestmark = pytest.mark.clause("position-only-alphabet")


def test_tutorial_model_walks_from_a_but_answers_b_from_other_letters(stateful_lstm_impl):
    check_position_only(require_classifier(stateful_lstm_impl), seed=0)
