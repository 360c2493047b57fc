"""This repository's own test settings, for ``spec/`` and ``tests/`` alike, in a session rooted
at this checkout (``pytest`` at its top, as the README and ``.ci/run`` run it): the spec's
default hypothesis profile also for ``tests/``; each of pytest-xdist's workers with its share of
the cores; the ``slow`` marker on the spec's Keras tests, which build and trace hundreds of Keras
models, on the exported copies run in OpenVINO and LiteRT, which compile or convert a model per
example, and on the GRU's and SimpleRNN's runs of the tests that train (``.ci/run`` runs them with
``-m slow``, and the seed sweep every run; ``python -m spec`` is the main way to run them);
and only the reference and Keras among the bundled implementations unless others are named
(``--stateful-lstm-impl``): the other frameworks' columns are ``python -m spec``'s job.

In any other session it does nothing: an editable install makes ``pytest --pyargs spec`` from
another folder load this file too, and the verdict it gives must not depend on how the kit was
installed (``tests/test_plugin.py`` checks it)."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
OWN_RUN = ("reference", "keras")


def own_session(config):
    return Path(config.rootpath).resolve() == ROOT


def pytest_configure(config):
    if own_session(config):
        from spec.harness.cores import share_cores_among_workers
        from spec.harness.profiles import load_default_profile
        share_cores_among_workers(config)
        load_default_profile(config)


def pytest_collection_modifyitems(config, items):
    if not own_session(config):
        return
    from spec.contract import DEFAULT_RUNTIME, LSTM_CELL, TRAINED_MODELS
    from spec.harness.items import ENV_VAR, cell_of, impl_of, runtime_of
    from spec.harness.session import needed_capabilities
    from stateful_lstm.adapters import BUNDLED
    named = config.getoption("stateful_lstm_impl") or os.environ.get(ENV_VAR)
    other_frameworks = [] if named else [
        item for item in items if impl_of(item) in BUNDLED and impl_of(item) not in OWN_RUN]
    if other_frameworks:
        config.hook.pytest_deselected(items=other_frameworks)
        items[:] = [item for item in items if item not in other_frameworks]
    for item in items:
        trains_another_cell = cell_of(item) not in (None, LSTM_CELL) and \
            not set(needed_capabilities(item)).isdisjoint(TRAINED_MODELS)
        if impl_of(item) == "keras" or runtime_of(item) not in (None, DEFAULT_RUNTIME) or \
                trains_another_cell:
            item.add_marker(pytest.mark.slow)
