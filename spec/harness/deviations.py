"""An implementation's ``KNOWN_DEVIATIONS``, read into causes: each cause (``Cause``) names the spec
tests it explains, once, with its reason, versions, upstream report and repro as separate fields.

Two forms are accepted (``spec.contract.Deviation``):
- the list form, one mapping per cause: ``{"tests": [...], "title": ..., "reason": ...,
  "versions": ..., "upstream": ..., "repro": ...}``; ``tests`` and ``reason`` are required,
  ``tests`` holds spec test names or clause IDs (every test of that clause); ``cells`` (a list
  of cell types, ``contract.CELLS``) limits the cause to those cells' runs of the tests;
- the shorthand ``{test name: reason}``: tests that share a reason form one cause.
Anything malformed is reported as a problem (a warning) and left out; nothing is guessed.
"""
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from ..clauses import CLAUSES, spec_test_names
from ..contract import CELLS, Deviation

FIELDS = tuple(Deviation.__annotations__)
REQUIRED = ("tests", "reason")


@dataclass(frozen=True)
class Cause:
    """One reason an implementation fails some spec tests, and the tests it explains."""
    tests: tuple[str, ...]
    reason: str
    cells: tuple[str, ...] = ()        # the cell types it concerns; () for every cell
    aborts: bool = False               # its tests end the process: they are not run
    title: str = ""
    versions: str = ""
    upstream: str = ""
    repro: str = ""

    @property
    def headline(self) -> str:
        """One line: the title, else the reason's first sentence."""
        return self.title or self.reason.split(". ")[0].rstrip(".")

    def details(self) -> list[str]:
        """The fields after the headline, one line each, for reports."""
        return [f"{label}: {value}" for label, value in [
            ("tests", ", ".join(self.tests)),
            ("cells", ", ".join(CELLS[c].title for c in self.cells)),
            ("not run", "the tests end the process (see the repro)" if self.aborts else ""),
            ("reason", self.reason if self.title else ""),
            ("versions", self.versions), ("upstream", self.upstream), ("repro", self.repro)]
            if value]

    def covers(self, cell) -> bool:
        """Whether the cause concerns the runs of its tests with ``cell``."""
        return not self.cells or cell in self.cells

    def as_dict(self) -> dict:
        return {**asdict(self), "tests": list(self.tests), "cells": list(self.cells)}

    @classmethod
    def from_dict(cls, fields: Mapping) -> "Cause":
        """The cause ``as_dict`` gave (a verdict read back from JSON)."""
        return cls(**{**fields, "tests": tuple(fields["tests"]),
                      "cells": tuple(fields.get("cells", ()))})


def _named_tests(entry, where, problems):
    """The spec test names an entry's ``tests`` stand for (clause IDs expanded)."""
    known = spec_test_names()
    names = []
    for test in entry:
        if not isinstance(test, str):
            problems.append(f"{where}: {test!r} is not a test name; it is ignored")
        elif test in CLAUSES:
            names += sorted(spec_test_names(test))
        elif test in known:
            names.append(test)
        else:
            problems.append(f"{where} names {test!r}, which is not a spec test or clause; "
                            f"it is ignored")
    return names


def _from_list(name, declared, problems):
    causes = []
    for i, entry in enumerate(declared):
        where = f"{name}: KNOWN_DEVIATIONS[{i}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where} is a {type(entry).__name__}, not a mapping with the fields "
                            f"{', '.join(FIELDS)}; it is ignored")
            continue
        unknown = sorted(set(entry) - set(FIELDS), key=str)
        missing = [f for f in REQUIRED if not entry.get(f)]
        lists, flags = ("tests", "cells"), ("aborts",)
        texts = [f for f in FIELDS if f not in lists + flags and f in entry
                 and not isinstance(entry[f], str)]
        texts += [f for f in flags if f in entry and not isinstance(entry[f], bool)]
        bad_lists = [f for f in lists if f in entry and (isinstance(entry[f], str) or
                                                         not isinstance(entry[f], Sequence))]
        if unknown or missing or texts or bad_lists:
            problems.append(f"{where} needs the fields {', '.join(REQUIRED)} (tests: a list of "
                            f"spec test names or clause IDs; cells: a list of cell types; "
                            f"aborts: True or False; the others text) and may have "
                            f"{', '.join(f for f in FIELDS if f not in REQUIRED)}; received "
                            f"{sorted(entry, key=str)}; it is ignored")
            continue
        cells = tuple(entry.get("cells", ()))
        if set(cells) - set(CELLS):
            problems.append(f"{where} names cells {sorted(set(cells) - set(CELLS), key=str)}; "
                            f"the cell types are {list(CELLS)}; it is ignored")
            continue
        names = _named_tests(entry["tests"], where, problems)
        if names:
            causes.append(Cause(tests=tuple(names), cells=cells,
                                **{f: entry[f] for f in FIELDS if f not in lists and f in entry}))
    return causes


def _from_shorthand(name, declared, problems):
    by_reason = {}
    for test, reason in declared.items():
        if not isinstance(test, str) or not isinstance(reason, str) or not reason.strip():
            problems.append(f"{name}: KNOWN_DEVIATIONS entry {test!r}: {reason!r} is not a test "
                            f"name with a reason (two non-empty strings); it is ignored")
            continue
        for found in _named_tests([test], f"{name}: KNOWN_DEVIATIONS", problems):
            by_reason.setdefault(reason, []).append(found)
    return [Cause(tests=tuple(tests), reason=reason) for reason, tests in by_reason.items()]


def read_deviations(name: str, declared) -> tuple[list[Cause], list[str]]:
    """``(causes, problems)`` of an implementation's ``KNOWN_DEVIATIONS`` (``name`` labels the
    messages). A test named by two causes for the same cell keeps the first for that cell (a
    cause for some cells, listed first, takes them from a cause for every cell)."""
    problems: list[str] = []
    if isinstance(declared, Mapping):
        causes = _from_shorthand(name, declared, problems)
    elif isinstance(declared, Sequence) and not isinstance(declared, str):
        causes = _from_list(name, declared, problems)
    else:
        return [], [f"{name}: KNOWN_DEVIATIONS must be a list of causes (mappings with the fields "
                    f"{', '.join(FIELDS)}) or a dict {{spec test name: reason}}; it is a "
                    f"{type(declared).__name__}, so it is ignored"]
    seen, kept = set(), []            # (test, cell) pairs a cause has taken
    for cause in causes:
        # A test whose cells an earlier cause took in part stays (that cause, for some cells,
        # comes first); one taken for every cell of this cause is named twice.
        cells = cause.cells or tuple(CELLS)
        again = [t for t in cause.tests if all((t, c) in seen for c in cells)]
        if again:
            problems.append(f"{name}: KNOWN_DEVIATIONS names {', '.join(again)} in more than one "
                            f"cause; the first keeps it")
        tests = tuple(t for t in dict.fromkeys(cause.tests) if t not in again)
        seen.update((t, c) for t in tests for c in cells)
        if tests:
            kept.append(Cause(**{**cause.as_dict(), "tests": tests}))
    return kept, problems


def cause_lines(cause: Cause, indent: str) -> list[str]:
    """A cause as report lines: its headline, then its fields, indented."""
    return [f"{indent}known deviation: {cause.headline}",
            *(f"{indent}  {line}" for line in cause.details())]
