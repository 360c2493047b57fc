"""Finding the implementation under test: a bundled alias or any importable dotted path."""
import importlib

BUNDLED = {
    "reference": "stateful_lstm",             # the NumPy reference
    "keras": "stateful_lstm.keras_lstm",      # Keras 3 on TensorFlow
}
ENV_VAR = "STATEFUL_LSTM_IMPL"


def load_implementation(name):
    """The object with ``make_lstm`` named by ``name``.

    ``name`` is a bundled alias (``reference``, ``keras``), a module path (``my_pkg.my_lstm``) or a
    path to an attribute of a module (``my_pkg.impls.broken``, ``my_pkg.impls:broken``).
    Raises ``ValueError`` if nothing importable by that name has a callable ``make_lstm``.
    """
    path = BUNDLED.get(name, name)
    try:
        found = _import(path)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"cannot load implementation {name!r} ({path}): {error}") from error
    if not callable(getattr(found, "make_lstm", None)):
        raise ValueError(f"implementation {name!r} ({path}) has no callable make_lstm(*, units, "
                         f"input_dim, stateful, batch_size=None, seed=0)")
    return found


def _import(path):
    """The module at ``path``, or the attribute ``module:attr`` / ``module.attr``."""
    module_path, _, attribute = path.partition(":")
    if not attribute:
        try:
            return importlib.import_module(module_path)
        except ModuleNotFoundError as error:
            if "." not in module_path or error.name != module_path:
                raise
            module_path, attribute = module_path.rsplit(".", 1)
    return getattr(importlib.import_module(module_path), attribute)


def describe(name):
    """One line for a report header: the alias, what it loads, and its own description."""
    path = BUNDLED.get(name, name)
    try:
        found = load_implementation(name)
    except Exception as error:  # the header must not hide the tests' own, clearer failure
        return f"{name} ({path}): cannot be loaded: {error}"
    about = found.describe() if callable(getattr(found, "describe", None)) else \
        f"version {getattr(found, '__version__', 'unknown')}"
    return f"{name} ({path}): {about}"
