"""How the spec test now running is run: set by the harness around each test
(``spec.harness.plugin``), read by the strategies and the assertions. One object, so that what a
test's helpers do differently under the harness is in one place:

- ``palette``: every size the strategies draw comes from ``strategies.palette(low, high)`` (an
  implementation that compiles per shape: SPEC.md, "Implementations that compile per shape");
- ``violation_expected``: the test is a declared known deviation, so a violation raises
  ``assertions.ExpectedViolation`` (not shrunk, an expected failure) instead of
  ``SpecViolation``;
- ``cell``: the cell type (a key of ``contract.CELLS``) the test runs with: the models
  ``strategies.setups()`` draws are of that cell.
"""
import contextlib
from dataclasses import dataclass, replace


@dataclass
class RunMode:
    palette: bool = False
    violation_expected: bool = False
    cell: str = "lstm"


MODE = RunMode()


@contextlib.contextmanager
def running(**mode):
    """Within the block, ``MODE`` has the given fields (the others as they were)."""
    before = replace(MODE)
    for name, value in mode.items():
        setattr(MODE, name, value)
    try:
        yield MODE
    finally:
        for name, value in vars(before).items():
            setattr(MODE, name, value)
