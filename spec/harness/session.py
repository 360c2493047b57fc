"""A session that targets the spec: the implementations under test and, for each collected spec
test, what it runs with and whether it applies (the plugin's collection and run hooks call
these; ``plugin`` wires them).

- The implementations come from ``--stateful-lstm-impl`` (repeatable), else
  ``$STATEFUL_LSTM_IMPL`` (comma-separated), else every bundled and registered one; a name that
  does not load is a usage error; one whose framework is not installed is skipped with the
  reason; if its ``make_lstm`` raises, or a test outruns the time limit, that is reported once and
  its remaining tests are not run.
- Each spec test runs once per implementation, and a test marked ``every_cell`` once more per
  cell type (``contract.CELLS``: run IDs end in ``-gru``, ``-simple_rnn``;
  ``--stateful-lstm-cell`` chooses), one marked ``every_runtime`` once per runtime its exported
  copies run in (``contract.RUNTIMES``: IDs end in ``-openvino``, ``-litert``), and one marked
  ``stacks`` once more per cell on stacked layers (IDs end in ``-stacked``; a test that needs a
  trained model does not; one marked ``stacked_only`` runs those alone; a stack's exported
  copies run in ONNX Runtime only). What a run runs
  on (its cell, runtime, stacking, the palette, its examples: the cells other than the LSTM,
  the runtimes other than ONNX Runtime and the stacks with ``profiles.CELL_EXAMPLES`` of them)
  is a ``spec.run.Run``
  fixed at collection, which the test draws for (``spec.run.bind``) and receives
  (``stateful_lstm_run``).
- Applicability is decided at collection: a test that ``needs`` an optional factory or masks
  the implementation lacks is "n/a"; one whose runtime is not installed is "not installed"; a
  declared known deviation is a strict expected failure (or not run, if it ends the process).
- An implementation that declares ``COMPILES_PER_SHAPE = True`` (JAX, tf.function) gets sizes from
  the palette (``--stateful-lstm-all-sizes``: every size).
- ``--stateful-lstm-shard K/N``: how ``python -m spec`` splits an implementation's run.
"""
import argparse
import contextlib
import importlib.util
import os
from pathlib import Path

import pytest

from ..assertions import ExpectedViolation
from ..clauses import CLAUSES
from ..contract import (
    CAPABILITIES,
    CELLS,
    DEFAULT_RUNTIME,
    FACTORIES,
    LSTM_CELL,
    MASK_KINDS,
    RUNTIMES,
    TRAINED_MODELS,
    masks,
    offers,
    stacks,
    trains,
)
from ..run import Run, bind
from . import profiles
from . import verdicts as v
from .deviations import read_deviations
from .items import ENV_VAR, cell_of, clause_of, impl_of, runtime_of, stacked_of
from .loader import (
    FACTORY_SIGNATURE,
    ImplementationError,
    NotInstalled,
    describe,
    known_names,
    load_implementation,
    target_of,
)
from .time_limit import TimeLimitExceeded, time_limit

PROBE = dict(units=2, input_dim=3, stateful=True, batch_size=2, seed=0)
PROBE_CALL = "make_lstm(" + ", ".join(f"{k}={v}" for k, v in PROBE.items()) + ")"
IMPLEMENTATIONS = pytest.StashKey[dict]()
PLANNED = pytest.StashKey[str]()        # an outcome decided at collection (n/a)
CAUSE = pytest.StashKey[object]()       # the declared cause of a known deviation
RESTRICTION = "restriction"    # the user_properties key of what the implementation offers in part


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
        self.problems += missing_repros(name, self.module, self.causes)
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


def source_root(module):
    """The root of the source tree that holds ``module``: the folder above its top-level
    package, or a lone module's own folder; None for an installed one (its tree is not at
    hand) or one without a file."""
    path = getattr(module, "__file__", None)
    if not path or {"site-packages", "dist-packages"} & set(Path(path).parts):
        return None
    folder = Path(path).resolve().parent
    if Path(path).name == "__init__.py" or (folder / "__init__.py").is_file():
        while (folder.parent / "__init__.py").is_file():
            folder = folder.parent
        folder = folder.parent
    return folder


