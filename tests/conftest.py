"""The repository's own test run (``pytest`` at the top of the checkout, which also runs the spec
against the bundled implementations): the spec's default hypothesis profile for ``tests/``, and
the ``slow`` marker on the spec's Keras tests, which build and trace hundreds of Keras models
(``.ci/run`` runs them with ``-m slow``; ``python -m spec`` is the main way to run them).

It lives in ``tests/``, not at the top: a conftest.py above ``spec/`` would also be loaded by
``pytest --pyargs spec`` from an editable install, and change the verdict."""
import pytest

from spec.plugin import impl_of, load_default_profile


def pytest_configure(config):
    load_default_profile(config)


def pytest_collection_modifyitems(items):
    for item in items:
        if impl_of(item) == "keras":
            item.add_marker(pytest.mark.slow)
