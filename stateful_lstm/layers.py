"""The reference layer of each cell type, by the name the contract gives it (``cells.CELLS``):
what ``make_lstm``, ``make_gru`` and ``make_simple_rnn`` return, and what the classifier and the
sequence model of a cell are built on."""
from .gru import GRU
from .lstm import LSTM
from .simple_rnn import SimpleRNN

LAYERS = {"lstm": LSTM, "gru": GRU, "simple_rnn": SimpleRNN}
