"""The harness that runs the spec: the pytest plugin (``plugin``), ``python -m spec``
(``runner``), what a run records and shows (``results``, ``verdicts``), known deviations by cause
(``deviations``), the per-test time limit (``time_limit``), finding an implementation by name
(``loader``) and the spec's own pytest settings (``conformance.ini``). The clauses, their tests,
strategies and assertions are in ``spec`` itself."""
