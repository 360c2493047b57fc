"""The repository's own test run: the spec's plugin (also an installed entry point of the same
name), ``pytester`` for the meta-tests, the spec's default hypothesis profile for ``tests/``, and
the ``slow`` marker on Keras' training clauses (``.ci/run`` runs them with ``-m slow``)."""
import pytest

from spec.plugin import clause_of, load_default_profile

pytest_plugins = ["pytester", "spec.plugin"]
TRAINING_CLAUSES = {"training-agreement", "training-carries-state", "position-only-alphabet",
                    "alphabet-remedies"}


def pytest_configure(config):
    load_default_profile(config)


def pytest_collection_modifyitems(items):
    for item in items:
        params = getattr(item, "callspec", None) and item.callspec.params
        if params and params.get("impl") == "keras" and clause_of(item) in TRAINING_CLAUSES:
            item.add_marker(pytest.mark.slow)
