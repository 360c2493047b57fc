"""The alphabet clauses hold for seeds 1-5 on the reference (the spec itself runs seed 0)."""
import pytest

import stateful_lstm
from spec.alphabet_checks import check_position_only, check_remedy

pytestmark = pytest.mark.slow
SEEDS = [1, 2, 3, 4, 5]


@pytest.mark.parametrize("seed", SEEDS)
def test_position_only_alphabet_holds_for_seed(seed):
    check_position_only(stateful_lstm, seed)


@pytest.mark.parametrize("scheme", ["subsequences", "pairs"])
@pytest.mark.parametrize("seed", SEEDS)
def test_alphabet_remedy_holds_for_seed(scheme, seed):
    check_remedy(stateful_lstm, scheme, seed)
