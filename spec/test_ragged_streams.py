"""Clause `ragged-streams`: documents of different lengths laid out by ``document_streams`` (each
row reads whole documents, reset at each document's start, padding masked) each get the outputs
they get fed alone from a zero state (SPEC.md section 19)."""
import numpy as np
import pytest
from hypothesis import assume
from hypothesis import strategies as st

from stateful_lstm.streams import document_streams, reset_rows

from . import strategies as sst
from .assertions import assert_close
from .masking import compact, masked_call
from .models import describe_call, feed_sequence, make_model
from .run import given

pytestmark = [pytest.mark.clause("ragged-streams"), pytest.mark.needs("masks"),
              pytest.mark.every_cell]
VOCAB = 6
DOCUMENTS = st.lists(st.lists(st.integers(0, VOCAB - 1), max_size=16), min_size=1, max_size=5)


@given(data=st.data(), setup=sst.setups(), seq_len=sst.timesteps(), documents=DOCUMENTS)
def test_each_document_in_ragged_streams_reads_as_if_alone(stateful_lstm_impl,
                                                          stateful_lstm_run, data, setup,
                                                          seq_len, documents):
    kept = [np.array(d) for d in documents if len(d) >= 2]
    assume(kept)
    impl = stateful_lstm_impl
    features = data.draw(sst.inputs(1, VOCAB, setup.input_dim), label="token features")[0]
    model = make_model(impl, setup)
    model.set_states(data.draw(sst.states_of(setup),
                               label="states before the first document"))
    batches = document_streams(kept, setup.batch_size, seq_len)
    label = describe_call(setup, seq_len=seq_len, lengths=[d.size for d in kept])
    outputs = []
    for k, batch in enumerate(batches):
        reset_rows(model, batch.reset)
        outputs.append(masked_call(impl, model, "predict_on_batch", features[batch.x],
                                   mask=batch.mask, what=f"batch {k + 1} {label}"))
    masks = [b.mask for b in batches]
    # Each row's real steps, cut at its resets: the documents it read.
    read = []
    for i, (tokens, out) in enumerate(zip(compact([b.x for b in batches], masks),
                                          compact(outputs, masks))):
        starts = [int(sum(m[i].sum() for m in masks[:k])) for k, b in enumerate(batches)
                  if b.reset[i]]
        for k, start, end in zip(np.nonzero([b.reset[i] for b in batches])[0], starts,
                                 [*starts[1:], len(tokens)]):
            read.append((k, i, tokens[start:end], out[start:end]))
    assert sorted(tuple(r[2]) for r in read) == sorted(tuple(d[:-1]) for d in kept), \
        f"document_streams should lay out each document once {label}"
    alone = make_model(impl, setup.with_batch_size(1))
    for k, i, tokens, got in read:
        alone.reset_states()
        expected = feed_sequence(alone, features[tokens][None], stateful_lstm_run.palette)[0]
        assert_close(got, expected, f"outputs of the document read by row {i} from batch "
                                    f"{k + 1} ({len(tokens) + 1} tokens) in the ragged streams "
                                    f"vs the document fed alone from a zero state {label}")
