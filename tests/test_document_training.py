"""``stateful_lstm.document_training``: a library split into training and held-out documents,
its three layouts, and training and measuring on them."""
import numpy as np
import pytest

from stateful_lstm import document_training as dt
from stateful_lstm import make_sequence_model


def test_whole_documents_are_taken_up_to_the_limit_and_the_last_ones_held_out():
    library = dt.split_documents(["abcd", "x", "efgh" * 3, "ijk", "lmnop", "qr"], characters=20,
                                 streams=2, window=2)
    # Taken: abcd, efgh.., ijk (19 characters), lmnop reaches 20; the 1-character one is skipped.
    # None starts after 90% of 24: the last one is held out.
    assert [d.size for d in library.train] == [4, 12, 3]
    assert library.vocabulary.decode(library.held_out[0]) == "lmnop"
    library = dt.split_documents(["a" * 10, "b" * 10, "c" * 2, "d" * 3], characters=100,
                                 streams=2, window=2, held_out=0.2)
    assert [d.size for d in library.held_out] == [2, 3]
    with pytest.raises(ValueError, match=r"needs at least 2 documents .* received 1"):
        dt.split_documents(["abc", "d"], characters=100, streams=1, window=1)
    with pytest.raises(ValueError, match=r"the held-out part has 5 characters \(25 "
                                         r"characters in 4 documents, the last 2 held out\); one "
                                         r"batch of 2 streams x 3 characters needs 7"):
        dt.split_documents(["a" * 10, "b" * 10, "c" * 2, "d" * 3], characters=100,
                           streams=2, window=3, held_out=0.2)


def test_end_to_end_layouts_mask_the_targets_that_cross_a_document_boundary():
    documents = [np.array([1, 2, 3]), np.array([4, 5]), np.array([6, 7, 8, 9, 1, 2])]
    carried = dt.layout_batches("end-to-end", documents, streams=2, window=2)
    reset = dt.layout_batches("reset-every-window", documents, streams=2, window=2)
    x = np.concatenate([b.x for b in carried], axis=1)
    y = np.concatenate([b.y for b in carried], axis=1)
    mask = np.concatenate([b.mask for b in carried], axis=1)
    np.testing.assert_array_equal(x, [[1, 2, 3, 4], [5, 6, 7, 8]])
    np.testing.assert_array_equal(y, [[2, 3, 4, 5], [6, 7, 8, 9]])
    np.testing.assert_array_equal(mask, [[True, True, False, True], [False, True, True, True]])
    assert [b.reset.tolist() for b in carried] == [[True, True], [False, False]]
    assert all(b.reset.all() for b in reset)


def test_training_and_measuring_follow_the_layout():
    documents = [np.arange(k, k + 9) % 5 for k in range(5)]
    for layout in dt.LAYOUTS:
        model = make_sequence_model(vocab_size=5, embedding_dim=3, units=4, stateful=True,
                                    batch_size=2, learning_rate=0.05)
        batches = dt.layout_batches(layout, documents, 2, 4)
        before = dt.bits_per_character(model, batches)
        losses = dt.train(model, layout, documents, 2, 4, epochs=3)
        assert len(losses) == 3 and dt.bits_per_character(model, batches) < before - 0.5, layout