def missing_repros(name, module, causes):
    """A problem for each cause whose ``repro`` path is not a file under ``source_root`` (a
    URL is not checked)."""
    root = source_root(module)
    return [f"{name}: the repro of {cause.headline!r}, {cause.repro}, is not a file under "
            f"{root} (a repro path is relative to the root of the implementation's source tree)"
            for cause in causes if root is not None and cause.repro and "://" not in cause.repro
            and not (root / cause.repro).is_file()]


def shard_option(text):
    """``"K/N"`` -> ``(K, N)``; an argparse type, so a malformed value is a usage error."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected K/N, such as 0/2; received {text!r}") from None
    if not 0 <= k < n:
        raise argparse.ArgumentTypeError(f"expected K/N with 0 <= K < N; received {text!r}")
    return k, n


def implementations(config):
    """``{name: Implementation}`` of this run (empty if the run does not involve the spec)."""
    return config.stash.get(IMPLEMENTATIONS, {})


def selected_implementations(config):
    """The names given with --stateful-lstm-impl, else in $STATEFUL_LSTM_IMPL, else every bundled
    and registered implementation."""
    from_env = [n.strip() for n in os.environ.get(ENV_VAR, "").split(",") if n.strip()]
    return config.getoption("stateful_lstm_impl") or from_env or known_names()


def configure(config):
    """Load the session's implementations (a name that does not load, or an unknown cell, is a
    usage error) and the hypothesis profile."""
    unknown = set(config.getoption("stateful_lstm_cell") or ()) - set(CELLS)
    if unknown:
        raise pytest.UsageError(f"--stateful-lstm-cell: expected one of {list(CELLS)}; received "
                                f"{sorted(unknown)}")
    profiles.load_default_profile(config)
    found = {}
    for name in selected_implementations(config):
        try:
            found[name] = Implementation(name, config)
        except ImplementationError as error:
            raise pytest.UsageError(f"{error}\nAn implementation is a bundled alias "
                                    f"({', '.join(known_names())}), an importable module or a .py "
                                    f"file with {FACTORY_SIGNATURE}.") from None
    config.stash[IMPLEMENTATIONS] = found
    for implementation in found.values():
        for problem in implementation.problems:
            config.issue_config_time_warning(ContractWarning(problem), stacklevel=2)


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
    (``KINDS``) dealt to it, counting only the kinds of tests that apply to the implementations
    (``missing``); if fewer than N of those kinds build a model of their own (a single run does
    not count: it is short where nothing trains), every N-th of the test functions that apply
    from the K-th. Tests that apply to none (they end at once) are dealt every N-th from the K-th.
    All the implementations' parametrizations of a function stay together."""
    k, n = shard
    spec_items = [item for item in items if impl_of(item)]
    applies = {function_of(item): kind_of(item) for item in spec_items
               if not missing(item, implementations(config)[impl_of(item)])}
    kinds = [kind for kind in KINDS if kind in applies.values()]
    functions = list(dict.fromkeys(function_of(item) for item in spec_items))
    if sum(kind in FACTORIES for kind in kinds) >= n:
        mine = {f for f, kind in applies.items() if kinds.index(kind) % n == k}
    else:
        mine = set(list(applies)[k::n])
    mine |= set([f for f in functions if f not in applies][k::n])
    kept = [item for item in items if not impl_of(item) or function_of(item) in mine]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def function_of(item):
    """The test function a spec test's run belongs to (its node ID without the run's ID)."""
    return item.nodeid.split("[")[0]


def cells_of(config, definition):
    """The cell types a spec test runs with: the chosen ones (``--stateful-lstm-cell``) for a
    test marked ``every_cell`` (and not ``lstm_only``), else the LSTM."""
    if definition.get_closest_marker("every_cell") is None or \
            definition.get_closest_marker("lstm_only") is not None:
        return [LSTM_CELL]
    return config.getoption("stateful_lstm_cell") or list(CELLS)


