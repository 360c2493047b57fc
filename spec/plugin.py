"""The spec's pytest plugin: ``--impl``, the ``impl`` fixture, the report header, the ``clause``
marker, and the hypothesis profiles ``dev`` (default), ``ci`` (derandomized) and ``thorough``.

Installed as the pytest entry point ``spec.plugin`` so that ``pytest --pyargs spec --impl NAME`` works
from any directory. In runs that do not involve the spec (other projects' tests in the same
environment) it only adds the ``--impl`` option: no header, no fixture parametrization, no profile.
"""
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from .clauses import CLAUSES
from .implementations import BUNDLED, ENV_VAR, describe, load_implementation

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=25, **_COMMON)
settings.register_profile("ci", max_examples=25, derandomize=True, database=None,
                          print_blob=True, **_COMMON)
settings.register_profile("thorough", max_examples=250, **_COMMON)
# For the meta-tests, which only ask whether the spec fails a broken implementation: ci's examples,
# with no shrinking or explaining of the failure found.
settings.register_profile("detect", parent=settings.get_profile("ci"),
                          phases=[Phase.explicit, Phase.reuse, Phase.generate])


def pytest_addoption(parser):
    group = parser.getgroup("stateful-lstm-spec")
    group.addoption("--impl", action="append", dest="lstm_impl", metavar="NAME",
                    help=f"implementation to check: {', '.join(BUNDLED)} or a dotted module path "
                         f"(repeatable; default: ${ENV_VAR}, comma-separated, else all bundled)")


def selected_implementations(config):
    """The names given with --impl, else in $STATEFUL_LSTM_IMPL, else every bundled alias."""
    from_env = [n.strip() for n in os.environ.get(ENV_VAR, "").split(",") if n.strip()]
    return config.getoption("lstm_impl") or from_env or list(BUNDLED)


def _targets_spec(config):
    """Whether the run was pointed at the spec: --impl or $STATEFUL_LSTM_IMPL given, or a path
    (or, with --pyargs, a module name) inside the spec package among the arguments."""
    if config.getoption("lstm_impl") or os.environ.get(ENV_VAR):
        return True
    spec_dir = Path(__file__).parent
    for arg in config.args:
        target = arg.split("::")[0]
        if config.getoption("pyargs", False) and (target == "spec" or target.startswith("spec.")):
            return True
        path = Path(config.invocation_params.dir, target).resolve()
        if path == spec_dir or spec_dir in path.parents:
            return True
    return False


def load_default_profile(config):
    """Load ``dev`` (``ci`` when $CI is set) unless --hypothesis-profile chose a profile."""
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_configure(config):
    config.addinivalue_line("markers", "clause(id): the SPEC.md clause that a spec test checks")
    config.addinivalue_line("markers", "known_deviation: the implementation declares that it "
                                       "fails this test (KNOWN_DEVIATIONS)")
    if _targets_spec(config):
        load_default_profile(config)


def pytest_report_header(config):
    if not _targets_spec(config):
        return []
    lines = ["stateful-lstm-spec implementations under test:"]
    for name in selected_implementations(config):
        lines.append(f"  {describe(name)}")
        lines += [f"    known deviation, {test}: {reason}"
                  for test, reason in known_deviations(name).items()]
    return lines + [
        f"  hypothesis profile: {settings._current_profile}"]


def pytest_generate_tests(metafunc):
    if "impl" in metafunc.fixturenames:
        names = selected_implementations(metafunc.config)
        metafunc.parametrize("impl", names, ids=names, indirect=True, scope="session")


@pytest.fixture(scope="session")
def impl(request):
    """The implementation under test: the object with ``make_lstm``."""
    return load_implementation(request.param)


def clause_of(item):
    """The clause ID a test is marked with, or None."""
    marker = item.get_closest_marker("clause")
    return marker.args[0] if marker else None


def known_deviations(name):
    """``{spec test function name: reason}`` that implementation ``name`` declares in its
    ``KNOWN_DEVIATIONS`` (empty if it declares none or cannot be loaded)."""
    try:
        return dict(getattr(load_implementation(name), "KNOWN_DEVIATIONS", {}))
    except ValueError:
        return {}


def pytest_collection_modifyitems(config, items):
    unknown = {clause_of(i) for i in items} - set(CLAUSES) - {None}
    if unknown:
        raise pytest.UsageError(f"tests are marked with clauses that SPEC.md does not define: "
                                f"{sorted(unknown)}; defined: {list(CLAUSES)}")
    deviations = {name: known_deviations(name) for name in selected_implementations(config)}
    for item in items:
        name = getattr(item, "callspec", None) and item.callspec.params.get("impl")
        if name and clause_of(item):   # for reports, also those xdist workers send back
            item.user_properties += [("clause", clause_of(item)), ("impl", name)]
        # A declared deviation is a strict xfail: reported as such, an error once it is fixed.
        reason = deviations.get(name, {}).get(item.originalname)
        if reason:
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"{name}: {reason}"))
            item.add_marker(pytest.mark.known_deviation)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Run a known deviation without shrinking: its failure is expected, and shrinking it through
    many model shapes would only cost time."""
    test = getattr(item, "obj", None)
    chosen = getattr(test, "_hypothesis_internal_use_settings", None)
    if chosen is None or item.get_closest_marker("known_deviation") is None:
        return (yield)
    test._hypothesis_internal_use_settings = settings(
        chosen, phases=[Phase.explicit, Phase.reuse, Phase.generate])
    try:
        return (yield)
    finally:
        test._hypothesis_internal_use_settings = chosen
