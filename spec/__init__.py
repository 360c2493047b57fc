"""stateful-lstm-spec: an executable specification of stateful LSTM semantics.

The clauses are stated in ``SPEC.md``; each has a test module ``test_<clause>.py`` here. Run them
against an implementation with ``python -m spec --impl NAME`` or
``pytest --pyargs spec --stateful-lstm-impl NAME``.
"""
from stateful_lstm.implementations import BUNDLED, load_implementation

from .clauses import CLAUSES

__all__ = ["CLAUSES", "BUNDLED", "load_implementation"]
