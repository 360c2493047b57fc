"""my_lstm_package: a stateful LSTM in plain NumPy, written against the stateful-lstm-spec
contract (its own state handling, the reference's cell equations)."""
import numpy as np

from stateful_lstm.lstm import initial_weights, lstm_forward

__version__ = "0.1.0"


def describe():
    return f"my_lstm_package {__version__} (NumPy {np.__version__})"


class MyLSTM:
    def __init__(self, *, units, input_dim, stateful, batch_size=None, seed=0):
        if stateful and batch_size is None:
            raise ValueError("a stateful model needs a batch_size")
        self.units, self.input_dim = units, input_dim
        self.stateful, self.batch_size = stateful, batch_size
        self.weights = initial_weights(input_dim, units, seed)
        self.reset_states()

    def predict_on_batch(self, x):
        x = np.asarray(x, np.float32)
        if x.ndim != 3 or x.shape[2] != self.input_dim or (
                self.stateful and x.shape[0] != self.batch_size):
            raise ValueError(f"expected (batch={self.batch_size}, T, {self.input_dim}); "
                             f"got {x.shape}")
        zeros = np.zeros((len(x), self.units), np.float32)
        h, c = self.state if self.stateful else (zeros, zeros)
        hs, h, c = lstm_forward(x, h, c, *self.weights)
        if self.stateful:
            self.state = (h, c)
        return hs

    def reset_states(self):
        zeros = np.zeros((self.batch_size or 0, self.units), np.float32)
        self.state = (zeros, zeros)

    def get_states(self):
        if not self.stateful:
            raise ValueError("a stateless model carries no state")
        return [s.copy() for s in self.state]

    def set_states(self, states):
        if not self.stateful:
            raise ValueError("a stateless model carries no state")
        self.state = tuple(_arrays(states, [(self.batch_size, self.units)] * 2))

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        u = self.units
        self.weights = _arrays(weights, [(self.input_dim, 4 * u), (u, 4 * u), (4 * u,)])


def _arrays(arrays, shapes):
    """float32 copies of ``arrays`` if their shapes are ``shapes``; else ValueError."""
    arrays = [np.array(a, np.float32) for a in arrays]
    if [a.shape for a in arrays] != shapes:
        raise ValueError(f"expected shapes {shapes}; got {[a.shape for a in arrays]}")
    return arrays


def make_lstm(**config):
    return MyLSTM(**config)
