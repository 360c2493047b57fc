"""Finding an implementation of the contract (``spec/SPEC.md``, ``spec/contract.py``) by the name a
user types.

A name is one of:
- a bundled alias (``reference``, ``keras``, ``keras-jax``, ``tf-keras``, ``torch``, ``flax``);
- a name registered by an installed package under the entry-point group
  ``stateful_lstm_spec.implementations`` (``my-lstm = "my_pkg.my_lstm"``);
- a module path (``my_pkg.my_lstm``) or a module attribute (``my_pkg.impls.broken``,
  ``my_pkg.impls:broken``), imported with the current folder on the path, as ``python -m`` does;
- a Python file (``my_lstm.py``, ``./impls/my_lstm.py``), imported with its folder on the path.

An implementation may name the modules it needs in ``REQUIRES`` (``("tensorflow", "keras")``); if
one is not installed, loading raises ``NotInstalled``, so that a run can skip it instead of
reporting every test as failed.
"""
import importlib
import importlib.util
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from stateful_lstm.adapters import BUNDLED

from ..contract import REQUIRED_FACTORY, offers, signature

ENTRY_POINT_GROUP = "stateful_lstm_spec.implementations"
FACTORY_SIGNATURE = signature(REQUIRED_FACTORY)


class ImplementationError(ValueError):
    """The name does not lead to a usable implementation (the message says why)."""


class NotInstalled(ImplementationError):
    """The implementation needs a module that is not installed (``REQUIRES``)."""


def registered() -> dict[str, str]:
    """``{name: target}`` of the implementations installed packages register."""
    return {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def known_names() -> list[str]:
    """The bundled aliases, then the registered names: what ``python -m spec`` runs by default."""
    return list(BUNDLED) + [name for name in registered() if name not in BUNDLED]


def target_of(name: str) -> str:
    """What ``name`` stands for: a module path, ``module:attribute`` or a file path."""
    return BUNDLED.get(name) or registered().get(name) or name


def is_file_path(target: str) -> bool:
    return target.endswith(".py") or "/" in target or "\\" in target


def load_implementation(name: str, search_dir: str | Path | None = None) -> Any:
    """The object with ``make_lstm`` that ``name`` stands for.

    ``search_dir`` (default: the current folder) is put on ``sys.path`` for module names, as
    ``python -m`` does. Raises ``NotInstalled`` if a module in its ``REQUIRES`` is missing and
    ``ImplementationError`` for anything else that makes it unusable; the message names ``name``.
    """
    target = target_of(name)
    where = f"implementation {name!r}" + (f" ({target})" if target != name else "")
    try:
        found = _load_file(target) if is_file_path(target) else _import(target, search_dir)
    except ImplementationError:
        raise
    except Exception as error:       # ImportError, AttributeError, or whatever its import raised
        raise ImplementationError(
            f"cannot load {where}: {type(error).__name__}: {error}") from error
    missing = [module for module in getattr(found, "REQUIRES", ()) if not _installed(module)]
    if missing:
        raise NotInstalled(f"{where} is not installed: it needs {', '.join(missing)}"
                           f"{getattr(found, 'INSTALL_HINT', '')}")
    if not offers(found, REQUIRED_FACTORY):
        raise ImplementationError(f"{where} has no callable {FACTORY_SIGNATURE}")
    return found


def _installed(module):
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _load_file(target):
    path = Path(target).expanduser().resolve()
    if not path.is_file():
        raise ImplementationError(f"cannot load implementation {target!r}: no such file {path}")
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))      # so that it can import its neighbours
    module_name = path.stem
    existing = sys.modules.get(module_name)
    if existing is not None and Path(getattr(existing, "__file__", "") or "").resolve() == path:
        return existing
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def _import(target, search_dir):
    """The module at ``target``, or the attribute ``module:attr`` / ``module.attr``."""
    folder = str(Path(search_dir or Path.cwd()).resolve())
    if folder not in sys.path:
        sys.path.insert(0, folder)
    module_path, _, attribute = target.partition(":")
    if not attribute:
        try:
            return importlib.import_module(module_path)
        except ModuleNotFoundError as error:
            if "." not in module_path or error.name != module_path:
                raise
            module_path, attribute = module_path.rsplit(".", 1)
    return getattr(importlib.import_module(module_path), attribute)


def describe(found: Any) -> str:
    """One line about a loaded implementation: its ``describe()``, else its ``__version__``."""
    if callable(getattr(found, "describe", None)):
        return str(found.describe())
    return f"version {getattr(found, '__version__', 'unknown')}"
