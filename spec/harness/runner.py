"""``python -m spec``: run the spec against implementations and print one row per clause.

    python -m spec                          # every bundled and registered implementation
    python -m spec --impl my_lstm           # your own: a module, a .py file or a registered name
    python -m spec --json verdict.json --markdown verdict.md
    python -m spec --impl reference -- -x   # anything after -- goes to pytest

Each implementation runs in pytest processes of its own (a framework's global state, such as
Keras' backend, is per process), with the spec's own pytest settings (``conformance.ini``), never
those of the folder it is run from; up to ``--jobs`` processes at a time. While they run, one line
per implementation shows the tests done and the time; as soon as every implementation has finished
clauses 1-7 (the LSTM itself), their rows are printed; at the end come the pytest output of every
implementation that did not pass, the table, and each implementation's description, its CPU time
and its known deviations, each cause once.

Exit status 1 if any clause fails or errs for any implementation, or an implementation ran no test
at all (a declared known deviation is not a failure), 2 for a usage error (a name that does not
load among them), 130 on Ctrl-C, 0 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..clauses import CLAUSES, list_of_tests, module_name, trained_model_test_names
from ..contract import DEFAULT_RUNTIME, LSTM_CELL, SHARED_FOLDER
from .cores import thread_limits
from .deviations import Cause, cause_lines
from .items import DEFAULT_TIMEOUT, SPEC_DIR
from .loader import (
    ImplementationError,
    NotInstalled,
    is_file_path,
    known_names,
    load_implementation,
    target_of,
)
from .profiles import DEFAULT_PROFILE, PROFILES, profile_name
from .results import ENV_VAR as RESULTS_ENV_VAR
from .verdicts import Verdict

# Each implementation runs as this many pytest processes side by side, each taking a shard of
# the spec's tests (--stateful-lstm-shard: split by the kind of model they build).
SHARDS = 2
PROGRESS_EVERY = 10.0        # seconds between progress lines when the output is not a terminal
EARLY_CLAUSES = list(CLAUSES)[:7]     # the LSTM's own clauses, shown as soon as they are done
CONFORMANCE_INI = Path(__file__).with_name("conformance.ini")


@dataclass
class Job:
    """One pytest process: an implementation and its shard of the spec's tests."""
    name: str
    target: str
    shard: int
    log: Path
    results: Path
    process: subprocess.Popen = None
    started: float = None
    seconds: float = None
    cpu_seconds: float = 0.0
    returncode: int = None
    events: list = field(default_factory=list)
    _read: int = 0

    def command(self, args):
        modules = [str(SPEC_DIR / f"{module_name(c)}.py") for c in CLAUSES]
        return [sys.executable, "-m", "pytest", *modules, "-c", str(CONFORMANCE_INI),
                "--rootdir", str(SPEC_DIR), "-p", "spec.harness.results", "-q",
                f"--stateful-lstm-impl={self.target}",
                f"--stateful-lstm-shard={self.shard}/{SHARDS}",
                f"--hypothesis-profile={profile_name(args.hypothesis_profile)}",
                f"--stateful-lstm-timeout={args.timeout:g}", *args.pytest_args]

    def start(self, args):
        env = dict(os.environ, **{RESULTS_ENV_VAR: str(self.results)})
        # JAX's persistent compilation cache, shared by the run's processes: a program compiled
        # once (same computation, same shapes) is read back instead of compiled again.
        if "JAX_COMPILATION_CACHE_DIR" not in env:
            env.update(JAX_COMPILATION_CACHE_DIR=str(self.log.parent / "jax-cache"),
                       JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0")
        # And the folder where an implementation keeps what its processes share (SPEC.md).
        env.setdefault(SHARED_FOLDER, str(self.log.parent))
        env.pop("STATEFUL_LSTM_IMPL", None)
        env.update(thread_limits(args.jobs, env))
        with open(self.log, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(self.command(args), stdout=log,
                                            stderr=subprocess.STDOUT, env=env)
        self.started = time.monotonic()

    def poll(self):
        """Read the events written so far; True once the process has ended (reaped with its
        CPU time) and all its events are read."""
        if self.returncode is None:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                self.returncode = self.process.returncode = os.waitstatus_to_exitcode(status)
                self.cpu_seconds = usage.ru_utime + usage.ru_stime
                self.seconds = time.monotonic() - self.started
        if self.results.exists():
            with open(self.results, encoding="utf-8") as file:
                file.seek(self._read)
                text = file.read()
            complete = text[:text.rfind("\n") + 1]
            self._read += len(complete.encode("utf-8"))
            self.events += [json.loads(line) for line in complete.splitlines()]
        return self.returncode is not None

    def of(self, kind):
        return [event for event in self.events if event["event"] == kind]

    def done_with(self, clauses):
        """Whether this process has reported every test it collected of ``clauses``."""
        collected = self.of("collected")
        if not collected:
            return self.returncode is not None
        expected = sum(collected[0]["clauses"].get(c, 0) for c in clauses)
        return self.returncode is not None or \
            sum(event["clause"] in clauses for event in self.of("test")) >= expected

    def stop(self):
        self.process.terminate()
        self.process.wait()


def parse_args(argv):
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python -m spec", description=__doc__.split("\n")[0],
                                     epilog="Anything after -- is passed to pytest.")
    parser.add_argument("--impl", action="append", metavar="NAME",
                        help=f"implementation: a bundled or registered name "
                             f"({', '.join(known_names())}), a module path or a .py file "
                             f"(repeatable; default: all of those names)")
    parser.add_argument("--hypothesis-profile", default=DEFAULT_PROFILE, choices=list(PROFILES),
                        help="; ".join(f"{name}: {what}" for name, what in PROFILES.items()) +
                             f" (default: {DEFAULT_PROFILE}, as for pytest)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"time limit per test (default {DEFAULT_TIMEOUT:g}; 0: none)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="pytest processes at a time (default: the number of cores)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the verdict as JSON")
    parser.add_argument("--markdown", type=Path, metavar="FILE",
                        help="write the verdict as a Markdown table")
    parser.add_argument("--profile", action="store_true",
                        help="after the table, each implementation's CPU time by clause and its "
                             "costliest tests")
    parser.add_argument("--list-tests", action="store_true",
                        help="print each clause's test functions (the names KNOWN_DEVIATIONS "
                             "takes) and exit")
    args = parser.parse_args(argv)
    if args.list_tests:
        print(list_of_tests(), end="")
        parser.exit(0)
    args.pytest_args = pytest_args
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1; received {args.jobs}")
    if args.timeout < 0:
        parser.error(f"--timeout must be 0 (none) or positive; received {args.timeout:g}")
    for option, path in [("--json", args.json), ("--markdown", args.markdown)]:
        if path is not None and (not path.parent.is_dir() or not os.access(path.parent, os.W_OK)
                                 or path.is_dir()):
            parser.error(f"{option} {path}: cannot write there (the folder must exist and be "
                         f"writable)")
    args.targets = column_names(args.impl or known_names())
    args.not_installed = {}                 # column -> why: no process is started for it
    args.compiles = set()                   # columns that compile per shape: the long ones
    for column, name in args.targets.items():
        try:
            if getattr(load_implementation(name), "COMPILES_PER_SHAPE", False) is True:
                args.compiles.add(column)
        except NotInstalled as error:
            args.not_installed[column] = str(error)
        except ImplementationError as error:
            parser.exit(2, f"python -m spec: error: {error}\n")
    return args


def column_names(names):
    """``{column name: name given}``: a file path's column is its file name without ``.py``
    (made unique), anything else its own name."""
    columns = {}
    for name in dict.fromkeys(names):
        short = Path(name).stem if is_file_path(target_of(name)) else name
        column, n = short, 2
        while column in columns:
            column, n = f"{short}-{n}", n + 1
        columns[column] = name
    return columns


def elapsed(jobs):
    """Seconds from the first of ``jobs`` starting to the last ending (or now)."""
    started = [job for job in jobs if job.started is not None]
    if not started:
        return 0.0
    ends = [job.started + job.seconds if job.seconds is not None else time.monotonic()
            for job in started]
    return max(ends) - min(job.started for job in started)


def progress_line(name, jobs):
    """``name: 12/31 tests, 40 s, running`` for an implementation's jobs."""
    if not jobs:
        return f"{name}: not installed"
    done = sum(len(job.of("test")) for job in jobs)
    total = sum(event["count"] for job in jobs for event in job.of("collected"))
    if all(job.seconds is not None for job in jobs):
        state = "done"
    else:
        state = "running" if any(job.started is not None for job in jobs) else "waiting"
    return f"{name}: {done}/{total or '?'} tests, {elapsed(jobs):.0f} s, {state}"


class Progress:
    """The progress line on stderr (redrawn on a terminal, every ``PROGRESS_EVERY`` s
    otherwise), and the early rows on stdout once."""

    def __init__(self, jobs, args):
        self.jobs, self.args = jobs, args
        self.tty, self.last, self.early_shown = sys.stderr.isatty(), 0.0, False

    def show(self, force=False):
        now = time.monotonic()
        if self.tty or force or now - self.last >= PROGRESS_EVERY:
            line = " | ".join(progress_line(name, group) for name, group in self.jobs.items())
            print(("\r" + line + "\033[K") if self.tty else line, end="" if self.tty else "\n",
                  file=sys.stderr, flush=True)
            self.last = now
        if not self.early_shown and all(job.done_with(EARLY_CLAUSES) for group in
                                        self.jobs.values() for job in group):
            self.early_shown = True
            verdict, _ = collect(self.jobs, self.args)
            if self.tty:
                print(file=sys.stderr)
            print(f"Clauses 1-{len(EARLY_CLAUSES)} (the LSTM itself), while the rest runs:\n"
                  f"{verdict.table(EARLY_CLAUSES)}\n", flush=True)

    def close(self):
        if self.tty:
            print(file=sys.stderr)


def run(args, folder):
    """Run every job, at most ``args.jobs`` at a time, showing progress; returns the jobs by
    implementation (column name). The columns that do not compile per shape start first: they
    take seconds where a framework that compiles takes minutes, and would otherwise wait behind
    it."""
    jobs = {column: [Job(column, target, k, folder / f"{i}-{k}.log", folder / f"{i}-{k}.jsonl")
                     for k in range(SHARDS if column not in args.not_installed else 0)]
            for i, (column, target) in enumerate(args.targets.items())}
    pending = sorted((job for group in jobs.values() for job in group),
                     key=lambda job: job.name in args.compiles)
    running, progress = [], Progress(jobs, args)
    try:
        while pending or running:
            while pending and len(running) < args.jobs:
                job = pending.pop(0)
                job.start(args)
                running.append(job)
            time.sleep(0.2)
            finished = [job for job in running if job.poll()]
            running = [job for job in running if job not in finished]
            progress.show(force=bool(finished))
    except KeyboardInterrupt:
        for job in running:
            job.stop()
        raise
    finally:
        progress.close()
    return jobs


def collect(jobs, args):
    """The verdict so far, and the pytest output worth showing (of processes that ended and did
    not pass)."""
    verdict = Verdict(CLAUSES, jobs)
    shown = []
    for name, group in jobs.items():
        about = verdict.about[name]
        if name in args.not_installed:
            about.update(not_installed=args.not_installed[name],
                         target=target_of(args.targets[name]),
                         description=args.not_installed[name])
        about["wall_seconds"] = elapsed(group)
        about["cpu_seconds"] = sum(job.cpu_seconds for job in group)
        for job in group:
            job.poll()
            for event in job.of("start"):
                about.update(event["implementations"].get(job.target, {}))
            for event in job.of("test"):
                verdict.add(event["clause"], name, event["outcome"],
                            event.get("restriction", ""), event.get("cell", LSTM_CELL),
                            event.get("runtime", DEFAULT_RUNTIME), event.get("stacked", False))
            code = job.returncode
            if code is None or (code == 5 and not job.of("test")):
                continue                      # still running, or every test of it deselected
            output = job.log.read_text(encoding="utf-8", errors="replace")
            if code not in (0, 1) and not job.of("start"):
                about["error"] = f"could not be run (pytest exit status {code}): " + \
                    (output.strip().splitlines() or ["no output"])[-1]
            if code != 0 and (name, output) not in shown:
                shown.append((name, output))
    return verdict, shown


def report(verdict, seconds):
    """What is printed after the table: each implementation, its time, its causes."""
    for name, about in verdict.about.items():
        head = f"{name}: {about['error']}" if about["error"] else verdict.title(name)
        if about["not_installed"]:
            print(head)
            continue
        print(f"{head} ({verdict.tests_run(name)} tests, {about['cpu_seconds']:.0f} s of CPU "
              f"in {SHARDS} processes, {about['wall_seconds']:.0f} s from start to end)")
        for cause in map(Cause.from_dict, about["causes"]):
            print("\n".join(cause_lines(cause, "  ")))
        for problem in about["problems"]:
            print(f"  warning: {problem}")
        if not verdict.tests_run(name) and not about["error"]:
            print("  no test ran: check the selection passed after --")
    print(f"The run took {seconds:.0f} s.")


def profile(jobs, top=8):
    """Each implementation's tests' CPU seconds by clause and by the runs' kind (the LSTM's on
    one layer; the other cells', their trained models' apart; the stacks'), what the other
    cells' trained models and the stacks each add to the rest, and its ``top`` costliest tests
    (the CPU its processes spent from each test's setup to its teardown)."""
    trained = trained_model_test_names()

    def other_trained(e):            # a run of a trained model of a cell other than the LSTM
        return e["cell"] != LSTM_CELL and e["name"].split("::")[-1].split("[")[0] in trained
    for name, group in jobs.items():
        tests = [event for job in group for event in job.of("test") if "cpu" in event]
        if not tests:
            continue
        by_clause = {clause: sum(e["cpu"] for e in tests if e["clause"] == clause)
                     for clause in CLAUSES}
        kinds = {"the LSTM": lambda e: e["cell"] == LSTM_CELL and not e.get("stacked"),
                 "other cells": lambda e: e["cell"] != LSTM_CELL and not e.get("stacked"),
                 "their trained models": other_trained, "stacks": lambda e: e.get("stacked")}
        cpu = {kind: sum(e["cpu"] for e in tests if of(e)) for kind, of in kinds.items()}
        rest = sum(e["cpu"] for e in tests if not other_trained(e) and not e.get("stacked"))
        print(f"{name}: {sum(by_clause.values()):.0f} s of CPU in its tests; by clause: " +
              ", ".join(f"{number} {seconds:.0f}" for number, seconds in
                        enumerate(by_clause.values(), 1)) + "; by run: " +
              ", ".join(f"{kind} {seconds:.0f}" for kind, seconds in cpu.items()) +
              (f"; to the rest ({rest:.0f} s), the other cells' trained models add "
               f"{cpu['their trained models'] / rest:.0%}, the stacks {cpu['stacks'] / rest:.0%}"
               if rest > 0 else ""))
        for event in sorted(tests, key=lambda e: -e["cpu"])[:top]:
            print(f"  {event['cpu']:6.1f} s  {event['name'].split('/')[-1]}")


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="stateful-lstm-spec-") as folder:
            jobs = run(args, Path(folder))
            verdict, shown = collect(jobs, args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    for name, output in shown:
        print(f"\n==== pytest output for {name} ====\n{output.rstrip()}")
    print()
    print(verdict.table())
    print()
    report(verdict, time.monotonic() - started)
    if args.profile:
        print()
        profile(jobs)
    if args.json:
        args.json.write_text(verdict.json(), encoding="utf-8")
        print(f"wrote {args.json}")
    if args.markdown:
        args.markdown.write_text(verdict.markdown(), encoding="utf-8")
        print(f"wrote {args.markdown}")
    return 1 if verdict.failed() else 0
