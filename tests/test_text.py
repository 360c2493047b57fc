"""``stateful_lstm.text``: the bundled corpus, reading text files, the character vocabulary."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stateful_lstm.text import Vocabulary, bundled_text, read_text_file


def test_the_bundled_text_is_pythons_documentation_and_the_same_every_time():
    text = bundled_text()
    assert len(text) > 120_000 and text.startswith('The "assert" statement')
    assert text == bundled_text()


@given(text=st.text(min_size=1), data=st.data())
def test_encoding_then_decoding_gives_the_text_back(text, data):
    vocabulary = Vocabulary(text)
    tokens = vocabulary.encode(text)
    assert tokens.dtype == np.int64 and tokens.min() >= 0 and tokens.max() < len(vocabulary)
    assert vocabulary.decode(tokens) == text
    assert Vocabulary(vocabulary.characters) == vocabulary      # what is saved rebuilds it
    part = data.draw(st.text(alphabet=vocabulary.characters))
    assert vocabulary.decode(vocabulary.encode(part)) == part


def test_unknown_characters_and_tokens_are_refused_by_name():
    vocabulary = Vocabulary("abc")
    with pytest.raises(ValueError, match="character 'z' at position 2 is not in the vocabulary "
                                         "of 3 characters"):
        vocabulary.encode("abz")
    with pytest.raises(ValueError, match=r"token 3 is not in 0\.\.2"):
        vocabulary.decode([0, 3])


def test_a_text_file_is_read_as_utf8_or_refused_with_the_reason(tmp_path):
    good = tmp_path / "book.txt"
    good.write_text("héllo\n", encoding="utf-8")
    assert read_text_file(good) == "héllo\n"
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("héllo".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1.txt is not UTF-8 text: byte 0xe9 at offset 1"):
        read_text_file(latin)
    with pytest.raises(ValueError, match="cannot read .*missing.txt: No such file"):
        read_text_file(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="cannot read .*: Is a directory"):
        read_text_file(tmp_path)
