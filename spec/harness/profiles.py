"""The spec's hypothesis settings: its profiles (registered under names of its own, so that they
cannot clash with another project's), the one a session runs with, and the examples each test
gets.

A failure is reported with the first failing example, printed in full and reproducible from the
printed blob, not shrunk: a verdict needs a failing example, not the smallest, and each shrink
step of an implementation that compiles per model or per shape may compile anew (a failing test
of an outside OpenVINO adapter took 50-80 s where a passing one took 3 s). So a failing test
costs about what a passing one does, on every implementation; ``--stateful-lstm-shrink`` shrinks.
"""
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import InvalidArgument

PROFILE_PREFIX = "stateful-lstm-"
DEFAULT_PROFILE = "default"
PROFILES = {"default": "25 examples per test, derandomized: the same examples every run",
            "random": "25 new random examples per run (choose them with --hypothesis-seed)",
            "thorough": "250 random examples per test",
            "quick": "the default's examples (kept for scripts that name it)"}
# The share of the profile's examples that a test marked every_cell runs for each cell other
# than the LSTM (at least one): what is a cell's own (its equations, the shape of its state)
# fails at the first example, and the state handling it shares with the LSTM in every framework
# is checked with all of them (SPEC.md, "Cell types"; --stateful-lstm-cell-examples: all).
CELL_EXAMPLES = 1 / 6
# The share a run on stacked layers draws: what is a stack's own (each layer's state in its
# place, every layer reset, each layer fed the one below at every step) fails at the first
# example; each layer's own handling is its cell's run (SPEC.md, "Stacked layers").
STACK_EXAMPLES = 1 / 12
NO_SHRINK_SUFFIX = "+no-shrink"

_COMMON = dict(deadline=None, print_blob=True, report_multiple_bugs=False,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(PROFILE_PREFIX + "default", max_examples=25, derandomize=True,
                          database=None, **_COMMON)
settings.register_profile(PROFILE_PREFIX + "random", max_examples=25, **_COMMON)
settings.register_profile(PROFILE_PREFIX + "thorough", max_examples=250, **_COMMON)
settings.register_profile(PROFILE_PREFIX + "quick",
                          settings.get_profile(PROFILE_PREFIX + "default"))


def profile_name(short):
    """The registered name of one of the spec's profiles (``quick`` -> ``stateful-lstm-quick``)."""
    return PROFILE_PREFIX + short


def load_default_profile(config):
    """Load ``stateful-lstm-default`` unless --hypothesis-profile chose one; refuse an unknown
    --hypothesis-profile with a clear error."""
    import pytest
    chosen = config.getoption("hypothesis_profile", None)
    if chosen:
        try:
            settings.get_profile(chosen)
        except InvalidArgument:   # which pytest would show as an INTERNALERROR
            ours = ", ".join(profile_name(p) for p in PROFILES)
            raise pytest.UsageError(f"--hypothesis-profile {chosen!r} is not a registered "
                                    f"hypothesis profile; the spec's are {ours}") from None
    else:
        settings.load_profile(profile_name(DEFAULT_PROFILE))


def load_without_shrinking():
    """Load the current hypothesis profile minus its shrink and explain phases (the module's
    docstring says why). Called at session start, after hypothesis' own ``pytest_configure``
    loaded a ``--hypothesis-profile``, which would bring the shrink phase back."""
    current = settings.get_current_profile_name()
    if current.endswith(NO_SHRINK_SUFFIX):
        return
    phases = [p for p in settings.default.phases if p not in (Phase.shrink, Phase.explain)]
    settings.register_profile(current + NO_SHRINK_SUFFIX, settings.default, phases=phases)
    settings.load_profile(current + NO_SHRINK_SUFFIX)


def cell_examples(share=CELL_EXAMPLES):
    """The examples of a run of a cell other than the LSTM: ``CELL_EXAMPLES`` of the current
    profile's (a stack's: ``STACK_EXAMPLES``), at least one."""
    return max(1, round(settings.default.max_examples * share))
