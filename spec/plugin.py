"""The spec's pytest plugin (installed as the pytest entry point ``spec.plugin``).

What it adds, all under names of this project's own, so that it cannot clash with another
project's options, fixtures or profiles in the same environment:
- ``--stateful-lstm-impl NAME`` (repeatable; or ``$STATEFUL_LSTM_IMPL``, comma-separated;
  default: every bundled and registered implementation), ``--stateful-lstm-timeout SECONDS``,
  ``--stateful-lstm-shrink`` (below) and ``--stateful-lstm-shard K/N`` (every N-th spec test
  function: how ``python -m spec`` splits an implementation's run over the cores);
- the ``stateful_lstm_impl`` fixture, parametrized over the implementations, for the spec's own
  test modules only;
- hypothesis profiles ``stateful-lstm-dev`` (default), ``stateful-lstm-ci`` (derandomized),
  ``stateful-lstm-thorough`` (10x the examples) and ``stateful-lstm-quick`` (ci's examples, no
  shrinking: for "does it fail at all?");
- the ``clause`` marker, the report header (each implementation, its version and its known
  deviations), and, on a failure, a report section naming the clause and the implementation.

In a run that does not involve the spec (another project's tests) it does nothing but add its
options: no header, no parametrization, no profile loaded.

An implementation that declares ``COMPILES_PER_SHAPE = True`` (JAX, tf.function) is run without
hypothesis' shrink phase, so that a failing run ends in bounded time: each shrink step would try
new shapes, each compiled anew (``--stateful-lstm-shrink`` shrinks anyway).

Mistakes get one clear error at the start: a name that does not load, an unknown hypothesis
profile. An implementation whose framework is not installed is skipped with the reason. If its
``make_lstm`` raises, or a test outruns the time limit, that is reported once and the
implementation's remaining tests are not run.
"""
import argparse
import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from stateful_lstm.implementations import (ENV_VAR, FACTORY_SIGNATURE, ImplementationError,
                                           NotInstalled, describe, known_names,
                                           load_implementation, target_of)

from .assertions import ExpectedViolation, SpecViolation, violations_expected
from .clauses import CLAUSES, spec_test_names
from .strategies import sizes_from_the_palette
from .time_limit import TimeLimitExceeded, time_limit

SPEC_DIR = Path(__file__).resolve().parent
FIXTURE = "stateful_lstm_impl"
DEFAULT_TIMEOUT = 300.0
PROFILE_PREFIX = "stateful-lstm-"
PROFILES = {"dev": "25 examples per test (the default)",
            "ci": "the same, derandomized: the same examples every run",
            "thorough": "250 examples per test",
            "quick": "ci's examples, no shrinking: only whether a test fails"}

