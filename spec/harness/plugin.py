"""The spec's pytest plugin (installed as the pytest entry point ``spec.plugin``).

What it adds, all under names of this project's own, so that it cannot clash with another
project's options, fixtures or profiles in the same environment:
- ``--stateful-lstm-impl NAME`` (repeatable; or ``$STATEFUL_LSTM_IMPL``, comma-separated;
  default: every bundled and registered implementation), ``--stateful-lstm-timeout SECONDS``,
  ``--stateful-lstm-shrink``, ``--stateful-lstm-all-sizes`` and ``--stateful-lstm-shard K/N``
  (every N-th spec test function: how ``python -m spec`` splits an implementation's run);
- the ``stateful_lstm_impl`` fixture, parametrized over the implementations, for the spec's own
  test modules only; a test marked ``every_cell`` once more per cell type (``contract.CELLS``:
  the GRU and SimpleRNN runs' IDs end in ``-gru``, ``-simple_rnn``; ``--stateful-lstm-cell``
  chooses), each run with ``run_mode.MODE.cell`` set, so that its setups are of that cell; the
  cells other than the LSTM with ``CELL_EXAMPLES`` of the profile's examples;
- hypothesis profiles (``PROFILES``), ``stateful-lstm-default`` unless one is chosen;
- the markers ``clause(id)`` (the SPEC.md clause a test checks) and ``needs(capability)`` (an
  optional factory the test needs, or "masks": without it the test is "n/a", decided at
  collection; a test that needs masks of an implementation that takes right-padded ones only is
  recorded with that restriction, ``RESTRICTION``), and ``requires(module, ...)`` (modules the
  test itself runs, such as ONNX Runtime for clause 20's exported copies: without them the test
  is "not installed", decided at collection);
- the report header (each implementation, its version, and each cause of its known deviations
  once, with the tests it covers), a failure section naming the clause and the implementation,
  and a summary of the known deviations, each cause once with its tests' outcomes;
- each spec test's outcome, recorded as data (``OUTCOME``, in the reports' ``user_properties``):
  what ``python -m spec`` counts.

With pytest-xdist's ``-n N``, each worker's NumPy BLAS and OpenMP get ``cores // N`` threads unless
the user set a thread count (``cores.py``): N workers each threading over every core ran the
default run 1.5x slower.

In a run that does not involve the spec (another project's tests) it does nothing but add its
options: no header, no parametrization, no profile loaded.

An implementation that declares ``COMPILES_PER_SHAPE = True`` (JAX, tf.function) is run without
hypothesis' shrink phase, so that a failing run ends in bounded time (``--stateful-lstm-shrink``
shrinks anyway), and with sizes from the palette (``--stateful-lstm-all-sizes``: every size).

Mistakes get one clear error at the start: a name that does not load, an unknown hypothesis
profile. An implementation whose framework is not installed is skipped with the reason. If its
``make_lstm`` raises, or a test outruns the time limit, that is reported once and the
implementation's remaining tests are not run.
"""
import argparse
import contextlib
import importlib.util
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import InvalidArgument

from ..assertions import ExpectedViolation, SpecViolation
from ..clauses import CLAUSES
from ..contract import (
    CAPABILITIES,
    CELLS,
    FACTORIES,
    LSTM_CELL,
    LSTM_MODELS,
    MASK_KINDS,
    masks,
    offers,
)
from ..run_mode import running
from . import verdicts as v
from .cores import share_cores_among_workers
from .deviations import cause_lines, read_deviations
from .loader import (
    ENV_VAR,
    FACTORY_SIGNATURE,
    ImplementationError,
    NotInstalled,
    describe,
    known_names,
    load_implementation,
    target_of,
)
from .time_limit import TimeLimitExceeded, time_limit

SPEC_DIR = Path(__file__).resolve().parents[1]
FIXTURE = "stateful_lstm_impl"
DEFAULT_TIMEOUT = 300.0
PROFILE_PREFIX = "stateful-lstm-"
DEFAULT_PROFILE = "default"
PROFILES = {"default": "25 examples per test, derandomized: the same examples every run",
            "random": "25 new random examples per run (choose them with --hypothesis-seed)",
            "thorough": "250 random examples per test",
            "quick": "default's examples without shrinking: only whether a test fails"}
