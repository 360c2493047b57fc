"""The spec's pytest plugin (installed as the pytest entry point ``spec.plugin``): the hooks, and
nothing but wiring.

It imports nothing but pytest and the standard library until a session targets the spec (an
implementation named with ``--stateful-lstm-impl`` or ``$STATEFUL_LSTM_IMPL``, or a path or
``--pyargs`` module inside the spec package: ``items.targets_spec``). In any other session (another
project's tests, in an environment where the kit is installed) it adds its options and markers,
all under names of this project's own, and does nothing else: no import of NumPy, hypothesis or
the reference, no header, no parametrization, no profile loaded.

In a session that targets the spec, the jobs are the modules':
- ``session``: the implementations under test, the ``stateful_lstm_impl`` runs of each spec test
  (per implementation, cell and runtime), applicability decided at collection (n/a, not installed, known
  deviations as strict expected failures), sharding, what each test runs on (``spec.run.Run``:
  its cell, palette and examples, fixed at collection; the ``stateful_lstm_run`` fixture) and
  the time limit it runs in;
- ``profiles``: the hypothesis profiles (``stateful-lstm-default`` unless one is chosen), failures
  not shrunk unless ``--stateful-lstm-shrink``, the examples of each cell's runs;
- ``reporting``: each spec test's outcome recorded as data, the report header, the failure
  section naming the clause and the implementation, the summary of known deviations by cause;
- ``cores``: with pytest-xdist's ``-n N``, each worker's NumPy BLAS and OpenMP get ``cores // N``
  threads unless the user set a thread count.
"""
import pytest

from .items import DEFAULT_TIMEOUT, ENV_VAR, FIXTURE, impl_of, in_spec, targets_spec

_TARGETED = pytest.StashKey[bool]()      # whether this session targets the spec


def targeted(config):
    return config.stash.get(_TARGETED, False)


def pytest_addoption(parser):
    group = parser.getgroup("stateful-lstm-spec")
    group.addoption("--stateful-lstm-impl", action="append", dest="stateful_lstm_impl",
                    metavar="NAME",
                    help=f"implementation to check: a bundled alias (python -m spec --help lists "
                         f"them), a registered name, a module path or a .py file (repeatable; "
                         f"default: ${ENV_VAR}, comma-separated, else every bundled and "
                         f"registered one)")
    group.addoption("--stateful-lstm-shrink", action="store_true", dest="stateful_lstm_shrink",
                    help="shrink failing examples (by default a failure is reported with its "
                         "first failing example: each shrink step may build and compile anew)")
    group.addoption("--stateful-lstm-all-sizes", action="store_true",
                    dest="stateful_lstm_all_sizes",
                    help="draw sizes from their whole ranges even for an implementation that "
                         "declares COMPILES_PER_SHAPE (by default it gets the palette of sizes: "
                         "SPEC.md)")
    group.addoption("--stateful-lstm-shard", type=_shard, default=None,
                    dest="stateful_lstm_shard", metavar="K/N",
                    help="run only shard K of N (0 <= K < N) of the selected spec tests, split "
                         "by the kind of model they build (python -m spec runs an "
                         "implementation as shards 0/2 and 1/2 side by side)")
    group.addoption("--stateful-lstm-cell", action="append", dest="stateful_lstm_cell",
                    metavar="CELL",
                    help="cell type whose runs of the every_cell tests to run (lstm, gru, "
                         "simple_rnn: spec/contract.py's CELLS; repeatable; default: all)")
    group.addoption("--stateful-lstm-cell-examples", action="store_true",
                    dest="stateful_lstm_cell_examples",
                    help="run every cell, runtime and stack with the profile's examples (by "
                         "default the cells other than the LSTM, and the exported copies in "
                         "runtimes other than ONNX Runtime, run a sixth of them, the stacks a "
                         "twelfth: SPEC.md)")
    group.addoption("--stateful-lstm-timeout", type=float, default=DEFAULT_TIMEOUT,
                    dest="stateful_lstm_timeout", metavar="SECONDS",
                    help=f"time limit per spec test (default {DEFAULT_TIMEOUT:g}; 0: none)")


def _shard(text):
    from .session import shard_option
    return shard_option(text)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    config.addinivalue_line("markers", "clause(id): the SPEC.md clause that a spec test checks")
    config.addinivalue_line("markers", "needs(capability): an optional factory of the contract, "
                                       "or masks, that the test needs (without it: not "
                                       "applicable)")
    config.addinivalue_line("markers", "every_cell: the spec test runs once per cell type "
                                       "(LSTM, GRU, SimpleRNN) an implementation offers (and, "
                                       "for a classifier or sequence model, trains)")
    config.addinivalue_line("markers", "lstm_only: in a module marked every_cell, a test that "
                                       "runs for the LSTM only (the tutorial's experiments)")
    config.addinivalue_line("markers", "stacks: the spec test (of a bare layer: not one that "
                                       "needs a trained model) runs once more per cell type on "
                                       "stacked layers (2 or 3)")
    config.addinivalue_line("markers", "stacked_only: in a module marked stacks, a test that "
                                       "runs on stacked layers only")
    config.addinivalue_line("markers", "every_runtime: the spec test runs once per runtime its "
                                       "exported copies run in (ONNX Runtime, OpenVINO, LiteRT: "
                                       "each its own verdict; not installed without it)")
    if not targets_spec(config):
        return
    from .cores import share_cores_among_workers
    from .session import configure
    config.stash[_TARGETED] = True
    share_cores_among_workers(config)
    configure(config)


def pytest_sessionstart(session):
    """Failures are not shrunk unless asked (``profiles``): here, after every plugin's
    ``pytest_configure``, as hypothesis' own loads a ``--hypothesis-profile`` there."""
    if targeted(session.config) and not session.config.getoption("stateful_lstm_shrink"):
        from .profiles import load_without_shrinking
        load_without_shrinking()


def pytest_report_header(config):
    if not targeted(config):
        return []
    from .reporting import header
    return header(config)


def pytest_generate_tests(metafunc):
    if FIXTURE in metafunc.fixturenames and targeted(metafunc.config) and \
            in_spec(metafunc.definition.path):
        from .session import runs
        found, ids = runs(metafunc.config, metafunc.definition)
        metafunc.parametrize(FIXTURE, found, ids=ids, indirect=True, scope="session")


@pytest.fixture(scope="session")
def stateful_lstm_impl(request):
    """The implementation under test: the object with ``make_lstm``."""
    from .session import implementations
    return implementations(request.config)[request.param[0]].module


@pytest.fixture
def stateful_lstm_run(request):
    """What the spec test runs on (``spec.run.Run``: its cell, runtime, palette and examples)."""
    from .session import run_for
    return run_for(request.config, *request.node.callspec.params[FIXTURE],
                   request.node.originalname)


@pytest.hookimpl(trylast=True)      # after -k and -m: a shard is half of what they selected
def pytest_collection_modifyitems(config, items):
    if targeted(config):
        from .session import decide_applicability
        decide_applicability(config, items)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    name = impl_of(item)
    if name:
        from .session import check_before_run
        check_before_run(item, name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    name = impl_of(item)
    if not name:
        return (yield)
    from .session import running_test
    with running_test(item, name):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    name = impl_of(item)
    if name:
        from .reporting import record
        record(item, call, report, name)
    return report


def pytest_terminal_summary(terminalreporter, config):
    if targeted(config):
        from .reporting import summary
        summary(terminalreporter, config)
