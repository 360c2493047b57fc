"""Check that the README's verdict table is the one this CI run measured.

    python .ci/check_readme_table.py VERDICTS.md README.md

VERDICTS.md is what `python -m spec --markdown` wrote; the README holds a copy of it between the
markers below. The table rows (clause x implementation outcomes) must be identical; the lines
under the table (versions, times, deviations) may differ in the times. Exit 1 with a diff if not.
"""
import difflib
import sys
from pathlib import Path

START, END = "<!-- verdicts: start -->", "<!-- verdicts: end -->"


def table(text):
    return [line for line in text.splitlines() if line.startswith("|")]


def main(verdicts, readme):
    measured = table(Path(verdicts).read_text(encoding="utf-8"))
    text = Path(readme).read_text(encoding="utf-8")
    shown = table(text[text.index(START):text.index(END)])
    if measured == shown:
        print(f"the README's verdict table matches this run ({len(measured) - 2} clauses)")
        return 0
    print("the README's verdict table differs from this run's `python -m spec --markdown`:")
    print("\n".join(difflib.unified_diff(shown, measured, "README.md", "measured", lineterm="")))
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
