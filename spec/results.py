"""What ``python -m spec`` learns from each pytest process it starts: a pytest plugin (``-p
spec.results``) that appends one JSON object per line to the file named by
``$STATEFUL_LSTM_SPEC_RESULTS``:

- ``{"event": "start", "implementations": {name: {describe, known_deviations, problems}}}``
- ``{"event": "collected", "count": N}``: the spec tests this process will run;
- ``{"event": "test", "name", "clause", "impl", "outcome"}``: one per finished test.
"""
import json
import os

import pytest

from .plugin import impl_of, implementations
from .verdicts import outcome_of

ENV_VAR = "STATEFUL_LSTM_SPEC_RESULTS"


class Recorder:
    def __init__(self, path):
        self.file = open(path, "a", encoding="utf-8", buffering=1)   # noqa: SIM115 (session-long)
        self.reports = {}

    def write(self, **event):
        self.file.write(json.dumps(event) + "\n")

    def pytest_collection_finish(self, session):
        self.write(event="start", implementations={
            name: {"describe": impl.describe(), "known_deviations": impl.deviations,
                   "problems": impl.problems}
            for name, impl in implementations(session.config).items()})
        self.write(event="collected", count=sum(1 for item in session.items
                                                if impl_of(item)))

    def pytest_runtest_logreport(self, report):
        properties = dict(report.user_properties)
        if "clause" not in properties:
            return
        self.reports.setdefault(report.nodeid, []).append(report)
        if report.when == "teardown":
            self.write(event="test", name=report.nodeid, clause=properties["clause"],
                       impl=properties["impl"],
                       outcome=outcome_of(self.reports.pop(report.nodeid)))

    def pytest_unconfigure(self):
        self.file.close()


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    path = os.environ.get(ENV_VAR)
    if path:
        config.pluginmanager.register(Recorder(path), "stateful-lstm-spec-results")
