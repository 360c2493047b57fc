"""Central finite differences, what the reference's backward passes are checked against (in
float64: with a step of 1e-6 they are accurate to about 1e-9 for these small models)."""
import numpy as np

STEP = 1e-6


def numeric_gradient(loss, array):
    """d loss() / d array, by central differences, ``array`` changed in place and restored."""
    gradient = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + STEP
        plus = loss()
        array[index] = old - STEP
        minus = loss()
        array[index] = old
        gradient[index] = (plus - minus) / (2 * STEP)
    return gradient


def assert_gradients_match(loss, arrays, gradients, names, what):
    """Each of ``gradients`` is d loss() / d its array of ``arrays`` (named ``names``)."""
    for name, array, gradient in zip(names, arrays, gradients, strict=True):
        np.testing.assert_allclose(gradient, numeric_gradient(loss, array), rtol=1e-5, atol=1e-8,
                                   err_msg=f"{what}: d loss / d {name}")