# The share of the profile's examples that a test marked every_cell runs for each cell other
# than the LSTM (at least one): what is a cell's own (its equations, the shape of its state)
# fails at the first example, and the state handling it shares with the LSTM in every framework
# is checked with all of them (SPEC.md, "Cell types"; --stateful-lstm-cell-examples: all).
CELL_EXAMPLES = 1 / 6
OUTCOME = "outcome"            # the user_properties key of a spec test's outcome
RESTRICTION = "restriction"    # and of what the implementation offers it only in part

_COMMON = dict(deadline=None, print_blob=True, report_multiple_bugs=False,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(PROFILE_PREFIX + "default", max_examples=25, derandomize=True,
                          database=None, **_COMMON)
settings.register_profile(PROFILE_PREFIX + "random", max_examples=25, **_COMMON)
settings.register_profile(PROFILE_PREFIX + "thorough", max_examples=250, **_COMMON)
settings.register_profile(PROFILE_PREFIX + "quick",
                          settings.get_profile(PROFILE_PREFIX + "default"),
                          phases=[Phase.explicit, Phase.reuse, Phase.generate])
PROBE = dict(units=2, input_dim=3, stateful=True, batch_size=2, seed=0)
PROBE_CALL = "make_lstm(" + ", ".join(f"{k}={v}" for k, v in PROBE.items()) + ")"


class ContractWarning(pytest.PytestWarning):
    """An implementation's ``KNOWN_DEVIATIONS`` is malformed, or it offers something where the
    contract does not look for it."""


class Implementation:
    """One implementation under test: its name, the loaded module (None if not installed), its
    known deviations by cause, and, once found, why its remaining tests are not run."""

    def __init__(self, name, config):
        self.name, self.target = name, target_of(name)
        self.module, self.not_installed, self.stopped = None, None, None
        self.probed, self.probe_error = False, None
        self.timeout = config.getoption("stateful_lstm_timeout")
        try:
            self.module = load_implementation(name, search_dir=config.invocation_params.dir)
        except NotInstalled as error:
            self.not_installed = str(error)
        self.causes, self.problems = read_deviations(
            name, getattr(self.module, "KNOWN_DEVIATIONS", {}))
        self.cause_of = {}       # test name -> its causes (each for some cells)
        for cause in self.causes:
            for test in cause.tests:
                self.cause_of.setdefault(test, []).append(cause)
        self.compiles_per_shape = getattr(self.module, "COMPILES_PER_SHAPE", False) is True
        self.palette = self.compiles_per_shape and not config.getoption("stateful_lstm_all_sizes")
        self.description = self.not_installed or self._description()
        try:
            self.masks = masks(self.module)
        except ValueError as error:
            self.masks = None
            self.problems.append(f"{name}: {error}; its masks are not tested")

    def _description(self):
        """The module's ``describe()`` or ``__version__``; else a model's ``describe()`` (a user
        may put it there), found by building the probe model now."""
        if callable(getattr(self.module, "describe", None)) or \
                hasattr(self.module, "__version__"):
            return describe(self.module)
        model = self._probe()
        on_model = getattr(model, "describe", None)
        return str(on_model()) if callable(on_model) else describe(self.module)

    def title(self):
        return v.implementation_line(self.name, self.target, self.description)

    def cause_for(self, test, cell):
        """The declared cause of ``test``'s failing with ``cell``, or None."""
        return next((c for c in self.cause_of.get(test, ()) if c.covers(cell)), None)

    def _probe(self):
        """Build one model with ``make_lstm`` (every spec test needs it to work); returns it, or
        None with ``probe_error`` set."""
        self.probed = True
        try:
            with time_limit(self.timeout, f"{self.name}: {PROBE_CALL}"):
                return self.module.make_lstm(**PROBE)
        except (Exception, TimeLimitExceeded) as error:   # noqa: BLE001 (whatever it raises is reported)
            self.probe_error = f"{self.name}: {PROBE_CALL} raised {type(error).__name__}: {error}"
            return None

    def check_usable(self):
        """Skip the test if the implementation cannot run; on first use, see that the probe
        model builds (a failure is reported once, as this test's error)."""
        if self.not_installed:
            pytest.skip(f"not installed: {self.not_installed}")
        if self.stopped:
            pytest.skip(f"not run: {self.stopped}")
        if not self.probed:
            self._probe()
        if self.probe_error:
            self.stopped = self.probe_error
            pytest.fail(f"{self.stopped}\nEvery spec test builds models with make_lstm, so the "
                        f"other tests of {self.name!r} are not run.", pytrace=False)


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
                    help="run only shard K of N (0 <= K < N) of the selected spec tests, split "
                         "by the kind of model they build (python -m spec runs an "
                         "implementation as shards 0/2 and 1/2 side by side)")
    group.addoption("--stateful-lstm-cell", action="append", dest="stateful_lstm_cell",
                    choices=list(CELLS), metavar="CELL",
                    help=f"cell type whose runs of the every_cell tests to run ({', '.join(CELLS)};"
                         f" repeatable; default: all)")
    group.addoption("--stateful-lstm-cell-examples", action="store_true",
                    dest="stateful_lstm_cell_examples",
                    help="run every cell with the profile's examples (by default the cells other "
                         f"than the LSTM run {CELL_EXAMPLES:.2g} of them: SPEC.md)")
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


