"""stateful-lstm-spec: an executable specification of stateful LSTM semantics.

The clauses are stated in ``SPEC.md``; each has a test module ``test_<clause>.py`` here. Run them
against an implementation with ``pytest --pyargs spec --impl NAME`` or ``python -m spec``.
"""
from .clauses import CLAUSES
from .implementations import BUNDLED, load_implementation

__all__ = ["CLAUSES", "BUNDLED", "load_implementation"]
