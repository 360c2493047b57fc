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


@functools.cache
def every_cell_test_names(*clauses):
    """The names of the spec's tests that run once per cell type (module marked ``every_cell``,
    no ``needs`` of an LSTM model: the classifier or the sequence model), read without importing
    the modules; with ``clauses``, only those of these clauses."""
    names = set()
    paths = [SPEC_PATH.parent / f"{module_name(c)}.py" for c in clauses] if clauses else \
        SPEC_PATH.parent.glob("test_*.py")
    for path in paths:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        marks = [ast.get_source_segment(source, node) for node in tree.body
                 if isinstance(node, ast.Assign) and any(
                     isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)]
        if not any("every_cell" in mark for mark in marks):
            continue
        names |= {node.name for node in tree.body
                  if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
                  and not any(model in ast.get_source_segment(source, d)
                              for d in node.decorator_list
                              for model in ("make_classifier", "make_sequence_model"))}
    return frozenset(names)
