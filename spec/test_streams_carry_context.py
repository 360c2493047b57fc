"""Clause `streams-carry-context`: a stateful sequence model trained and evaluated on a text laid
out as streams, with the state carried across windows, predicts held-out text better than the same
model reset before every window (SPEC.md section 14)."""
import pytest

from .context_checks import check_context
from .models import require_sequence_model

pytestmark = pytest.mark.clause("streams-carry-context")


def test_carried_state_beats_a_reset_before_every_window(stateful_lstm_impl):
    check_context(require_sequence_model(stateful_lstm_impl), seed=0)
