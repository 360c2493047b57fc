"""An implementation's ``KNOWN_DEVIATIONS``, read into causes: each cause (``Cause``) names the spec
tests it explains, once, with its reason, versions, upstream report and repro as separate fields.

Two forms are accepted (``spec.contract.Deviation``):
- the list form, one mapping per cause: ``{"tests": [...], "title": ..., "reason": ...,
  "versions": ..., "upstream": ..., "repro": ...}``; ``tests`` and ``reason`` are required,
  ``tests`` holds spec test names or clause IDs (every test of that clause);
- the shorthand ``{test name: reason}``: tests that share a reason form one cause.
Anything malformed is reported as a problem (a warning) and left out; nothing is guessed.
"""
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from ..clauses import CLAUSES, spec_test_names
from ..contract import Deviation

FIELDS = tuple(Deviation.__annotations__)
REQUIRED = ("tests", "reason")


@dataclass(frozen=True)
class Cause:
    """One reason an implementation fails some spec tests, and the tests it explains."""
    tests: tuple[str, ...]
    reason: str
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
            ("tests", ", ".join(self.tests)), ("reason", self.reason if self.title else ""),
            ("versions", self.versions), ("upstream", self.upstream), ("repro", self.repro)]
            if value]

    def as_dict(self) -> dict:
        return {**asdict(self), "tests": list(self.tests)}

    @classmethod
    def from_dict(cls, fields: Mapping) -> "Cause":
        """The cause ``as_dict`` gave (a verdict read back from JSON)."""
        return cls(**{**fields, "tests": tuple(fields["tests"])})


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
        texts = [f for f in FIELDS if f != "tests" and f in entry and not isinstance(entry[f], str)]
        tests = entry.get("tests")
        if unknown or missing or texts or isinstance(tests, str) or not isinstance(tests, Sequence):
            problems.append(f"{where} needs the fields {', '.join(REQUIRED)} (tests: a list of "
                            f"spec test names or clause IDs; the others text) and may have "
                            f"{', '.join(f for f in FIELDS if f not in REQUIRED)}; received "
                            f"{sorted(entry, key=str)}; it is ignored")
            continue
        names = _named_tests(tests, where, problems)
        if names:
            causes.append(Cause(tests=tuple(names),
                                **{f: entry[f] for f in FIELDS if f != "tests" and f in entry}))
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
    messages). A test named by two causes keeps the first."""
    problems: list[str] = []
    if isinstance(declared, Mapping):
        causes = _from_shorthand(name, declared, problems)
    elif isinstance(declared, Sequence) and not isinstance(declared, str):
        causes = _from_list(name, declared, problems)
    else:
        return [], [f"{name}: KNOWN_DEVIATIONS must be a list of causes (mappings with the fields "
                    f"{', '.join(FIELDS)}) or a dict {{spec test name: reason}}; it is a "
                    f"{type(declared).__name__}, so it is ignored"]
    seen, kept = set(), []
    for cause in causes:
        again = [t for t in cause.tests if t in seen]
        if again:
            problems.append(f"{name}: KNOWN_DEVIATIONS names {', '.join(again)} in more than one "
                            f"cause; the first keeps it")
        tests = tuple(t for t in dict.fromkeys(cause.tests) if t not in seen)
        seen.update(tests)
        if tests:
            kept.append(Cause(**{**cause.as_dict(), "tests": tests}))
    return kept, problems


def cause_lines(cause: Cause, indent: str) -> list[str]:
    """A cause as report lines: its headline, then its fields, indented."""
    return [f"{indent}known deviation: {cause.headline}",
            *(f"{indent}  {line}" for line in cause.details())]
