"""The README's example implementation passes the whole spec, as the README says."""
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
    assert run.stdout.splitlines()[-7:] == [f"{clause:<20}  pass" for clause in [
        "carry-per-index", "stateless-zero-start", "reset-clears", "in-batch-flow",
        "state-access", "bad-batch-rejected", "reference-agreement"]]
