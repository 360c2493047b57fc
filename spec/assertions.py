"""Assertions of the spec: each failure message names the call, the sizes and what differed, so a
failing test reads like a bug report.

Every check of the spec raises ``SpecViolation`` (an ``AssertionError``), so that a report can tell
"the implementation broke a clause" from "the implementation crashed" (any other exception). Only a
``SpecViolation`` counts as a declared known deviation (``KNOWN_DEVIATIONS``).
"""
from collections.abc import Callable, Sequence
from typing import NoReturn

import numpy as np
import pytest
from numpy.typing import ArrayLike

# float32 tolerance for comparing outputs or states computed two ways (see SPEC.md).
RTOL = 1e-5
ATOL = 1e-5
STATE_NAMES = ("h", "c")


class SpecViolation(AssertionError):
    """An implementation does not do what a clause of SPEC.md requires."""


class ExpectedViolation(BaseException):
    """A violation in a test the implementation declares as a known deviation (the harness
    turns its ``SpecViolation`` into this: ``spec.run.expecting_violation``). Not an
    ``Exception``, so it goes straight through hypothesis: the failure is expected, and
    replaying or shrinking it would only cost time (minutes, for a framework that traces every
    new shape)."""


class NotApplicable(pytest.skip.Exception):
    """What a test finds only when it runs: that its run cannot apply to the implementation
    (the kit's LiteRT copy needs Keras on TensorFlow; a process whose Keras runs JAX cannot make
    it). The harness records "n/a"."""


def not_applicable(reason: str) -> NoReturn:
    """End the test as not applicable, with ``reason``."""
    __tracebackhide__ = True
    raise NotApplicable(f"not applicable: {reason}")


def fail(message: str) -> NoReturn:
    """Report a violation of the clause under test."""
    __tracebackhide__ = True
    raise SpecViolation(message)


def assert_that(condition: object, message: str) -> None:
    """Report ``message`` as a violation unless ``condition``."""
    __tracebackhide__ = True
    if not condition:
        fail(message)


def _same_shape(actual, expected, what):
    __tracebackhide__ = True
    assert_that(actual.shape == expected.shape, f"{what}: shape {actual.shape}, but should be "
                                          f"{expected.shape}")


def assert_close(actual: ArrayLike, expected: ArrayLike, what: str) -> None:
    """``actual`` equals ``expected`` within the float32 tolerance, with the same shape."""
    __tracebackhide__ = True
    actual, expected = np.asarray(actual), np.asarray(expected)
    _same_shape(actual, expected, what)
    try:
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=what)
    except AssertionError as error:
        fail(str(error))


def assert_within(actual: ArrayLike, low: ArrayLike, high: ArrayLike, what: str) -> None:
    """``low - tol <= actual <= high + tol`` elementwise, with the float32 tolerance around the
    bounds (for values the spec knows only as a range, see clause 8)."""
    __tracebackhide__ = True
    actual, low, high = np.asarray(actual), np.asarray(low), np.asarray(high)
    _same_shape(actual, low, what)
    slack_low = ATOL + RTOL * np.abs(low)
    slack_high = ATOL + RTOL * np.abs(high)
    outside = (actual < low - slack_low) | (actual > high + slack_high)
    if outside.any():
        index = tuple(int(i) for i in np.argwhere(outside)[0])
        fail(f"{what}: {int(outside.sum())} of {outside.size} values outside the allowed range; "
             f"first at index {index}: {actual[index]!r} not in [{low[index]!r}, {high[index]!r}] "
             f"(with tolerance {ATOL} + {RTOL}*|bound|)")


def _each_state(actual, expected, what, compare):
    __tracebackhide__ = True
    assert_that(len(actual) == len(expected), f"{what}: get_states() returned {len(actual)} "
                                              f"arrays, but should be {len(expected)}")
    names = STATE_NAMES if len(expected) <= len(STATE_NAMES) else \
        [f"array {k} of get_states()" for k in range(len(expected))]   # a stack's
    for name, a, e in zip(names, actual, expected):
        compare(a, e, f"{what} [{name}]")


def assert_states_close(actual: Sequence[ArrayLike], expected: Sequence[ArrayLike],
                        what: str) -> None:
    """Two carried states (``[h, c]``, ``[h]``, or a stack's every layer's) agree within the
    float32 tolerance."""
    __tracebackhide__ = True
    _each_state(actual, expected, what, assert_close)


def assert_identical(actual: ArrayLike, expected: ArrayLike, what: str) -> None:
    """Bit-for-bit equal arrays of the same dtype and shape (for what must not change at all,
    like the state after a refused call)."""
    __tracebackhide__ = True
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert_that(actual.dtype == expected.dtype,
          f"{what}: dtype={actual.dtype}, but should be {expected.dtype}")
    _same_shape(actual, expected, what)
    if not np.array_equal(actual, expected, equal_nan=True):     # (arrays printed on failure only)
        fail(f"{what}: should be exactly {expected!r}, but is {actual!r}")


def assert_states_identical(actual: Sequence[ArrayLike], expected: Sequence[ArrayLike],
                            what: str) -> None:
    """Two carried states (``[h, c]``, ``[h]``, or a stack's every layer's) are bit-for-bit
    equal."""
    __tracebackhide__ = True
    _each_state(actual, expected, what, assert_identical)


def assert_float32(array: object, shape: tuple[int, ...], what: str) -> None:
    """``array`` is a float32 NumPy array of ``shape``."""
    __tracebackhide__ = True
    assert_that(isinstance(array, np.ndarray),
          f"{what}: returned {type(array).__name__}, not a numpy.ndarray")
    assert_that(array.dtype == np.float32, f"{what}: dtype={array.dtype}, but should be float32")
    assert_that(array.shape == shape, f"{what}: shape {array.shape}, but should be {shape}")


def assert_raises(call: Callable[[], object], what: str) -> Exception:
    """``call()`` raises an exception (any type); a call that returns is a violation."""
    __tracebackhide__ = True
    try:
        call()
    except Exception as error:     # noqa: BLE001 (the spec requires a refusal of any type)
        return error
    fail(f"{what} was accepted, but should raise")
