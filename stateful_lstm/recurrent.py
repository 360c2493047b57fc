"""What every reference cell shares: the layer that carries a cell's state per batch row from
one call to the next (``RecurrentLayer``: the contract's state handling and checks, written
once), the masked-step rule, and Keras' default initial kernels.

A cell is a subclass that names its cell (``cell``, a key of ``cells.CELLS``, which gives its
weight shapes) and its carried arrays (``STATES``, the registry's: ``("h", "c")`` for the LSTM,
``("h",)`` for the GRU and SimpleRNN), and gives three static methods: ``forward(x, *state,
kernel, recurrent_kernel, bias, cache=None, mask=None)``, the cell over ``x`` (batch, T,
input_dim) from the state (each (batch, u), in the order of ``STATES``) returning every
timestep's h (batch, T, u) and the final state, ``hs, *state``, each step appended to
``cache`` if it is a list; ``backward(x, dh_out, cache, recurrent_kernel, kernel=None)``, the
gradients of the weights (and with ``kernel``, of ``x``) from the loss gradient at the outputs
(the equations both ways, one screen each: ``lstm.py``, ``gru.py``, ``simple_rnn.py``); and
``initial_weights(input_dim, units, seed)``, Keras' defaults.
"""
import numpy as np

from . import validation
from .cells import CELLS
from .loops import PredictLoop

DTYPE = np.float32


def step_mask(mask, t):
    """Step ``t``'s mask column (batch, 1), or None if every row is real there (``mask`` None:
    every step is real)."""
    return None if mask is None or mask[:, t].all() else mask[:, t, None]


def keep_masked(m, new, old):
    """A masked row (``m`` False) keeps ``old``; the others take ``new``."""
    return new if m is None else np.where(m, new, old)


def step_gradient(dh_out, dh_later, t, steps):
    """What reaches step ``t``'s h (of ``steps``) in a backward pass: the loss gradient there
    (``dh_out`` (batch, T, u): a loss read at every timestep; (batch, u): at the last step only,
    a classifier's), plus ``dh_later``, what came back from the later steps (0 at the last)."""
    if dh_out.ndim == 3:
        return dh_out[:, t] + dh_later
    return dh_out if t == steps - 1 else dh_later


def rows(a):
    """(batch, T, features) as (batch * T, features): a weight's gradient sums over both."""
    return a.reshape(-1, a.shape[2])


def keras_initial_weights(input_dim, units, cell, seed):
    """Keras' default weights of ``cell`` (``cells.CELLS``), drawn from ``seed``: a
    Glorot-uniform kernel (input_dim, blocks*u), an orthogonal recurrent kernel (u, blocks*u)
    and a zero bias, float32."""
    kernel_shape, (_, width), bias_shape = CELLS[cell].weight_shapes(input_dim, units)
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6.0 / (input_dim + width))
    kernel = rng.uniform(-limit, limit, kernel_shape)
    q, r = np.linalg.qr(rng.standard_normal((width, units)))
    recurrent_kernel = (q * np.sign(np.diag(r))).T        # orthonormal rows, shape (u, blocks*u)
    return [np.ascontiguousarray(w, DTYPE) for w in (kernel, recurrent_kernel,
                                                     np.zeros(bias_shape))]


class RecurrentLayer(PredictLoop):
    """A recurrent layer returning every timestep's h; with ``stateful=True`` it carries, for
    each batch row i, the final state of one ``predict_on_batch`` call into row i of the next
    call (and through ``predict``'s batches: ``loops``). Its weights are ``kernel``,
    ``recurrent_kernel`` and ``bias`` in Keras' layout."""

    def __init__(self, *, units, input_dim, stateful, batch_size=None, seed=0):
        validation.check_config(units=units, input_dim=input_dim, stateful=stateful,
                                batch_size=batch_size, seed=seed)
        self.units, self.input_dim = units, input_dim
        self.stateful, self.batch_size = stateful, batch_size
        self.kernel, self.recurrent_kernel, self.bias = self.initial_weights(input_dim, units,
                                                                             seed)
        self._zeros = np.zeros((batch_size or 0, units), DTYPE)
        self.reset_states()

    def predict_on_batch(self, x, mask=None):
        """Outputs (batch, T, u) for ``x`` (batch, T, input_dim); a stateful model starts each row
        from its carried state and keeps the final state; a stateless one starts from zeros.
        ``mask`` (batch, T) bool marks the real steps; a masked step keeps the row's state and
        outputs its h as it stands."""
        x = self._check_batch("predict_on_batch", x)
        return self.run(x, mask=validation.check_mask("predict_on_batch", mask, x.shape[:2]))

    def _check_batch(self, what, x, y=None, sample_weight=None):
        """``x`` checked as an input batch (a layer has no targets: ``loops``)."""
        return validation.check_input(x, self.batch_size if self.stateful else None, self.input_dim)

    def run(self, x, cache=None, mask=None):
        """``predict_on_batch`` for an ``x`` and ``mask`` already checked; ``cache``: a list
        for the cell's backward pass (``backward``)."""
        hs, *state = self.forward(x, *self.start_states(x.shape[0]), self.kernel,
                                  self.recurrent_kernel, self.bias, cache=cache, mask=mask)
        self.keep(*state)
        return hs

    def start_states(self, batch):
        """The state a call on ``batch`` rows starts from: the carried state of a stateful
        model, zeros for a stateless one."""
        if self.stateful:
            return tuple(self._state)
        return (np.zeros((batch, self.units), DTYPE),) * len(self.STATES)

    def keep(self, *state):
        """Carry a call's final state into the next call (a stateful model only)."""
        if self.stateful:
            self._state = list(state)

    def reset_states(self):
        """Set every carried array of every row to zero (nothing to do for a stateless
        model)."""
        if self.stateful:
            self._state = [self._zeros] * len(self.STATES)

    def get_states(self):
        """Copies of the carried state (``STATES``), each (batch_size, units)."""
        validation.require_stateful(self, "get_states")
        return [s.copy() for s in self._state]

    def set_states(self, states):
        """Replace the carried state with copies of ``states``; refuses a wrong count or
        shape."""
        validation.require_stateful(self, "set_states")
        self._state = validation.check_states(states, self.batch_size, self.units,
                                              count=len(self.STATES))

    def get_weights(self):
        """Copies of ``[kernel, recurrent_kernel, bias]`` in Keras' layout."""
        return [self.kernel.copy(), self.recurrent_kernel.copy(), self.bias.copy()]

    def set_weights(self, weights):
        """Replace the weights with float32 copies; refuses a wrong count or shape."""
        self.kernel, self.recurrent_kernel, self.bias = validation.check_weights(
            weights, self.input_dim, self.units, cell=self.cell)
