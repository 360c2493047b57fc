"""The repository's own test run (``pytest`` at the top of the checkout, which also runs the spec
against the bundled implementations): the spec's default hypothesis profile for ``tests/``, the
``slow`` marker on the spec's Keras tests, which build and trace hundreds of Keras models
(``.ci/run`` runs them with ``-m slow``; ``python -m spec`` is the main way to run them), and only
the reference and Keras among the bundled implementations unless others are named
(``--stateful-lstm-impl``): the other frameworks' columns are ``python -m spec``'s job (``.ci/run``
runs it for them).

It lives in ``tests/``, not at the top: a conftest.py above ``spec/`` would also be loaded by
``pytest --pyargs spec`` from an editable install, and change the verdict."""
import os

import pytest

from spec.harness.cores import share_cores_among_workers
from spec.harness.items import ENV_VAR, impl_of
from spec.harness.profiles import load_default_profile
from stateful_lstm.adapters import BUNDLED

OWN_RUN = ("reference", "keras")


def pytest_configure(config):
    share_cores_among_workers(config)
    load_default_profile(config)


def pytest_collection_modifyitems(config, items):
    named = config.getoption("stateful_lstm_impl") or os.environ.get(ENV_VAR)
    other_frameworks = [] if named else [
        item for item in items if impl_of(item) in BUNDLED and impl_of(item) not in OWN_RUN]
    if other_frameworks:
        config.hook.pytest_deselected(items=other_frameworks)
        items[:] = [item for item in items if item not in other_frameworks]
    for item in items:
        if impl_of(item) == "keras":
            item.add_marker(pytest.mark.slow)