# What a spec test builds, in the order the kinds are dealt to the shards (kind i goes to shard
# i % N): the bare LSTM's property tests, the classifier's, the single long trainings (one fixed
# model each: the alphabet, the text), the sequence model's. Two shards then hold about the same
# work, and neither builds and traces a model of a size the other has built already (a Keras
# model's first two traces cost about 1-2 s, its later calls 2 ms).
KINDS = ("make_lstm", "make_classifier", "single run", "make_sequence_model")


def kind_of(item):
    """``KINDS``' entry for a spec test: a test without hypothesis is a single run, a property
    test is of the optional factory it needs, else of the bare LSTM."""
    if not getattr(item.obj, "is_hypothesis_test", False):
        return "single run"
    return next((n for n in needed_capabilities(item) if n in FACTORIES), "make_lstm")


def take_shard(config, items, shard):
    """Keep, of the spec's tests in ``items``, shard K of N: the test functions of the kinds
    (``KINDS``) dealt to it, or, if the selection holds fewer kinds than shards, every N-th test
    function from the K-th. All the implementations' parametrizations of a function stay
    together."""
    k, n = shard
    spec_items = [item for item in items if impl_of(item)]
    functions = list(dict.fromkeys(item.nodeid.split("[")[0] for item in spec_items))
    kinds = [kind for kind in KINDS if any(kind_of(item) == kind for item in spec_items)]
    if len(kinds) >= n:
        mine = {item.nodeid.split("[")[0] for item in spec_items
                if kinds.index(kind_of(item)) % n == k}
    else:
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
    """The registered name of one of the spec's profiles (``quick`` -> ``stateful-lstm-quick``)."""
    return PROFILE_PREFIX + short


def load_default_profile(config):
    """Load ``stateful-lstm-default`` unless --hypothesis-profile chose one; refuse an unknown
    --hypothesis-profile with a clear error."""
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


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    config.addinivalue_line("markers", "clause(id): the SPEC.md clause that a spec test checks")
    config.addinivalue_line("markers", "needs(capability): an optional factory of the contract, "
                                       "or masks, that the test needs (without it: not "
                                       "applicable)")
    config.addinivalue_line("markers", "every_cell: the spec test runs once per cell type "
                                       "(LSTM, GRU, SimpleRNN) an implementation offers (tests "
                                       "that need the classifier or the sequence model, LSTM "
                                       "models, run for the LSTM only)")
    config.addinivalue_line("markers", "requires(module, ...): modules the spec test itself runs "
                                       "(ONNX Runtime for the exported copies): without them it "
                                       "is not installed")
    if not targets_spec(config):
        return
    share_cores_among_workers(config)
    load_default_profile(config)
    found = {}
    for name in selected_implementations(config):
        try:
            found[name] = Implementation(name, config)
        except ImplementationError as error:
            raise pytest.UsageError(f"{error}\nAn implementation is a bundled alias "
                                    f"({', '.join(known_names())}), an importable module or a .py "
                                    f"file with {FACTORY_SIGNATURE}.") from None
    config.stash[_IMPLEMENTATIONS] = found
    for implementation in found.values():
        for problem in implementation.problems:
            config.issue_config_time_warning(ContractWarning(problem), stacklevel=2)


