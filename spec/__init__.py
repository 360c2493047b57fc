"""stateful-lstm-spec: an executable specification of stateful LSTM semantics.

The clauses are stated in ``SPEC.md``; each has a test module ``test_<clause>.py`` here, the
contract is ``contract.py``, and the harness that runs them is ``spec.harness``. Run them against
an implementation with ``python -m spec --impl NAME`` or
``pytest --pyargs spec --stateful-lstm-impl NAME``.

``CLAUSES`` and ``load_implementation`` are imported on first use: the pytest plugin
(``spec.harness.plugin``) imports this package in every pytest session of an environment where
the kit is installed, and must cost nothing there.
"""
import importlib

_LAZY = {"CLAUSES": ".clauses", "load_implementation": ".harness.loader"}
__all__ = list(_LAZY)


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name], __name__), name)
