"""What a spec test runs on, as a value the test receives (no process-wide mode).

A ``Run`` says which cell the test's models are of (and which runtime runs an exported copy of
them), whether sizes come from the palette (an implementation that compiles per shape: SPEC.md)
and how many examples hypothesis draws. The
harness fixes one for each collected test (``spec.harness.session``) and binds the test to it:

- the strategies that depend on it are written as functions of the run (``@for_run``); called in
  a test, they give a ``ForRun``, which ``ForRun.strategy(run)`` turns into a hypothesis
  strategy;
- a spec test is decorated with this module's ``given`` (hypothesis' ``given``, keeping what it
  was given), and ``bind`` makes the test a run draws: its ``given`` strategies and every
  ``data.draw`` in its body (``RunData``) resolved for the run, its examples the run's;
- a test that needs the run itself (not only what it draws) takes the ``stateful_lstm_run``
  fixture.
"""
import functools
from dataclasses import dataclass

import hypothesis
from hypothesis import strategies as st

from .assertions import ExpectedViolation, SpecViolation
from .contract import DEFAULT_RUNTIME, LSTM_CELL


@dataclass(frozen=True)
class Run:
    """A spec test's run: its models' ``cell`` (a key of ``contract.CELLS``), ``palette`` (sizes
    from ``strategies.palette``), ``examples`` (None: the profile's), the ``runtime`` its
    exported copies run in (a key of ``contract.RUNTIMES``; tests marked ``every_runtime``), and
    whether its models are ``stacked`` (2 or 3 layers of the cell; tests marked ``stacks``)."""
    cell: str = LSTM_CELL
    palette: bool = False
    examples: int | None = None
    runtime: str = DEFAULT_RUNTIME
    stacked: bool = False


@dataclass(frozen=True)
class ForRun:
    """A strategy that depends on the run: ``strategy(run)`` builds it."""
    build: object
    args: tuple
    kwargs: tuple

    def strategy(self, run):
        return self.build(run, *self.args, **dict(self.kwargs))

    def filter(self, condition):
        """The ``ForRun`` of this strategy's ``filter(condition)``."""
        return ForRun(lambda run: self.strategy(run).filter(condition), (), ())


def for_run(build):
    """Decorate ``build(run, *args, **kwargs) -> SearchStrategy``: calling the decorated
    function gives a ``ForRun`` of those arguments."""
    @functools.wraps(build)
    def deferred(*args, **kwargs):
        return ForRun(build, args, tuple(kwargs.items()))
    deferred.for_run = build
    return deferred


def resolve(strategy, run):
    """``strategy`` as a hypothesis strategy for ``run``."""
    return strategy.strategy(run) if isinstance(strategy, ForRun) else strategy


class RunData:
    """Hypothesis' ``data`` for one run: ``draw`` resolves a ``ForRun`` for it."""

    def __init__(self, data, run):
        self.data, self.run = data, run

    def draw(self, strategy, label=None):
        return self.data.draw(resolve(strategy, self.run), label=label)


def _given(test, strategies, run):
    """Hypothesis' ``given`` of ``test`` with ``strategies`` drawn for ``run``, its ``data``
    arguments (``st.data()``) drawing for ``run`` too (``RunData``)."""
    data = [name for name, strategy in strategies.items() if strategy is st.data()]

    @functools.wraps(test)
    def drawing_for_run(*args, **kwargs):
        return test(*args, **{k: RunData(v, run) if k in data else v for k, v in kwargs.items()})
    return hypothesis.given(**{k: resolve(s, run) for k, s in strategies.items()})(
        drawing_for_run)


def given(**strategies):
    """Hypothesis' ``given`` for a spec test, on the default run (what a test run outside the
    harness draws), keeping the test and its strategies for ``bind``."""
    def decorate(test):
        bound = _given(test, strategies, Run())
        bound.spec_test, bound.spec_strategies = test, strategies
        return bound
    return decorate


def expecting_violation(test):
    """``test`` raising ``ExpectedViolation`` where it raises ``SpecViolation``: a declared known
    deviation's failure goes straight through hypothesis (not replayed or shrunk)."""
    @functools.wraps(test)
    def expecting(*args, **kwargs):
        try:
            return test(*args, **kwargs)
        except SpecViolation as violation:
            raise ExpectedViolation(str(violation)) from violation
    return expecting


def bind(test, run, declared):
    """The test function a run calls: ``test`` (a function the harness collected) drawing for
    ``run``, its violations expected if ``declared``. A test without this module's ``given``
    (a state machine's, say) takes the run as a fixture and is only made to expect its
    violations."""
    inner = getattr(test, "spec_test", None)
    if inner is None:
        return expecting_violation(test) if declared else test
    bound = _given(expecting_violation(inner) if declared else inner, test.spec_strategies, run)
    examples = {"max_examples": run.examples} if run.examples else {}
    # The run fixture (``stateful_lstm_run``) is function-scoped, and the same for every example.
    checks = [*hypothesis.settings.default.suppress_health_check,
              hypothesis.HealthCheck.function_scoped_fixture]
    return hypothesis.settings(suppress_health_check=checks, **examples)(bound)