def pytest_sessionstart(session):
    """Drop hypothesis' shrink phase for implementations that compile per shape; here, after
    every plugin's ``pytest_configure``, as hypothesis' own loads a ``--hypothesis-profile``
    there, which would bring the shrink phase back."""
    found = implementations(session.config)
    if any(i.compiles_per_shape for i in found.values()) and \
            not session.config.getoption("stateful_lstm_shrink"):
        load_without_shrinking()


_IMPLEMENTATIONS = pytest.StashKey[dict]()
_OUTCOME = pytest.StashKey[str]()        # an item's outcome so far (the most severe of its phases)
_PLANNED = pytest.StashKey[str]()        # an outcome decided at collection (n/a)
_CAUSE = pytest.StashKey[object]()       # the declared cause of a known deviation
NO_SHRINK_SUFFIX = "+no-shrink"
CELL_SUFFIX = "+cell-examples"


def load_without_shrinking():
    """Load the current hypothesis profile minus its shrink and explain phases, for
    implementations that compile per input shape (JAX, tf.function): every shrink or explain step
    tries new shapes, so one failing test could take many minutes (a failing Keras classifier
    test: 250 s with the explain phase). A failure is then reported with the first failing
    example, printed in full, reproducible by the printed blob."""
    current = settings.get_current_profile_name()
    if current.endswith(NO_SHRINK_SUFFIX):
        return
    phases = [p for p in settings.default.phases if p not in (Phase.shrink, Phase.explain)]
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
        lines.append(f"  {implementation.title()}")
        for cause in implementation.causes:
            lines += cause_lines(cause, "    ")
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


def cells_of(config, definition):
    """The cell types a spec test runs with: the chosen ones (``--stateful-lstm-cell``) for a
    test marked ``every_cell`` that builds no LSTM model (``contract.LSTM_MODELS``), else the
    LSTM."""
    needs = {name for marker in definition.iter_markers("needs") for name in marker.args}
    if definition.get_closest_marker("every_cell") is None or needs & set(LSTM_MODELS):
        return [LSTM_CELL]
    return config.getoption("stateful_lstm_cell") or list(CELLS)


def pytest_generate_tests(metafunc):
    if FIXTURE in metafunc.fixturenames and in_spec(metafunc.definition.path):
        runs = [(name, cell) for name in implementations(metafunc.config)
                for cell in cells_of(metafunc.config, metafunc.definition)]
        ids = [name if cell == LSTM_CELL else f"{name}-{cell}" for name, cell in runs]
        metafunc.parametrize(FIXTURE, runs, ids=ids, indirect=True, scope="session")


@pytest.fixture(scope="session")
def stateful_lstm_impl(request):
    """The implementation under test: the object with ``make_lstm``."""
    return implementations(request.config)[request.param[0]].module


def clause_of(item):
    """The clause ID a test is marked with, or None."""
    marker = item.get_closest_marker("clause")
    return marker.args[0] if marker else None


def impl_of(item):
    """The implementation name a spec test runs against; None for any other test (only the
    spec's own tests are parametrized with one)."""
    return _run_of(item)[0]


def cell_of(item):
    """The cell type a spec test runs with (``contract.CELLS``); None for any other test."""
    return _run_of(item)[1]


def _run_of(item):
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(FIXTURE, (None, None)) if callspec else (None, None)


