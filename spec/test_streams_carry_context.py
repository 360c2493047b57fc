"""Clause `streams-carry-context`: a stateful sequence model trained and evaluated on a text laid
out as streams, with the state carried across windows, predicts held-out text better than the same
model reset before every window (SPEC.md section 14)."""
import pytest

from .experiment_assertions import assert_carried_state_gives_context

pytestmark = [pytest.mark.clause("streams-carry-context"), pytest.mark.needs("make_sequence_model")]


def test_carried_state_beats_a_reset_before_every_window(stateful_lstm_impl):
    assert_carried_state_gives_context(stateful_lstm_impl, seed=0)
