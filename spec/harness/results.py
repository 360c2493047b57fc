"""What ``python -m spec`` learns from each pytest process it starts: a pytest plugin (``-p
spec.harness.results``) that appends one JSON object per line to the file named by
``$STATEFUL_LSTM_SPEC_RESULTS``:

- ``{"event": "start", "implementations": {name: {description, target, causes, problems}}}``;
- ``{"event": "collected", "count": N, "clauses": {clause: N}}``: the spec tests this process
  will run, in all and per clause;
- ``{"event": "test", "name", "clause", "impl", "cell", "runtime", "stacked", "outcome",
  "restriction", "cpu"}``: one per finished test, with the cell type, the runtime and the
  stacking (one layer or stacked) it ran with, the
  outcome the plugin recorded (``reporting.OUTCOME``), what the implementation offers the test
  only in part ("" if nothing: ``session.RESTRICTION``) and the process' CPU seconds from its
  setup to its teardown (what ``python -m spec --profile`` adds up).
"""
import json
import os
import time
from collections import Counter

import pytest

from .items import clause_of, impl_of
from .reporting import OUTCOME
from .session import RESTRICTION, implementations

ENV_VAR = "STATEFUL_LSTM_SPEC_RESULTS"


class Recorder:
    def __init__(self, path):
        self.file = open(path, "a", encoding="utf-8", buffering=1)   # noqa: SIM115 (session-long)
        self.finished = {}       # nodeid -> its test event, written once its CPU time is known

    def write(self, **event):
        self.file.write(json.dumps(event) + "\n")

    def pytest_collection_finish(self, session):
        self.write(event="start", implementations={
            name: {"description": impl.description, "target": impl.target,
                   "causes": [c.as_dict() for c in impl.causes],
                   "problems": impl.problems}
            for name, impl in implementations(session.config).items()})
        spec_items = [item for item in session.items if impl_of(item)]
        self.write(event="collected", count=len(spec_items),
                   clauses=Counter(clause_of(item) for item in spec_items))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        started = time.process_time()
        try:
            return (yield)
        finally:
            event = self.finished.pop(item.nodeid, None)
            if event is not None:
                self.write(**event, cpu=round(time.process_time() - started, 3))

    def pytest_runtest_logreport(self, report):
        properties = dict(report.user_properties)
        if report.when == "teardown" and OUTCOME in properties:
            self.finished[report.nodeid] = dict(
                event="test", name=report.nodeid, clause=properties["clause"],
                impl=properties["impl"], cell=properties["cell"],
                runtime=properties["runtime"], stacked=properties["stacked"],
                outcome=properties[OUTCOME],
                restriction=properties.get(RESTRICTION, ""))

    def pytest_unconfigure(self):
        self.file.close()


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    path = os.environ.get(ENV_VAR)
    if path:
        config.pluginmanager.register(Recorder(path), "stateful-lstm-spec-results")
