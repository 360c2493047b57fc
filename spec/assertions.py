"""Assertions of the spec: each failure message names the call, the sizes and what differed, so a
failing test reads like a bug report."""
import numpy as np

# float32 tolerance for comparing outputs or states computed two ways (see SPEC.md).
RTOL = 1e-5
ATOL = 1e-5


def assert_close(actual, expected, what):
    """``actual`` equals ``expected`` within the float32 tolerance, with the same shape."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, \
        f"{what}: shape {actual.shape}, but should be {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=what)


def assert_states_close(actual, expected, what):
    """Two ``[h, c]`` states agree within the float32 tolerance."""
    assert len(actual) == 2, f"{what}: get_states() returned {len(actual)} arrays, but should be 2"
    for name, a, e in zip("hc", actual, expected):
        assert_close(a, e, f"{what} [{name}]")


def assert_identical(actual, expected, what):
    """Bit-for-bit equal arrays (for what must not change at all, like state after a refusal)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, \
        f"{what}: shape {actual.shape}, but should be {expected.shape}"
    assert np.array_equal(actual, expected), \
        f"{what}: should be exactly {expected}, but is {actual}"


def assert_float32(array, shape, what):
    """``array`` is a float32 NumPy array of ``shape``."""
    assert isinstance(array, np.ndarray), f"{what}: returned {type(array).__name__}, not an ndarray"
    assert array.dtype == np.float32, f"{what}: dtype={array.dtype}, but should be float32"
    assert array.shape == shape, f"{what}: shape {array.shape}, but should be {shape}"
