"""The clause IDs, read from the headings of ``SPEC.md`` (the one place they are written down),
and the names of the spec's tests, read from its test modules without importing them."""
import ast
import functools
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


@functools.cache
def spec_test_names(*clauses):
    """The names of the spec's test functions (what ``KNOWN_DEVIATIONS`` may name); with
    ``clauses``, only those of these clauses."""
    names = set()
    paths = [SPEC_PATH.parent / f"{module_name(c)}.py" for c in clauses] if clauses else \
        SPEC_PATH.parent.glob("test_*.py")
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {node.name for node in tree.body
                  if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    return frozenset(names)
