"""Timing and reporting shared by every worker script (standard library only).

A worker process runs ONE scenario for ONE tool, then writes a JSON result file. Keeping one
scenario per process means import costs, caches and any growth from earlier scenarios never leak
into a measurement, and the soak's RSS growth belongs to the soak alone.

The exception is a pair (``PAIRS``): two scenarios whose difference is the figure, run
alternately in one process so that the machine's drift and one process's luck (its memory layout,
its hash seed) hit both alike.
"""

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time

WINDOW = 1000  # runs in the "first" and "last" windows of the soak
# Pairs of scenarios measured alternately in one process: pebble − pebble-free is the cost of a
# container, and two processes, even seconds apart, differ by more than that on a busy VM.
# webapp-pair: one `scenario run` (a child process per run, hook tools as programs) against one
# in-process Context.run of the same event on the same charm.
# startup-pair: pytest collecting an empty folder with and without scenario's entry point.
PAIRS = {"pebble-pair": ("pebble", "pebble-free"), "webapp-pair": ("webapp-in-process", "webapp-out-of-process"),
         "startup-pair": ("pytest-without-scenario", "pytest-with-scenario")}


def rss_kib():
    """Resident set size of this process, from /proc/self/status (Linux)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("VmRSS not found in /proc/self/status: the bench needs Linux")


def percentile(sorted_values, q):
    """Nearest-rank percentile of an already sorted list (q in 0..100)."""
    if not sorted_values:
        raise ValueError("no samples")
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil without floats
    return sorted_values[int(rank) - 1]


def summarize(ns_samples):
    ms = sorted(s / 1e6 for s in ns_samples)
    return {
        "n": len(ms),
        "median_ms": statistics.median(ms),
        "p90_ms": percentile(ms, 90),
        "mean_ms": statistics.fmean(ms),
        "min_ms": ms[0],
        "max_ms": ms[-1],
    }


def parse_args(scenarios):
    p = argparse.ArgumentParser(description="Run one benchmark scenario and write JSON.")
    p.add_argument("--scenario", required=True,
                   choices=sorted(scenarios) + [p for p, pair in PAIRS.items() if set(pair) <= set(scenarios)])
    p.add_argument("--runs", type=int, required=True, help="timed runs (round trips for 'deferral')")
    p.add_argument("--warmup", type=int, default=5, help="untimed runs before timing starts")
    p.add_argument("--tool", required=True, help="label of the tool being measured")
    p.add_argument("--out", required=True, help="where to write the JSON result")
    return p.parse_args()


class _Timed:
    """One scenario set up for timing: its run, its check and, if it has one, its enter.

    ``setup()`` returns (run, check) or (run, check, enter): ``run()`` does one measured unit of
    work and returns its output; ``check(output)`` raises if the charm did not do what the
    scenario expects; ``enter()`` makes the process-wide settings the scenario's own again (a
    floor scenario patches the process) before each run of a pair. Checks and enters run outside
    the timed region, on every run, so a tool that silently stops doing the work fails.
    """

    def __init__(self, setup):
        parts = setup()
        self.run, self.check = parts[0], parts[1]
        self.enter = parts[2] if len(parts) > 2 else (lambda: None)
        self.samples = []
        self.cpu_samples = []

    def once(self):
        self.enter()
        c0 = time.process_time_ns()  # all threads of this process: includes engine threads
        t0 = time.perf_counter_ns()
        out = self.run()
        t1 = time.perf_counter_ns()
        c1 = time.process_time_ns()
        self.samples.append(t1 - t0)
        self.cpu_samples.append(c1 - c0)
        self.check(out)


def _time_in_turn(timed, args):
    """Warm up, then run every one of ``timed`` ``args.runs`` times, in turn (the order reversed
    every other round, so none always follows another). Returns (wall_s, rss_before, rss_after)."""
    for _ in range(args.warmup):
        for t in timed:
            t.enter()
            t.check(t.run())
    gc.collect()
    rss_before = rss_kib()
    t_wall = time.perf_counter_ns()
    for i in range(args.runs):
        for t in timed if i % 2 == 0 else reversed(timed):
            t.once()
    wall_s = (time.perf_counter_ns() - t_wall) / 1e9
    gc.collect()
    return wall_s, rss_before, rss_kib()


def measure(setup, args):
    """Time ``args.runs`` calls of the run function that ``setup()`` returns (see _Timed)."""
    timed = _Timed(setup)
    return _result(args, args.scenario, timed, *_time_in_turn([timed], args))


def measure_pair(setups, args):
    """Time ``args.runs`` runs of each of two scenarios, alternately, in this one process.

    Returns {"pair": {scenario: result}} with each result shaped as ``measure``'s.
    """
    timed = {name: _Timed(setup) for name, setup in setups.items()}
    wall_s, rss_before, rss_after = _time_in_turn(list(timed.values()), args)
    return {
        "tool": args.tool,
        "scenario": args.scenario,
        "pair": {name: _result(args, name, t, wall_s, rss_before, rss_after)
                 for name, t in timed.items()},
    }


def _result(args, scenario, timed, wall_s, rss_before, rss_after):
    samples, cpu_samples = timed.samples, timed.cpu_samples
    result = {
        "tool": args.tool,
        "scenario": scenario,
        "warmup": args.warmup,
        "wall_s": wall_s,
        "python": platform.python_version(),
        "executable": sys.executable,
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "all": summarize(samples),
        # CPU time is less sensitive than wall time to other load on a shared machine.
        "cpu": summarize(cpu_samples),
    }
    window = min(WINDOW, len(samples) // 2)
    if window:
        result["window"] = window
        result["first"] = summarize(samples[:window])
        result["last"] = summarize(samples[-window:])
        result["cpu_first"] = summarize(cpu_samples[:window])
        result["cpu_last"] = summarize(cpu_samples[-window:])
    return result


def main(scenarios, describe_versions, verify=None):
    """Entry point of a worker: ``scenarios`` maps a name to its setup function.

    ``verify(tool)`` runs before anything is measured; it raises if the installed packages are
    not the ones the tool label promises, and returns extra fields for the result.
    """
    args = parse_args(scenarios)
    extra = verify(args.tool) if verify else {}
    if args.scenario in PAIRS:
        result = measure_pair({name: scenarios[name] for name in PAIRS[args.scenario]}, args)
        parts = list(result["pair"].values())
    else:
        result = measure(scenarios[args.scenario], args)
        parts = [result]
    for part in parts:
        part["versions"] = describe_versions()
        part.update(extra)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    os.replace(tmp, args.out)


def dist_version(name):
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
