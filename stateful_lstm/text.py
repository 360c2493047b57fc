"""Text for character-level models: Python's own documentation as a corpus that needs no download,
reading a user's text file with clear errors, and the character vocabulary."""
from pathlib import Path

import numpy as np


def bundled_text():
    """Python's bundled documentation text: the topics of ``pydoc_data.topics`` (the help()
    pages of statements, operators and types) in their order, joined by blank lines. About
    465,000 characters of English prose and code on Python 3.11; every Python install ships it."""
    return "\n\n".join(bundled_documents())


def bundled_documents():
    """The topics of ``pydoc_data.topics`` as a list of documents, one per topic, in order: 79
    documents of 202 to 62,522 characters on Python 3.11."""
    from pydoc_data.topics import topics
    return list(topics.values())


def read_text_file(path):
    """The text of the file at ``path``, read as UTF-8. Raises ValueError naming the file and
    what is wrong if it cannot be read or is not UTF-8 text."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text: byte {data[error.start]:#04x} at offset "
                         f"{error.start} cannot be decoded") from None


class Vocabulary:
    """The characters of a text (``Vocabulary(text)``), each numbered by its place in sorted
    order; ``characters`` is the string to save to rebuild it."""

    def __init__(self, characters):
        self.characters = "".join(sorted(set(characters)))
        self._index = {c: i for i, c in enumerate(self.characters)}

    def __len__(self):
        return len(self.characters)

    def __eq__(self, other):
        return isinstance(other, Vocabulary) and other.characters == self.characters

    def encode(self, text):
        """The tokens (int64) of ``text``; ValueError naming the first character the vocabulary
        does not hold."""
        try:
            return np.array([self._index[c] for c in text], np.int64)
        except KeyError as error:
            raise ValueError(f"character {error.args[0]!r} at position "
                             f"{text.index(error.args[0])} is not in the vocabulary of "
                             f"{len(self)} characters") from None

    def decode(self, tokens):
        """The text of ``tokens``; ValueError for a token outside 0..len(self)-1."""
        tokens = np.asarray(tokens)
        bad = (tokens < 0) | (tokens >= len(self))
        if bad.any():
            raise ValueError(f"token {tokens[bad][0]} is not in 0..{len(self) - 1}, the "
                             f"vocabulary's range")
        return "".join(self.characters[t] for t in tokens.tolist())