def runtimes_of(definition):
    """The runtimes a spec test's exported copies run in: every one (``contract.RUNTIMES``) for a
    test marked ``every_runtime``, else the default (the test runs none, or ONNX Runtime)."""
    if definition.get_closest_marker("every_runtime") is None:
        return [DEFAULT_RUNTIME]
    return list(RUNTIMES)


def stackings_of(definition):
    """Whether a spec test runs on one layer, on stacked layers or both: ``[False, True]`` for a
    test marked ``stacks`` that needs no trained model, ``[True]`` for one marked
    ``stacked_only``, else ``[False]``."""
    if definition.get_closest_marker("stacked_only") is not None:
        return [True]
    needed = {name for marker in definition.iter_markers("needs") for name in marker.args}
    if definition.get_closest_marker("stacks") is None or needed & set(TRAINED_MODELS):
        return [False]
    return [False, True]


def runs(config, definition):
    """The spec test's runs, ``(implementation, cell, runtime, stacked)``, and their IDs: a
    stack's exported copies run in the default runtime only (its other runtimes' copies are the
    kit's exporters', the same for every implementation: ``tests/test_export.py``)."""
    found = [(name, cell, runtime, stacked) for name in implementations(config)
             for cell in cells_of(config, definition) for runtime in runtimes_of(definition)
             for stacked in stackings_of(definition)
             if not (stacked and runtime != DEFAULT_RUNTIME)]
    return found, ["-".join([name] + [cell] * (cell != LSTM_CELL) +
                            [runtime] * (runtime != DEFAULT_RUNTIME) + ["stacked"] * stacked)
                   for name, cell, runtime, stacked in found]


def needed_capabilities(item):
    """What the test's ``needs`` markers name: optional factories, "masks"."""
    needed = [name for marker in item.iter_markers("needs") for name in marker.args]
    unknown = set(needed) - set(CAPABILITIES)
    if unknown:
        raise pytest.UsageError(f"{item.nodeid} needs {sorted(unknown)}, which the contract "
                                f"does not define; it defines {list(CAPABILITIES)}")
    return needed


def decide_applicability(config, items):
    """Take the shard, check the clause markers, and mark each spec test that does not apply
    (n/a, not installed), is a declared known deviation (strict xfail) or is not run (it would
    end the process)."""
    if config.getoption("stateful_lstm_shard"):
        take_shard(config, items, config.getoption("stateful_lstm_shard"))
    unknown = {clause_of(i) for i in items} - set(CLAUSES) - {None}
    if unknown:
        raise pytest.UsageError(f"tests are marked with clauses that SPEC.md does not define: "
                                f"{sorted(unknown)}; defined: {list(CLAUSES)}")
    for item in items:
        name = impl_of(item)
        if name:
            _decide(item, implementations(config)[name], name, cell_of(item), runtime_of(item),
                    stacked_of(item))


def run_for(config, name, cell, runtime, stacked, test):
    """The run (``spec.run.Run``) of spec test ``test`` (its function's name) of implementation
    ``name`` with ``cell``, ``runtime`` and ``stacked``: a cell other than the LSTM or a runtime
    other than ONNX Runtime gets ``profiles.CELL_EXAMPLES`` of the examples, a stack
    ``profiles.STACK_EXAMPLES`` (unless --stateful-lstm-cell-examples), but a declared known
    deviation gets them all: it ends at its
    first failing example, and its strict expected failure must not depend on a draw a few
    examples miss (the few are the first of them all, so what an undeclared run showed can be
    declared)."""
    implementation = implementations(config)[name]
    few = (cell != LSTM_CELL or runtime != DEFAULT_RUNTIME or stacked) and \
        not config.getoption("stateful_lstm_cell_examples") and \
        implementation.cause_for(test, cell) is None
    return Run(cell=cell, palette=implementation.palette,
               examples=profiles.cell_examples(profiles.STACK_EXAMPLES if stacked else
                                               profiles.CELL_EXAMPLES) if few else None,
               runtime=runtime,
               stacked=stacked)


