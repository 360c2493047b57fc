"""The alphabet clauses hold for seeds 1-5 on the reference (the spec itself runs seed 0)."""
import pytest

import stateful_lstm
from spec.experiment_assertions import assert_position_only, assert_remedy_learns_letters

pytestmark = pytest.mark.slow
SEEDS = [1, 2, 3, 4, 5]


@pytest.mark.parametrize("seed", SEEDS)
def test_position_only_alphabet_holds_for_seed(seed):
    assert_position_only(stateful_lstm, seed)


@pytest.mark.parametrize("scheme", ["subsequences", "pairs"])
@pytest.mark.parametrize("seed", SEEDS)
def test_alphabet_remedy_holds_for_seed(scheme, seed):
    assert_remedy_learns_letters(stateful_lstm, scheme, seed)
