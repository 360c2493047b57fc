"""stateful-lstm-spec: an executable specification of stateful LSTM semantics.

The clauses are stated in ``SPEC.md``; each has a test module ``test_<clause>.py`` here, the
contract is ``contract.py``, and the harness that runs them is ``spec.harness``. Run them against
an implementation with ``python -m spec --impl NAME`` or
``pytest --pyargs spec --stateful-lstm-impl NAME``.
"""
from .clauses import CLAUSES
from .harness.loader import load_implementation

__all__ = ["CLAUSES", "load_implementation"]