def missing(item, implementation):
    """What the spec test needs (``needed_capabilities``, the factory of a cell other than the
    LSTM, a trained model of that cell: ``contract.trains``, a stack of it: ``contract.stacks``)
    that its implementation lacks: if anything, the test is n/a."""
    cell, module = cell_of(item), implementation.module
    needed = needed_capabilities(item) + ([CELLS[cell].factory] if cell != LSTM_CELL else [])
    if module is None:
        return []
    lacking = [f for f in needed if not (implementation.masks if f == "masks" else offers(module, f))]
    stack = [f"{CELLS[cell].factory}(layers=...)"] if stacked_of(item) and \
        CELLS[cell].factory not in lacking and not stacks(module, cell) else []
    return lacking + stack + [f"{f}(cell={cell!r})" for f in needed if f in TRAINED_MODELS and
                              f not in lacking and not trains(module, f, cell)]


def _decide(item, implementation, name, cell, runtime, stacked):
    item.user_properties += [("clause", clause_of(item)), ("impl", name), ("cell", cell),
                             ("runtime", runtime), ("stacked", stacked)]
    cause = implementation.cause_for(item.originalname, cell)
    item.obj = bind(item.obj, run_for(item.config, name, cell, runtime, stacked,
                                      item.originalname),
                    declared=bool(cause) and not cause.aborts)
    lacking = missing(item, implementation)
    if lacking:
        item.stash[PLANNED] = v.NOT_APPLICABLE
        item.add_marker(pytest.mark.skip(reason=f"not applicable: {name} has no "
                                                f"{' or '.join(lacking)}"))
        return
    absent = [m for m in RUNTIMES[runtime].modules if importlib.util.find_spec(m) is None] \
        if item.get_closest_marker("every_runtime") else []
    if absent:
        item.stash[PLANNED] = v.NOT_INSTALLED
        item.add_marker(pytest.mark.skip(reason=f"not installed: this test runs "
                                                f"{RUNTIMES[runtime].title}, which needs "
                                                f"{', '.join(absent)} (pip install "
                                                f"'stateful-lstm-spec[{RUNTIMES[runtime].extra}]')"))
        return
    if "masks" in needed_capabilities(item) and MASK_KINDS.get(implementation.masks):
        item.user_properties.append((RESTRICTION, MASK_KINDS[implementation.masks]))
    if cause and cause.aborts:
        # The test would end the process (a crash no test can catch): not run, shown as the
        # known deviation it is; its repro keeps the cause from going stale.
        item.stash[PLANNED] = v.DEVIATION
        item.add_marker(pytest.mark.skip(reason=f"known deviation, not run (it ends the "
                                                f"process): {name}: {cause.headline}"))
    elif cause:
        # A declared deviation is a strict xfail of a spec assertion: a crash is still a
        # failure, and a test that starts passing is an error, so the list cannot go stale.
        item.stash[CAUSE] = cause
        item.add_marker(pytest.mark.xfail(strict=True, raises=ExpectedViolation,
                                          reason=f"{name}: {cause.headline}"))


def check_before_run(item, name):
    """Skip a spec test whose implementation cannot run (not installed, or stopped earlier)."""
    if PLANNED not in item.stash:
        implementation = implementations(item.config)[name]
        if implementation.not_installed:
            item.stash[PLANNED] = v.NOT_INSTALLED
        elif implementation.stopped:
            item.stash[PLANNED] = v.NOT_RUN
        implementation.check_usable()


@contextlib.contextmanager
def running_test(item, name):
    """The context a spec test runs in: its implementation's time limit (if it runs out, the
    implementation's other tests are not run: they would most likely hang too)."""
    implementation = implementations(item.config)[name]
    try:
        with time_limit(implementation.timeout, item.name):
            yield
    except TimeLimitExceeded as error:
        implementation.stopped = f"{name} ran out of time in an earlier test ({error})"
        raise
