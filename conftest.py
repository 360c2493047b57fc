"""The repository's own test run: the spec's plugin (also an installed entry point of the same
name), ``pytester`` for the meta-tests, and the spec's default hypothesis profile for ``tests/``."""
from spec.plugin import load_default_profile

pytest_plugins = ["pytester", "spec.plugin"]


def pytest_configure(config):
    load_default_profile(config)
