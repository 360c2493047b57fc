"""What the plugin's hooks read from pytest's objects before anything heavy is imported: whether a
session targets the spec, and which implementation, cell, runtime, stacking and clause a collected
test runs with.
Imports nothing but the standard library, so that the plugin costs nothing in another project's
session (``plugin``)."""
import os
from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parents[1]
FIXTURE = "stateful_lstm_impl"
ENV_VAR = "STATEFUL_LSTM_IMPL"        # implementations to check, comma-separated
DEFAULT_TIMEOUT = 300.0              # seconds per spec test


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


def in_spec(path):
    """Whether ``path`` is one of the spec's own test modules."""
    return Path(path).resolve().parent == SPEC_DIR


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


def runtime_of(item):
    """The runtime a spec test marked ``every_runtime`` runs its exported copies in
    (``contract.RUNTIMES``); None for any other test."""
    return _run_of(item)[2]


def stacked_of(item):
    """Whether a spec test's run is of stacked layers (tests marked ``stacks``); None for any
    other test."""
    return _run_of(item)[3]


def _run_of(item):
    callspec = getattr(item, "callspec", None)
    none = (None, None, None, None)
    return callspec.params.get(FIXTURE, none) if callspec else none
