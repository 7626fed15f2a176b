"""Timing and reporting shared by every worker script (standard library only).

A worker process runs ONE scenario for ONE tool, then writes a JSON result file. Keeping one
scenario per process means import costs, caches and any growth from earlier scenarios never leak
into a measurement, and the soak's RSS growth belongs to the soak alone.
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
    p.add_argument("--scenario", required=True, choices=sorted(scenarios))
    p.add_argument("--runs", type=int, required=True, help="timed runs (round trips for 'deferral')")
    p.add_argument("--warmup", type=int, default=5, help="untimed runs before timing starts")
    p.add_argument("--tool", required=True, help="label of the tool being measured")
    p.add_argument("--out", required=True, help="where to write the JSON result")
    return p.parse_args()


def measure(setup, args):
    """Time ``args.runs`` calls of the run function that ``setup()`` returns.

    ``setup()`` returns (run, check): ``run()`` does one measured unit of work and returns its
    output; ``check(output)`` raises if the charm did not do what the scenario expects. Checks run
    outside the timed region, on every run, so a tool that silently stops doing the work fails.
    """
    run, check = setup()
    for _ in range(args.warmup):
        check(run())
    gc.collect()
    rss_before = rss_kib()
    samples = []
    cpu_samples = []
    clock = time.perf_counter_ns
    cpu_clock = time.process_time_ns  # all threads of this process: includes engine threads
    t_wall = clock()
    for _ in range(args.runs):
        c0 = cpu_clock()
        t0 = clock()
        out = run()
        t1 = clock()
        c1 = cpu_clock()
        samples.append(t1 - t0)
        cpu_samples.append(c1 - c0)
        check(out)
    wall_s = (clock() - t_wall) / 1e9
    gc.collect()
    rss_after = rss_kib()

    result = {
        "tool": args.tool,
        "scenario": args.scenario,
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
    result = measure(scenarios[args.scenario], args)
    result["versions"] = describe_versions()
    result.update(extra)
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