def needed_capabilities(item):
    """What the test's ``needs`` markers name: optional factories, "masks"."""
    needed = [name for marker in item.iter_markers("needs") for name in marker.args]
    unknown = set(needed) - set(CAPABILITIES)
    if unknown:
        raise pytest.UsageError(f"{item.nodeid} needs {sorted(unknown)}, which the contract "
                                f"does not define; it defines {list(CAPABILITIES)}")
    return needed


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
        implementation, cell = implementations(config)[name], cell_of(item)
        item.user_properties += [("clause", clause_of(item)), ("impl", name), ("cell", cell)]
        needed = needed_capabilities(item) + ([CELLS[cell].factory] if cell != LSTM_CELL else [])
        missing = [f for f in needed if implementation.module is not None and
                   not (implementation.masks if f == "masks" else offers(implementation.module, f))]
        if missing:
            item.stash[_PLANNED] = v.NOT_APPLICABLE
            item.add_marker(pytest.mark.skip(reason=f"not applicable: {name} has no "
                                                    f"{' or '.join(missing)}"))
            continue
        absent = [m for marker in item.iter_markers("requires") for m in marker.args
                  if importlib.util.find_spec(m) is None]
        if absent:
            item.stash[_PLANNED] = v.NOT_INSTALLED
            item.add_marker(pytest.mark.skip(reason=f"not installed: this test runs "
                                                    f"{', '.join(absent)} (pip install "
                                                    f"'stateful-lstm-spec[onnx]')"))
            continue
        if "masks" in needed and MASK_KINDS.get(implementation.masks):
            item.user_properties.append((RESTRICTION, MASK_KINDS[implementation.masks]))
        cause = implementation.cause_for(item.originalname, cell)
        if cause and cause.aborts:
            # The test would end the process (a crash no test can catch): not run, shown as the
            # known deviation it is; its repro keeps the cause from going stale.
            item.stash[_PLANNED] = v.DEVIATION
            item.add_marker(pytest.mark.skip(reason=f"known deviation, not run (it ends the "
                                                    f"process): {name}: {cause.headline}"))
        elif cause:
            # A declared deviation is a strict xfail of a spec assertion: a crash is still a
            # failure, and a test that starts passing is an error, so the list cannot go stale.
            item.stash[_CAUSE] = cause
            item.add_marker(pytest.mark.xfail(strict=True, raises=ExpectedViolation,
                                              reason=f"{name}: {cause.headline}"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip a spec test whose implementation cannot run (not installed, or stopped earlier)."""
    name = impl_of(item)
    if name and _PLANNED not in item.stash:
        implementation = implementations(item.config)[name]
        if implementation.not_installed:
            item.stash[_PLANNED] = v.NOT_INSTALLED
        elif implementation.stopped:
            item.stash[_PLANNED] = v.NOT_RUN
        implementation.check_usable()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Run a spec test under the time limit (if it runs out, the implementation's other tests
    are not run: they would most likely hang too), in the run mode of its implementation: sizes
    from the palette, and, for a known deviation, violations expected."""
    name = impl_of(item)
    if not name:
        return (yield)
    implementation = implementations(item.config)[name]
    try:
        with time_limit(implementation.timeout, f"{item.name}"), \
                running(palette=implementation.palette,
                        violation_expected=_CAUSE in item.stash, cell=cell_of(item)), \
                examples_for(item):
            return (yield)
    except TimeLimitExceeded as error:
        implementation.stopped = f"{name} ran out of time in an earlier test ({error})"
        raise


@contextlib.contextmanager
def examples_for(item):
    """Within the block, a run of a cell other than the LSTM has ``CELL_EXAMPLES`` of the
    profile's examples (unless --stateful-lstm-cell-examples): the current profile (a state
    machine's settings derive from it) and the settings hypothesis bound to the test when it
    was decorated (shared by every run of the test: restored after). A declared deviation keeps
    every example, so that it shows as reliably as the LSTM's (it ends at its first violation):
    with a few examples, one that only some draws reach (a padded step, say) can pass."""
    if cell_of(item) == LSTM_CELL or item.config.getoption("stateful_lstm_cell_examples") \
            or _CAUSE in item.stash:
        yield
        return
    current = settings.get_current_profile_name()
    examples = max(1, round(settings.default.max_examples * CELL_EXAMPLES))
    settings.register_profile(current + CELL_SUFFIX, settings.default, max_examples=examples)
    test = item.obj
    bound = getattr(test, "_hypothesis_internal_use_settings", None)
    settings.load_profile(current + CELL_SUFFIX)
    if bound is not None:
        test._hypothesis_internal_use_settings = settings(bound, max_examples=examples)
    try:
        yield
    finally:
        settings.load_profile(current)
        if bound is not None:
            test._hypothesis_internal_use_settings = bound


def phase_outcome(item, report, call):
    """The outcome one phase's report shows (``verdicts.OUTCOMES``)."""
    if report.skipped:
        return v.DEVIATION if hasattr(report, "wasxfail") else item.stash.get(_PLANNED, v.NOT_RUN)
    if report.failed:
        error = call.excinfo.value if call.excinfo else None
        if report.when == "call" and (isinstance(error, SpecViolation) or
                                      (error is None and _CAUSE in item.stash)):
            return v.FAIL          # a violation, or a declared deviation that now passes
        return v.ERROR
    return v.PASS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Record the test's outcome as data (``OUTCOME`` in every report's ``user_properties``: the
    most severe so far); on a failure, add a report section naming the clause, the
    implementation and how to rerun just this test."""
    report = yield
    name, clause = impl_of(item), clause_of(item)
    if not name:
        return report
    phase, so_far = phase_outcome(item, report, call), item.stash.get(_OUTCOME, v.PASS)
    # A passing phase changes nothing once the test is skipped, failed or a deviation; a failing
    # one (a teardown error, say) is recorded whatever came before.
    outcome = phase if so_far == v.PASS else \
        v.most_severe([so_far, phase]) if phase in (v.FAIL, v.ERROR) else so_far
    item.stash[_OUTCOME] = outcome
    report.user_properties = [*report.user_properties, (OUTCOME, outcome)]
    if clause and report.failed and report.when == "call":
        implementation = implementations(item.config)[name]
        error = call.excinfo.value if call.excinfo else None
        number = list(CLAUSES).index(clause) + 1
        if isinstance(error, SpecViolation):
            what = "a spec assertion failed"
        elif isinstance(error, TimeLimitExceeded):
            what = f"it ran out of time (--stateful-lstm-timeout {implementation.timeout:g})"
        elif error is None:
            what = "it passed, but the implementation declares it as a known deviation: " \
                   "remove the test from KNOWN_DEVIATIONS"
        else:
            what = f"the implementation raised {type(error).__name__}, which no clause allows here"
        report.sections.append(("stateful-lstm-spec", (
            f"clause {number}, {clause!r} (SPEC.md section {number}: {CLAUSES[clause]})\n"
            f"implementation {implementation.title()}\n"
            f"failure: {what}\n"
            f"rerun only this test: pytest --pyargs spec --stateful-lstm-impl {name} "
            f"--stateful-lstm-cell {cell_of(item)} -k {item.originalname}")))
    return report


def pytest_terminal_summary(terminalreporter, config):
    """Each cause of a known deviation once, with the outcome of each test it covers."""
    outcomes = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            properties = dict(getattr(report, "user_properties", ()))
            if getattr(report, "when", None) == "teardown" and OUTCOME in properties:
                test = report.nodeid.split("::")[-1].split("[")[0]
                outcomes[properties["impl"], test, properties["cell"]] = properties[OUTCOME]
    lines = []
    for name, implementation in implementations(config).items():
        for cause in implementation.causes:
            seen = {(t, c): outcomes[name, t, c] for t in cause.tests for c in CELLS
                    if implementation.cause_for(t, c) is cause and (name, t, c) in outcomes}
            if seen:
                lines += [f"{name}: known deviation: {cause.headline}",
                          *(f"  {test}{'' if cell == LSTM_CELL else f' ({CELLS[cell].title})'}: "
                            f"{outcome}" for (test, cell), outcome in seen.items())]
    if lines:
        terminalreporter.write_sep("=", "stateful-lstm-spec known deviations, by cause")
        for line in lines:
            terminalreporter.write_line(line)

