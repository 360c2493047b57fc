"""Check that the README's verdict table and docs/verdicts.md are what this CI run measured.

    python .ci/check_verdicts.py VERDICTS.md README.md docs/verdicts.md

VERDICTS.md is what `python -m spec --markdown` wrote. The README holds its table between the
markers below: the rows (clause x implementation outcomes) must be identical. docs/verdicts.md
holds all of it: identical but for the CPU times, which differ from run to run. Exit 1 with a
diff if not.
"""
import difflib
import re
import sys
from pathlib import Path

START, END = "<!-- verdicts: start -->", "<!-- verdicts: end -->"
CPU_TIME = re.compile(r"; \d+ s of CPU$")


def table(text):
    return [line for line in text.splitlines() if line.startswith("|")]


def without_times(text):
    return [CPU_TIME.sub("; (time) s of CPU", line) for line in text.splitlines()]


def differs(shown, measured, name):
    if shown == measured:
        return False
    print(f"{name} differs from this run's `python -m spec --markdown`:")
    print("\n".join(difflib.unified_diff(shown, measured, name, "measured", lineterm="")))
    return True


def main(verdicts, readme, docs):
    measured = Path(verdicts).read_text(encoding="utf-8")
    text = Path(readme).read_text(encoding="utf-8")
    failed = differs(table(text[text.index(START):text.index(END)]), table(measured), readme)
    failed |= differs(without_times(Path(docs).read_text(encoding="utf-8")),
                      without_times(measured), docs)
    if not failed:
        clauses = [line for line in table(measured) if re.match(r"\| \d+ \|", line)]
        print(f"the README's verdict table and {docs} match this run ({len(clauses)} clauses)")
    return int(failed)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
