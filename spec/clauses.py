"""The clause IDs, read from the headings of ``SPEC.md`` (the one place they are written down)."""
import re
from pathlib import Path

SPEC_PATH = Path(__file__).with_name("SPEC.md")
_HEADING = re.compile(r"^## \d+\. `(?P<id>[a-z0-9-]+)`: (?P<title>.+)$", re.MULTILINE)


def read_clauses(text=None):
    """``{clause id: title}`` in the order SPEC.md states them."""
    text = SPEC_PATH.read_text(encoding="utf-8") if text is None else text
    return {m["id"]: m["title"].strip() for m in _HEADING.finditer(text)}


CLAUSES = read_clauses()


def module_name(clause_id):
    """The test module that holds a clause's tests: ``carry-per-index`` -> ``test_carry_per_index``."""
    return "test_" + clause_id.replace("-", "_")