_COMMON = dict(deadline=None, print_blob=True, report_multiple_bugs=False,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(PROFILE_PREFIX + "dev", max_examples=25, **_COMMON)
settings.register_profile(PROFILE_PREFIX + "ci", max_examples=25, derandomize=True,
                          database=None, **_COMMON)
settings.register_profile(PROFILE_PREFIX + "thorough", max_examples=250, **_COMMON)
settings.register_profile(PROFILE_PREFIX + "quick", settings.get_profile(PROFILE_PREFIX + "ci"),
                          phases=[Phase.explicit, Phase.reuse, Phase.generate])


class KnownDeviationWarning(pytest.PytestWarning):
    """An implementation's ``KNOWN_DEVIATIONS`` is malformed or names no spec test."""


class Implementation:
    """One implementation under test: its name, the loaded module (None if not installed), its
    validated known deviations, and, once found, why its remaining tests are not run."""

    def __init__(self, name, config):
        self.name, self.target = name, target_of(name)
        self.module, self.not_installed, self.stopped, self.checked = None, None, None, False
        self.timeout = config.getoption("stateful_lstm_timeout")
        try:
            self.module = load_implementation(name, search_dir=config.invocation_params.dir)
        except NotInstalled as error:
            self.not_installed = str(error)
        self.deviations, self.problems = validate_deviations(
            name, getattr(self.module, "KNOWN_DEVIATIONS", {}))
        self.compiles_per_shape = getattr(self.module, "COMPILES_PER_SHAPE", False) is True
        self.palette = self.compiles_per_shape and not config.getoption("stateful_lstm_all_sizes")

    def describe(self):
        where = f" ({self.target})" if self.target != self.name else ""
        about = self.not_installed or describe(self.module)
        return f"{self.name}{where}: {about}"

    def check_usable(self):
        """Skip the test if the implementation cannot run; on first use, build one model to see
        that ``make_lstm`` works at all (reported once, as this test's error)."""
        if self.not_installed:
            pytest.skip(f"not installed: {self.not_installed}")
        if self.stopped:
            pytest.skip(f"not run: {self.stopped}")
        if self.checked:
            return
        self.checked = True
        call = "make_lstm(units=2, input_dim=3, stateful=True, batch_size=2)"
        try:
            with time_limit(self.timeout, f"{self.name}: {call}"):
                self.module.make_lstm(units=2, input_dim=3, stateful=True, batch_size=2)
        except (Exception, TimeLimitExceeded) as error:
            self.stopped = f"{self.name}: {call} raised {type(error).__name__}: {error}"
            pytest.fail(f"{self.stopped}\nEvery spec test builds models with make_lstm, so the "
                        f"other tests of {self.name!r} are not run.", pytrace=False)


def validate_deviations(name, declared):
    """``(deviations, problems)``: the well-formed entries of ``KNOWN_DEVIATIONS``
    (``{spec test name: reason}``) and a message for each thing wrong with it."""
    if not isinstance(declared, Mapping):
        return {}, [f"{name}: KNOWN_DEVIATIONS must be a dict {{spec test name: reason}}; it is a "
                    f"{type(declared).__name__}, so it is ignored"]
    tests, deviations, problems = spec_test_names(), {}, []
    for test, reason in declared.items():
        if not isinstance(test, str) or not isinstance(reason, str) or not reason.strip():
            problems.append(f"{name}: KNOWN_DEVIATIONS entry {test!r}: {reason!r} is not a test "
                            f"name with a reason (two non-empty strings); it is ignored")
        elif test not in tests:
            problems.append(f"{name}: KNOWN_DEVIATIONS names {test!r}, which is not a spec test; "
                            f"it is ignored")
        else:
            deviations[test] = reason
    return deviations, problems


def pytest_addoption(parser):
    group = parser.getgroup("stateful-lstm-spec")
    group.addoption("--stateful-lstm-impl", action="append", dest="stateful_lstm_impl",
                    metavar="NAME",
                    help=f"implementation to check: a bundled alias ({', '.join(known_names())}), "
                         f"a module path or a .py file (repeatable; default: ${ENV_VAR}, "
                         f"comma-separated, else every bundled and registered one)")
    group.addoption("--stateful-lstm-shrink", action="store_true", dest="stateful_lstm_shrink",
                    help="shrink failing examples even when an implementation under test "
                         "declares COMPILES_PER_SHAPE (each shrink step may compile anew)")
    group.addoption("--stateful-lstm-all-sizes", action="store_true",
                    dest="stateful_lstm_all_sizes",
                    help="draw sizes from their whole ranges even for an implementation that "
                         "declares COMPILES_PER_SHAPE (by default it gets the palette of sizes: "
                         "SPEC.md)")
    group.addoption("--stateful-lstm-shard", type=shard_option, default=None,
                    dest="stateful_lstm_shard", metavar="K/N",
                    help="run only shard K of N (0 <= K < N): every N-th spec test function, "
                         "starting at the K-th, of those selected (python -m spec runs an "
                         "implementation as shards 0/2 and 1/2 side by side)")
    group.addoption("--stateful-lstm-timeout", type=float, default=DEFAULT_TIMEOUT,
                    dest="stateful_lstm_timeout", metavar="SECONDS",
                    help=f"time limit per spec test (default {DEFAULT_TIMEOUT:g}; 0: none)")


def shard_option(text):
    """``"K/N"`` -> ``(K, N)``; an argparse type, so a malformed value is a usage error."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected K/N, such as 0/2; received {text!r}") from None
    if not 0 <= k < n:
        raise argparse.ArgumentTypeError(f"expected K/N with 0 <= K < N; received {text!r}")
    return k, n


def take_shard(config, items, shard):
    """Keep, of the spec's tests in ``items``, those of every N-th test function from the K-th
    (all the implementations' parametrizations of a function stay together): the shards of a
    run then hold about half of each clause module, whatever an implementation spends its time
    on."""
    k, n = shard
    functions = list(dict.fromkeys(item.nodeid.split("[")[0] for item in items if impl_of(item)))
    mine = set(functions[k::n])
    kept = [item for item in items if not impl_of(item) or item.nodeid.split("[")[0] in mine]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def selected_implementations(config):
    """The names given with --stateful-lstm-impl, else in $STATEFUL_LSTM_IMPL, else every bundled
    and registered implementation."""
    from_env = [n.strip() for n in os.environ.get(ENV_VAR, "").split(",") if n.strip()]
    return config.getoption("stateful_lstm_impl") or from_env or known_names()


def targets_spec(config):
    """Whether the run was pointed at the spec: an implementation named, or a path (or, with
    --pyargs, a module name) inside the spec package among the arguments."""
    if config.getoption("stateful_lstm_impl") or os.environ.get(ENV_VAR):
        return True
    for arg in config.args:
        target = arg.split("::")[0]
        if config.getoption("pyargs", False) and (target == "spec" or target.startswith("spec.")):
            return True
        path = Path(config.invocation_params.dir, target).resolve()
        if path == SPEC_DIR or SPEC_DIR in path.parents:
            return True
    return False


def profile_name(short):
    """The registered name of one of the spec's profiles (``ci`` -> ``stateful-lstm-ci``)."""
    return PROFILE_PREFIX + short


def load_default_profile(config):
    """Load ``stateful-lstm-dev`` (``-ci`` when $CI is set) unless --hypothesis-profile chose one;
    refuse an unknown --hypothesis-profile with a clear error."""
    chosen = config.getoption("hypothesis_profile", None)
    if chosen:
        try:
            settings.get_profile(chosen)
        except Exception:   # hypothesis raises InvalidArgument, which pytest shows as INTERNALERROR
            ours = ", ".join(profile_name(p) for p in PROFILES)
            raise pytest.UsageError(f"--hypothesis-profile {chosen!r} is not a registered "
                                    f"hypothesis profile; the spec's are {ours}") from None
    else:
        settings.load_profile(profile_name("ci" if os.environ.get("CI") else "dev"))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    config.addinivalue_line("markers", "clause(id): the SPEC.md clause that a spec test checks")
    config.addinivalue_line("markers", "known_deviation: the implementation declares that it "
                                       "fails this test (KNOWN_DEVIATIONS)")
    if not targets_spec(config):
        return
    load_default_profile(config)
    implementations = {}
    for name in selected_implementations(config):
        try:
            implementations[name] = Implementation(name, config)
        except ImplementationError as error:
            raise pytest.UsageError(f"{error}\nAn implementation is a bundled alias "
                                    f"({', '.join(known_names())}), an importable module or a .py "
                                    f"file with {FACTORY_SIGNATURE}.") from None
    config.stash[_IMPLEMENTATIONS] = implementations
    if any(i.compiles_per_shape for i in implementations.values()) and \
            not config.getoption("stateful_lstm_shrink"):
        load_without_shrinking()
    for implementation in implementations.values():
        for problem in implementation.problems:
            config.issue_config_time_warning(KnownDeviationWarning(problem), stacklevel=2)


_IMPLEMENTATIONS = pytest.StashKey[dict]()
NO_SHRINK_SUFFIX = "+no-shrink"


def load_without_shrinking():
    """Load the current hypothesis profile minus its shrink phase, for implementations that
    compile per input shape (JAX, tf.function): every shrink step tries new shapes, so one failing
    test could take many minutes to shrink. A failure is then reported with the first failing
    example, printed in full, reproducible by the printed blob."""
    current = settings.get_current_profile_name()
    if current.endswith(NO_SHRINK_SUFFIX):
        return
    phases = [p for p in settings.default.phases if p is not Phase.shrink]
    settings.register_profile(current + NO_SHRINK_SUFFIX, settings.default, phases=phases)
    settings.load_profile(current + NO_SHRINK_SUFFIX)


def implementations(config):
    """``{name: Implementation}`` of this run (empty if the run does not involve the spec)."""
    return config.stash.get(_IMPLEMENTATIONS, {})


def pytest_report_header(config):
    if not implementations(config):
        return []
    lines = ["stateful-lstm-spec implementations under test:"]
    for implementation in implementations(config).values():
        lines.append(f"  {implementation.describe()}")
        lines += [f"    known deviation, {test}: {reason}"
                  for test, reason in implementation.deviations.items()]
        lines += [f"    warning: {problem}" for problem in implementation.problems]
        if implementation.compiles_per_shape:
            shrink = "not shrunk" if not config.getoption("stateful_lstm_shrink") else "shrunk"
            sizes = "the palette of sizes" if implementation.palette else "all sizes"
            lines.append(f"    compiles per input shape: failures {shrink}, {sizes} "
                         f"(--stateful-lstm-shrink, --stateful-lstm-all-sizes; SPEC.md)")
    limit = config.getoption("stateful_lstm_timeout")
    return lines + [f"  hypothesis profile: {settings.get_current_profile_name()}; time limit "
                    f"per test: {f'{limit:g} s' if limit else 'none'}"]


def in_spec(path):
    return Path(path).resolve().parent == SPEC_DIR


def pytest_generate_tests(metafunc):
    if FIXTURE in metafunc.fixturenames and in_spec(metafunc.definition.path):
        names = list(implementations(metafunc.config))
        metafunc.parametrize(FIXTURE, names, ids=names, indirect=True, scope="session")


@pytest.fixture(scope="session")
def stateful_lstm_impl(request):
    """The implementation under test: the object with ``make_lstm``."""
    return implementations(request.config)[request.param].module


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip a spec test whose implementation cannot run (not installed, or stopped earlier)."""
    name = impl_of(item)
    if name:
        implementations(item.config)[name].check_usable()


def clause_of(item):
    """The clause ID a test is marked with, or None."""
    marker = item.get_closest_marker("clause")
    return marker.args[0] if marker else None


def impl_of(item):
    """The implementation name a spec test runs against; None for any other test (only the
    spec's own tests are parametrized with one)."""
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(FIXTURE) if callspec else None


@pytest.hookimpl(trylast=True)      # after -k and -m: a shard is half of what they selected
def pytest_collection_modifyitems(config, items):
    if config.getoption("stateful_lstm_shard"):
        take_shard(config, items, config.getoption("stateful_lstm_shard"))
    unknown = {clause_of(i) for i in items} - set(CLAUSES) - {None}
    if unknown:
        raise pytest.UsageError(f"tests are marked with clauses that SPEC.md does not define: "
                                f"{sorted(unknown)}; defined: {list(CLAUSES)}")
    for item in items:
        name = impl_of(item)
        if not name:
            continue
        item.user_properties += [("clause", clause_of(item)), ("impl", name)]
        # A declared deviation is a strict xfail of a spec assertion: a crash is still a failure,
        # and a test that starts passing is an error, so the list cannot go stale.
        reason = implementations(config)[name].deviations.get(item.originalname)
        if reason:
            item.add_marker(pytest.mark.xfail(strict=True, raises=ExpectedViolation,
                                              reason=f"{name}: {reason}"))
            item.add_marker(pytest.mark.known_deviation)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Run a spec test under the time limit (if it runs out, the implementation's other tests
    are not run: they would most likely hang too); a known deviation stops at its first
    violation."""
    name = impl_of(item)
    if not name:
        return (yield)
    implementation = implementations(item.config)[name]
    expected = violations_expected() if item.get_closest_marker("known_deviation") else \
        contextlib.nullcontext()
    try:
        with time_limit(implementation.timeout, f"{item.name}"), expected, \
                sizes_from_the_palette(implementation.palette):
            return (yield)
    except TimeLimitExceeded as error:
        implementation.stopped = f"{name} ran out of time in an earlier test ({error})"
        raise


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure of a spec test: a report section naming the clause, the implementation and
    how to rerun just this test; for every report, the kind of failure (a spec assertion, or an
    exception the implementation raised) in ``user_properties``."""
    report = yield
    name, clause = impl_of(item), clause_of(item)
    if name and clause and call.excinfo is not None and report.failed:
        error = call.excinfo.value
        kind = "violation" if isinstance(error, (SpecViolation, ExpectedViolation)) else \
            type(error).__name__
        report.user_properties = [*report.user_properties, ("failure", kind)]
        implementation = implementations(item.config)[name]
        number = list(CLAUSES).index(clause) + 1
        what = {"violation": "a spec assertion failed",
                TimeLimitExceeded.__name__: f"it ran out of time (--stateful-lstm-timeout "
                                            f"{implementations(item.config)[name].timeout:g})"
                }.get(kind, f"the implementation raised {kind}, which no clause allows here")
        report.sections.append(("stateful-lstm-spec", (
            f"clause {number}, {clause!r} (SPEC.md section {number}: {CLAUSES[clause]})\n"
            f"implementation {implementation.describe()}\n"
            f"failure: {what}\n"
            f"rerun only this test: pytest --pyargs spec --stateful-lstm-impl {name} "
            f"-k {item.originalname}")))
    return report
