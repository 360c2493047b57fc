"""The README's example implementation passes every clause it can, as the README says."""
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def test_readme_example_implementation_passes_every_clause(tmp_path):
    code = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    (tmp_path / "my_lstm.py").write_text(code, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "spec", "--impl", "my_lstm"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    rows = dict(line.split(None, 1) for line in run.stdout.splitlines()[-11:])
    assert rows == {"carry-per-index": "pass", "stateless-zero-start": "pass",
                    "reset-clears": "pass", "in-batch-flow": "pass", "state-access": "pass",
                    "bad-batch-rejected": "pass", "reference-agreement": "pass",
                    # the example has no make_classifier: the training clauses do not apply
                    "training-agreement": "n/a", "training-carries-state": "n/a",
                    "position-only-alphabet": "n/a", "alphabet-remedies": "n/a"}
