"""Clause `position-only-alphabet`: the tutorial's stateful alphabet model learns positions, not
letters (SPEC.md section 10)."""
import pytest

from .experiment_assertions import assert_position_only

pytestmark = [pytest.mark.clause("position-only-alphabet"), pytest.mark.needs("make_classifier")]


def test_tutorial_model_walks_from_a_but_answers_b_from_other_letters(stateful_lstm_impl):
    assert_position_only(stateful_lstm_impl, seed=0)
