#!/usr/bin/env python3
"""Run every scenario on every tool, each in a fresh process, and print/write the comparison.

Normally started by ``bench/run.sh``, which builds the venvs first. Standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent

# tool label -> (venv name, worker script, ops line it runs on, human description)
TOOLS = {
    "s31": ("s31", "scenarios_31.py", "ops2", "ops-scenario 3.1"),
    "ours-ops2": ("ours-ops2", "scenarios_31.py", "ops2", "ours (3.1 API)"),
    "floor-ops2": ("floor-ops2", "floor.py", "ops2", "ops floor"),
    "latest": ("latest", "scenarios_latest.py", "ops3", "ops[testing] (Scenario 8)"),
    "ours-ops3": ("ours-ops3", "scenarios_31.py", "ops3", "ours (3.1 API)"),
    "floor-ops3": ("floor-ops3", "floor.py", "ops3", "ops floor"),
    "mainfloor-ops2": ("floor-ops2", "main_floor.py", "ops2", "ops.main floor"),
    "mainfloor-ops3": ("floor-ops3", "main_floor.py", "ops3", "ops.main floor"),
}
PEERS = {"ops2": "s31", "ops3": "latest"}
OURS = {"ops2": "ours-ops2", "ops3": "ours-ops3"}
FLOORS = {"ops2": "floor-ops2", "ops3": "floor-ops3"}
# The ops.main floor (main_floor.py: the floor with ops' own unit-state file on tmpfs) runs only in
# the light rounds: ours, it and the floor back to back on the light and null charms.
MAIN_FLOORS = {"ops2": "mainfloor-ops2", "ops3": "mainfloor-ops3"}
LIGHT_SCENARIOS = ("light", "null")
# Rows of the time table. "realistic" is not a process of its own: it is the first 1,000 runs of
# the soak process (a fresh process running the realistic scenario), which is exactly "the first
# 1,000 runs" the target speaks of, and saves a second long run of the slow peers.
SCENARIOS = ("null", "realistic", "deferral", "pebble", "pebble-free")
PROCESSES = ("null", "deferral")  # run before the soaks; the soaks run last
# The Pebble pair: for each tool, "pebble" and "pebble-free" run alternately in one process (the
# worker's "pebble-pair"), after the PROCESSES and before the soaks. Their difference of medians
# is the cost of a container (the Pebble target); two processes differ by more than that.
PEBBLE_PAIR = ("pebble", "pebble-free")
PEBBLE_PAIR_WORKER = "pebble-pair"
# `scenario run` of examples/webapp against Context.run, alternately in one process, for each of
# ours (out_of_process.py's "webapp-pair"): the cost of running a charm out of process.
OOP_PAIR = ("webapp-in-process", "webapp-out-of-process")
OOP_WORKER, OOP_SCRIPT = "webapp-pair", "out_of_process.py"
# pytest collecting an empty folder with and without our entry point, alternately in one process
# (startup.py's "startup-pair"): what installing scenario adds to every pytest run in the venv.
STARTUP_PAIR = ("pytest-without-scenario", "pytest-with-scenario")
STARTUP_WORKER, STARTUP_SCRIPT = "startup-pair", "startup.py"
# A whole suite (suite.py): examples/' tests plus generated small tests in the 3.1 API, one
# `pytest` child process per sample, the same files for ops-scenario 3.1 and ours.
SUITE_WORKER, SUITE_SCRIPT = "suite", "suite.py"
SUITE_TOOLS = ("s31", "ours-ops2", "ours-ops3")

# Every target the report judges, in one table (bench/README.md explains each).
TARGETS = {
    "vs_31": 10.0,  # ours-ops2 at least this many times faster than ops-scenario 3.1 (realistic)
    "vs_floor": 1.5,  # ours at most this many times the ops floor's time (paired rounds)
    "soak_drift": 1.10,  # the soak's last window at most this many times its first
    "soak_rss_mb": 20.0,  # RSS growth over the soak below this many MB
    "pebble_ms": 2.0,  # a container (median pebble - median pebble-free) costs less than this
    "vs_main_floor": 1.0,  # ours at most this many times the ops.main floor's time (light, paired rounds)
    "startup_ms": 50.0,  # the entry point adds less than this to pytest's start (median with - without)
    "vs_latest": 2.0,  # ours-ops3 at least this many times faster than ops[testing] 3.9 (light rounds; realistic)
}

# The counts of every option, in one place: run.sh passes none, so these are the defaults of
# both. The self-test (--selftest) runs the harness end to end on tiny counts.
COUNTS = {
    "runs": 200,
    "deferral_runs": 200,
    "pebble_runs": 300,
    "soak": 10000,
    "peer_soak": 2000,
    "rounds": 5,
    "round_runs": 300,
    "warmup": 5,
    "oop_runs": 50,
    "startup_runs": 30,
    "suite_tests": 120,
    "suite_runs": 3,
    "suite_warmup": 1,
}
SELFTEST_COUNTS = {
    "runs": 50,
    "deferral_runs": 20,
    "pebble_runs": 20,
    "soak": 400,
    "peer_soak": 400,
    "rounds": 1,
    "round_runs": 20,
    "warmup": 5,
    "oop_runs": 5,
    "startup_runs": 3,
    "suite_tests": 12,
    "suite_runs": 1,
    "suite_warmup": 1,
}
FLOOR_SCENARIOS = ("realistic", "soak") + PEBBLE_PAIR


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    # None: COUNTS (SELFTEST_COUNTS with --selftest), filled in below
    p.add_argument("--runs", type=int, help="timed runs of the null scenario")
    p.add_argument("--deferral-runs", type=int, help="timed deferral round trips")
    p.add_argument("--pebble-runs", type=int,
                   help="timed runs of each of the pebble and pebble-free scenarios")
    p.add_argument("--soak", type=int,
                   help="soak runs for ours and the floor (the realistic row is its first 1,000)")
    p.add_argument("--peer-soak", type=int,
                   help="soak runs for the peer tools (the realistic row is its first 1,000)")
    p.add_argument("--rounds", type=int,
                   help="paired rounds: ours and the floor back to back on realistic, pebble and "
                        "pebble-free; the floor and Pebble targets are judged on their medians")
    p.add_argument("--round-runs", type=int, help="timed runs per process in a round")
    p.add_argument("--warmup", type=int, help="untimed runs before each measurement")
    p.add_argument("--oop-runs", type=int,
                   help="timed runs of each of `scenario run` and Context.run of the webapp charm")
    p.add_argument("--startup-runs", type=int,
                   help="timed pytest start-ups of each of with and without scenario's entry point")
    p.add_argument("--suite-tests", type=int,
                   help="small tests the whole-suite measurement generates (besides examples/' tests)")
    p.add_argument("--suite-runs", type=int, help="timed pytest runs of the whole suite per tool")
    p.add_argument("--suite-warmup", type=int, help="untimed pytest runs of the whole suite before timing")
    p.add_argument("--selftest", action="store_true",
                   help="harness self-test: tiny counts, ours replaced by ops-scenario 3.1 under "
                        "a marked label (implies --stub-ours); RESULTS.md is not written")
    p.add_argument("--tools", default=",".join(TOOLS), help="comma-separated tool labels")
    p.add_argument("--venvs", default=str(BENCH / ".venvs"))
    p.add_argument("--ours-unavailable", default="", help="why ours is not measured (skips it)")
    p.add_argument("--stub-ours", action="store_true",
                   help="SELF-TEST ONLY: measure ops-scenario 3.1 under the ours label")
    p.add_argument("--write", default=str(BENCH / "RESULTS.md"), help="Markdown output file")
    p.add_argument("--command", default="", help="the command line, for the report")
    args = p.parse_args()
    for name, count in (SELFTEST_COUNTS if args.selftest else COUNTS).items():
        if getattr(args, name) is None:
            setattr(args, name, count)
    args.stub_ours = args.stub_ours or args.selftest
    return args


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def dirty_note():
    """Ours is built from the working tree, which may hold others' uncommitted work."""
    status = sh(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"])
    if status in ("", "unknown"):
        return ""
    return f" (working tree with {len(status.splitlines())} uncommitted changed files)"


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "uname": " ".join(platform.uname()),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else [],
    }


def run_pebble_pair(args, tool, runs, results_dir, tag=""):
    """{(tool, "pebble"): result, (tool, "pebble-free"): result} from one process running both
    alternately (a failed process fails both)."""
    result = run_worker(args, tool, PEBBLE_PAIR_WORKER, runs, results_dir, tag)
    if "failed" in result:
        return {(tool, scenario): result for scenario in PEBBLE_PAIR}
    return {(tool, scenario): result["pair"][scenario] for scenario in PEBBLE_PAIR}


def run_worker(args, tool, scenario, runs, results_dir, tag="", script=None, warmup=None, env_extra=None):
    venv, tool_script, _, _ = TOOLS[tool]
    script = script or tool_script
    venv_name = "s31" if args.stub_ours and tool == "ours-ops2" else venv
    python = Path(args.venvs) / venv_name / "bin" / "python"
    out = results_dir / f"{tool}-{scenario}{tag}.json"
    log = results_dir / f"{tool}-{scenario}{tag}.log"
    env = dict(os.environ)
    if args.stub_ours:
        env["BENCH_STUB_OURS"] = "1"
    else:
        env.pop("BENCH_STUB_OURS", None)
    env.update(env_extra or {})
    cmd = [str(python), str(BENCH / script), "--scenario", scenario, "--runs", str(runs),
           "--warmup", str(args.warmup if warmup is None else warmup), "--tool", tool, "--out", str(out)]
    t0 = time.monotonic()
    print(f"  {tool:<11} {scenario + tag:<19} x{runs:<6}", end="", flush=True)
    with open(log, "w", encoding="utf-8") as f:
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=results_dir, env=env).returncode
    took = time.monotonic() - t0
    if rc != 0 or not out.exists():
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
        print(f" FAILED after {took:.0f}s: {tail[0]}")
        return {"failed": tail[0], "log": str(log)}
    result = json.loads(out.read_text())
    parts = result.get("pair", {scenario: result})
    medians = ", ".join(f"{name} {part['all']['median_ms']:.2f}" for name, part in parts.items())
    print(f" median {medians} ms  ({took:.0f}s)")
    return result


def first_window(soak):
    """The realistic row: the first window (1,000 runs) of a soak process."""
    if "failed" in soak or "first" not in soak:
        return soak
    row = dict(soak)
    row["all"] = soak["first"]
    row["cpu"] = soak["cpu_first"]
    return row


def fmt(x, digits=2, suffix=""):
    return "—" if x is None else f"{x:.{digits}f}{suffix}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def med(res, key="all"):
    if not res or "failed" in res or key not in res:
        return None
    return res[key]["median_ms"]


def label(tool, res):
    _, _, _, desc = TOOLS[tool]
    if res and res.get("stub"):
        return f"{tool} **STUB: ops-scenario 3.1, not ours**"
    return f"{tool} ({desc})"


def build_report(args, tools, results, rounds, light_rounds, mach_before, mach_after, skipped, started):
    table_tools = [t for t in tools if t not in MAIN_FLOORS.values()]  # they run in light rounds only
    lines = []
    w = lines.append
    w("# Benchmark results")
    w("")
    w(f"Generated by `{args.command or 'bench/run.sh'}` on {started} (UTC); "
      f"repo commit `{sh(['git', '-C', str(REPO), 'rev-parse', '--short', 'HEAD'])}`"
      f"{dirty_note()}. "
      "How to read this and what each tool does: [README.md](README.md).")
    w("")
    w("## Machine")
    w("")
    w(f"- `uname -a`: `{mach_before['uname']}`")
    w(f"- CPU: {mach_before['cpu']} ({mach_before['cores']} cores), memory {mach_before['memory']}")
    w(f"- Python {mach_before['python']}")
    w(f"- load average (1/5/15 min) at start {' / '.join(mach_before['loadavg'])}, "
      f"at end {' / '.join(mach_after['loadavg'])}")
    w("")
    w("## Versions")
    w("")
    w("| tool | venv packages |")
    w("|---|---|")
    for tool in tools:
        res = next((r for (t, _), r in results.items() if t == tool and "versions" in r), None)
        vers = ", ".join(f"{k} {v}" for k, v in (res or {}).get("versions", {}).items() if v)
        w(f"| {label(tool, res)} | {vers or skipped.get(tool, 'not measured')} |")
    w("")
    w(f"## Time per run (ms, wall clock; CPU = process CPU time, all threads)")
    w("")
    w(f"One fresh process per (tool, scenario), {args.warmup} untimed warm-up runs, then: null "
      f"{args.runs} timed runs; realistic = the first 1,000 timed runs of the soak process; deferral "
      f"{args.deferral_runs} timed round trips (two runs each: `start` that defers, then "
      f"`update-status` that re-emits it); pebble and pebble-free {args.pebble_runs} timed runs "
      "each, alternately in one process per tool. `peer ÷ ours` compares tools on the same "
      "ops version.")
    w("")
    w("| scenario | tool | median | p90 | CPU median | peer ÷ ours (wall) | peer ÷ ours (CPU) | ours ÷ floor (wall) | ours ÷ floor (CPU) |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for scenario in SCENARIOS:
        for tool in table_tools:
            if tool in FLOORS.values() and scenario not in FLOOR_SCENARIOS:
                continue
            res = results.get((tool, scenario))
            line = TOOLS[tool][2]
            ours = results.get((OURS[line], scenario))
            if res is None:
                w(f"| {scenario} | {label(tool, res)} | {skipped.get(tool, 'not run')} | | | | | | |")
                continue
            if "failed" in res:
                w(f"| {scenario} | {label(tool, res)} | FAILED: {res['failed'][:80]} | | | | | | |")
                continue
            cells = [fmt(med(res)), fmt(res["all"]["p90_ms"]), fmt(med(res, "cpu"))]
            peer_w = peer_c = floor_w = floor_c = ""
            if tool == PEERS[line]:
                peer_w = fmt(ratio(med(res), med(ours)), 1, "x")
                peer_c = fmt(ratio(med(res, "cpu"), med(ours, "cpu")), 1, "x")
            if tool == FLOORS[line]:
                floor_w = fmt(ratio(med(ours), med(res)), 2, "x")
                floor_c = fmt(ratio(med(ours, "cpu"), med(res, "cpu")), 2, "x")
            w(f"| {scenario} | {label(tool, res)} | " + " | ".join(cells)
              + f" | {peer_w} | {peer_c} | {floor_w} | {floor_c} |")
    w("")
    w("## Soak (the realistic scenario, many runs in one process)")
    w("")
    w(f"Ours and the floor soak {args.soak} runs; the peers {args.peer_soak} "
      "(so that the whole command stays under ~20 minutes: ops-scenario 3.1 slows down and grows "
      "with every run). First/last = the first and last 1,000 runs (or half the soak if shorter).")
    w("")
    w("| tool | runs | first: median | last: median | last ÷ first | first: mean | last: mean | CPU first → last (median) | RSS before → after (MB) | RSS growth (MB) |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for tool in table_tools:
        res = results.get((tool, "soak"))
        if res is None or "failed" in res:
            why = skipped.get(tool, "not run") if res is None else "FAILED: " + res["failed"][:80]
            w(f"| {label(tool, res)} | {why} | | | | | | | | |")
            continue
        growth = (res["rss_after_kib"] - res["rss_before_kib"]) / 1024
        w(f"| {label(tool, res)} | {res['all']['n']} | {fmt(med(res, 'first'))} | {fmt(med(res, 'last'))} "
          f"| {fmt(ratio(med(res, 'last'), med(res, 'first')))} | {fmt(res['first']['mean_ms'])} "
          f"| {fmt(res['last']['mean_ms'])} | {fmt(med(res, 'cpu_first'))} → {fmt(med(res, 'cpu_last'))} "
          f"| {res['rss_before_kib'] / 1024:.1f} → {res['rss_after_kib'] / 1024:.1f} | {growth:.1f} |")
    w("")
    if rounds:
        w("## Paired rounds (the floor and Pebble targets are judged on these medians)")
        w("")
        w(f"{args.rounds} rounds per ops version, after the soaks. In each round ours and the floor "
          f"run realistic and then the pebble pair back to back, {args.round_runs} timed runs per "
          "scenario, so each figure compares processes seconds apart. Container cost = median "
          "pebble − median pebble-free of the same tool in the same round, the two run "
          "alternately in one process.")
        w("")
        w("| ops | round | ours ÷ floor, realistic (wall / CPU) | ours: container cost (ms, wall / CPU) "
          "| floor: ops' own share (ms) | ours above ops' share (ms) |")
        w("|---|---|---:|---:|---:|---:|")
        for line, summaries in rounds.items():
            rows = [(str(i), s) for i, s in enumerate(summaries, 1)]
            rows.append(("**median**", {k: median_of(summaries, k) for k in summaries[0]}))
            for name, s_ in rows:
                w(f"| {line} | {name} | {fmt(s_['ratio'], 2, 'x')} / {fmt(s_['ratio_cpu'], 2, 'x')} "
                  f"| {fmt(s_['ours_cost'])} / {fmt(s_['ours_cost_cpu'])} "
                  f"| {fmt(s_['floor_cost'])} / {fmt(s_['floor_cost_cpu'])} "
                  f"| {fmt(s_['above'])} / {fmt(s_['above_cpu'])} |")
        w("")
    if light_rounds:
        w("## Light rounds: ours against the ops.main floor and the floor")
        w("")
        w(f"{args.rounds} rounds per ops version. In each round ours, the ops.main floor "
          "(`main_floor.py`: ops.main with ops' own unit-state file on tmpfs, fresh per run) and the "
          f"floor (`floor.py`: the same with an in-memory store) run the light and the null charm "
          f"back to back, {args.round_runs} timed runs per process, with the peer on the same ops "
          "version (ops-scenario 3.1 on ops 2.4.1, ops[testing] on 3.9) when it is measured. "
          "Medians in ms, wall / CPU.")
        w("")
        w("| ops | round | scenario | ours | ops.main floor | floor | peer | ours ÷ ops.main floor | ours ÷ floor | peer ÷ ours |")
        w("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for line, summaries in light_rounds.items():
            rows = [(str(i), s_) for i, s_ in enumerate(summaries, 1)]
            rows.append(("**median**", {k: median_of(summaries, k) for k in summaries[0]}))
            for name, s_ in rows:
                for scenario in LIGHT_SCENARIOS:
                    def pair(key, digits=2, suffix=""):
                        return (f"{fmt(s_[f'{scenario}_{key}'], digits, suffix)} / "
                                f"{fmt(s_[f'{scenario}_{key}_cpu'], digits, suffix)}")
                    w(f"| {line} | {name} | {scenario} | {pair('ours')} | {pair('main_floor')} "
                      f"| {pair('floor')} | {pair('peer')} | {pair('vs_main_floor', 2, 'x')} "
                      f"| {pair('vs_floor', 2, 'x')} | {pair('peer_vs_ours', 2, 'x')} |")
        w("")
    write_pair_table(
        w, results, OOP_WORKER, OOP_PAIR, "## Out of process: `scenario run` against `Context.run`",
        f"examples/webapp on webapp-pebble-ready, {args.oop_runs} timed runs of each, alternately in "
        "one process (`out_of_process.py`). Out of process is one `scenario` process, the charm's "
        "own Python importing ops, and one process per hook-tool call; its CPU column counts "
        "the calling process only.",
        ("Context.run (ms, median wall / CPU)", "scenario run (ms, median wall / p90)", "difference (ms)"),
        lambda inp, outp: (f"{fmt(med(inp))} / {fmt(med(inp, 'cpu'))}",
                           f"{fmt(med(outp))} / {fmt(outp['all']['p90_ms'])}", fmt(med(outp) - med(inp))))
    write_pair_table(
        w, results, STARTUP_WORKER, STARTUP_PAIR, "## pytest start-up: what the entry point adds",
        f"`python -m pytest --collect-only -q` of an empty folder, {args.startup_runs} timed runs "
        "of each of without scenario (`-p no:scenario`) and with its entry point, alternately in "
        "one process (`startup.py`); wall time of the child process.",
        ("without (ms, median)", "with (ms, median)", "added (ms)"),
        lambda without, with_: (fmt(med(without), 1), fmt(med(with_), 1), fmt(med(with_) - med(without), 1)))
    write_suite_table(w, args, results)
    w("## Targets")
    w("")
    for line in (lines_targets(tools, results, skipped, rounds) + light_target_lines(light_rounds)
                 + suite_lines(results)):
        w(f"- {line}")
    w("")
    return "\n".join(lines)


def write_suite_table(w, args, results):
    """The whole-suite section: pytest wall time of the same test files per tool."""
    measured = [(tool, results[(tool, SUITE_WORKER)]) for tool in SUITE_TOOLS if (tool, SUITE_WORKER) in results]
    if not measured:
        return
    w("## Whole suite: pytest wall time")
    w("")
    w(f"`python -m pytest -q` of one folder (`suite.py`): examples/' tests and {args.suite_tests} "
      "generated small tests in the ops-scenario 3.1 API (config, relations, status, a container, "
      "secrets, actions metadata; a Context per test), the same files for every tool, "
      f"{args.suite_warmup} untimed and {args.suite_runs} timed runs per tool, each a child process "
      "(wall time: interpreter start, imports, collection and every test). ops-scenario 3.1 fails "
      "some of the examples' tests (they use what it lacks); the generated ones pass on every tool.")
    w("")
    w("| tool | pytest outcome | median (s) | min (s) | ÷ ours-ops2 (wall) |")
    w("|---|---|---:|---:|---:|")
    ours = results.get((OURS["ops2"], SUITE_WORKER))
    for tool, res in measured:
        if "failed" in res:
            w(f"| {label(tool, res)} | FAILED: {res['failed'][:80]} | | | |")
            continue
        outcome = ", ".join(f"{n} {k}" for k, n in sorted(res.get("outcomes", {}).items()))
        versus = fmt(ratio(med(res), med(ours)), 2, "x") if tool == PEERS["ops2"] else ""
        w(f"| {label(tool, res)} | {outcome} | {fmt(med(res) / 1000)} | {fmt(res['all']['min_ms'] / 1000)} "
          f"| {versus} |")
    w("")


def suite_lines(results):
    """The whole suite's figure (no target): ops-scenario 3.1's pytest wall time ÷ ours'."""
    ours, peer = (results.get((tool, SUITE_WORKER)) for tool in (OURS["ops2"], PEERS["ops2"]))
    if not ours or not peer or "failed" in ours or "failed" in peer:
        return []
    stub = " (STUB, not ours: self-test only)" if ours.get("stub") else ""
    return [f"{OURS['ops2']}{stub}: whole suite ({ours.get('generated_tests', '?')} generated tests and "
            f"examples/'), pytest wall time (no target): ours {med(ours) / 1000:.2f} s, ops-scenario 3.1 "
            f"{med(peer) / 1000:.2f} s ({fmt(ratio(med(peer), med(ours)), 1, 'x')})"]


def write_pair_table(w, results, worker, pair, title, intro, columns, cells):
    """A section with one row per ours tool that ran the pair ``worker``; ``cells(first, second)``
    gives a row's ``columns`` from the pair's two results."""
    measured = [(tool, results[(tool, worker)]) for tool in OURS.values() if (tool, worker) in results]
    if not measured:
        return
    w(title)
    w("")
    w(intro)
    w("")
    w("| tool | " + " | ".join(columns) + " |")
    w("|---|" + "---:|" * len(columns))
    for tool, res in measured:
        if "failed" in res:
            w(f"| {tool} | failed: {res['failed']} |" + " |" * (len(columns) - 1))
            continue
        w(f"| {tool} | " + " | ".join(cells(*(res["pair"][name] for name in pair))) + " |")
    w("")


def pebble_cost(results, tool, key="all"):
    """Median of the pebble run minus median of the pebble-free run, in ms (None if missing)."""
    with_c = med(results.get((tool, "pebble")), key)
    without = med(results.get((tool, "pebble-free")), key)
    if with_c is None or without is None:
        return None
    return with_c - without


def lines_targets(tools, results, skipped, rounds=None):
    out = []

    def verdict(ok):
        return "**PASS**" if ok else "**FAIL**"

    def both(r, rc, ok, digits=2):
        return (f"wall {fmt(r, digits, 'x')} {verdict(r is not None and ok(r))}, "
                f"CPU {fmt(rc, digits, 'x')} {verdict(rc is not None and ok(rc))}")

    for line in ("ops2", "ops3"):
        ours_tool = OURS[line]
        if ours_tool not in tools:
            continue
        ours = results.get((ours_tool, "realistic"))
        if ours is None or "failed" in ours:
            why = skipped.get(ours_tool) or (ours or {}).get("failed", "not run")
            out.append(f"{ours_tool}: NOT MEASURED ({why})")
            out.append(pebble_line(ours_tool, results, skipped, verdict))
            continue
        stub = " (STUB, not ours: self-test only)" if ours.get("stub") else ""
        if line == "ops2" and PEERS[line] in tools:
            r = ratio(med(results.get((PEERS[line], "realistic"))), med(ours))
            rc = ratio(med(results.get((PEERS[line], "realistic")), "cpu"), med(ours, "cpu"))
            out.append(f"{ours_tool}{stub}: >= {TARGETS['vs_31']:g}x faster than ops-scenario 3.1 on the "
                       f"realistic scenario (first {ours['all']['n']} timed runs, medians): "
                       f"{both(r, rc, lambda x: x >= TARGETS['vs_31'], 1)}")
        if line == "ops3" and PEERS[line] in tools:
            r = ratio(med(results.get((PEERS[line], "realistic"))), med(ours))
            rc = ratio(med(results.get((PEERS[line], "realistic")), "cpu"), med(ours, "cpu"))
            out.append(f"{ours_tool}{stub}: >= {TARGETS['vs_latest']:g}x faster than ops[testing] 3.9 on the "
                       f"realistic scenario (first {ours['all']['n']} timed runs, medians): "
                       f"{both(r, rc, lambda x: x >= TARGETS['vs_latest'], 1)}")
        line_rounds = (rounds or {}).get(line)
        paired = f"median of {len(line_rounds)} paired rounds" if line_rounds else ""
        if line_rounds:
            r, rc = median_of(line_rounds, "ratio"), median_of(line_rounds, "ratio_cpu")
            out.append(f"{ours_tool}{stub}: within {TARGETS['vs_floor']:g}x of the ops floor {FLOORS[line]} "
                       f"({paired}): {both(r, rc, lambda x: x <= TARGETS['vs_floor'])}")
        elif FLOORS[line] in tools:
            fr = results.get((FLOORS[line], "realistic"))
            r = ratio(med(ours), med(fr))
            rc = ratio(med(ours, "cpu"), med(fr, "cpu"))
            out.append(f"{ours_tool}{stub}: within {TARGETS['vs_floor']:g}x of the ops floor {FLOORS[line]} "
                       f"(medians): {both(r, rc, lambda x: x <= TARGETS['vs_floor'])}")
        soak = results.get((ours_tool, "soak"))
        if soak and "failed" not in soak:
            r = ratio(med(soak, "last"), med(soak, "first"))
            rc = ratio(med(soak, "cpu_last"), med(soak, "cpu_first"))
            growth = (soak["rss_after_kib"] - soak["rss_before_kib"]) / 1024
            n = soak.get("window", 0)
            drift, rss = TARGETS["soak_drift"], TARGETS["soak_rss_mb"]
            out.append(f"{ours_tool}{stub}: soak of {soak['all']['n']}: last {n} runs within "
                       f"{(drift - 1) * 100:.0f}% of the first {n} (median last ÷ first): "
                       f"{both(r, rc, lambda x: x <= drift)}; "
                       f"RSS growth < {rss:g} MB: {growth:.1f} MB {verdict(growth < rss)}")
        else:
            out.append(f"{ours_tool}: soak NOT MEASURED")
        if line_rounds:
            how = f"{paired} of median pebble − median pebble-free"
            d, dc = median_of(line_rounds, "ours_cost"), median_of(line_rounds, "ours_cost_cpu")
            out.append(pebble_target_line(ours_tool + stub, d, dc, how, verdict))
            out.extend(pebble_floor_lines(
                ours_tool + stub, FLOORS[line], median_of(line_rounds, "floor_cost"),
                median_of(line_rounds, "floor_cost_cpu"), d, dc, how))
        else:
            how = "median pebble − median pebble-free"
            out.append(pebble_line(ours_tool, results, skipped, verdict))
            out.extend(pebble_floor_lines(
                ours_tool + stub, FLOORS[line], pebble_cost(results, FLOORS[line]),
                pebble_cost(results, FLOORS[line], "cpu"), pebble_cost(results, ours_tool),
                pebble_cost(results, ours_tool, "cpu"), how))
        startup = results.get((ours_tool, STARTUP_WORKER))
        if startup and "failed" not in startup:
            without, with_ = (med(startup["pair"][name]) for name in STARTUP_PAIR)
            added = with_ - without
            out.append(f"{ours_tool}{stub}: the pytest entry point adds {added:.1f} ms to pytest's "
                       f"start (median with − median without): target < {TARGETS['startup_ms']:g} ms: "
                       f"{verdict(added < TARGETS['startup_ms'])}")
        elif not ours.get("stub"):
            out.append(f"{ours_tool}: pytest start-up NOT MEASURED")
    for peer in PEERS.values():
        if peer in tools:
            d, dc = pebble_cost(results, peer), pebble_cost(results, peer, "cpu")
            if d is not None and dc is not None:
                out.append(f"{peer}: Pebble cost for comparison (no target; median pebble − median "
                           f"pebble-free): wall {d:.2f} ms, CPU {dc:.2f} ms")
    return out


def pebble_line(tool, results, skipped, verdict):
    pair = [results.get((tool, s)) for s in PEBBLE_PAIR]
    if any(r is None or "failed" in r for r in pair):
        why = skipped.get(tool) or next(
            (r["failed"] for r in pair if r and "failed" in r), "not run")
        return f"{tool}: Pebble target NOT MEASURED ({why})"
    stub = " (STUB, not ours: self-test only)" if pair[0].get("stub") else ""
    d, dc = pebble_cost(results, tool), pebble_cost(results, tool, "cpu")
    return pebble_target_line(tool + stub, d, dc, "median pebble − median pebble-free", verdict)


def pebble_target_line(tool, d, dc, how, verdict):
    return (f"{tool}: Pebble: a run with a container doing can_connect+add_layer+push+replan "
            f"costs wall {fmt(d)} ms, CPU {fmt(dc)} ms more than the same charm without "
            f"({how}): target < {TARGETS['pebble_ms']:g} ms: "
            f"wall {verdict(d is not None and d < TARGETS['pebble_ms'])}, "
            f"CPU {verdict(dc is not None and dc < TARGETS['pebble_ms'])}")


ROUND_SCENARIOS = ("realistic", PEBBLE_PAIR_WORKER)


def paired_rounds(args, active, results_dir):
    """Per ops version, ``args.rounds`` rounds; in each, ours and the floor run the realistic
    scenario and the pebble pair back to back, one short process each. The VM this bench runs on
    speeds up and slows down by up to 30% within minutes, which can flip a ratio of two processes
    minutes apart; figures taken from processes seconds apart, and their median over rounds, are
    what the floor and Pebble targets are judged on. Returns {line: [round summary, ...]}."""
    rounds = {}
    for line in ("ops2", "ops3"):
        ours, floor = OURS[line], FLOORS[line]
        if ours not in active or floor not in active or args.rounds <= 0:
            continue
        for r in range(1, args.rounds + 1):
            res = {}
            for scenario in ROUND_SCENARIOS:
                for tool in (ours, floor):
                    if scenario == PEBBLE_PAIR_WORKER:
                        res.update(run_pebble_pair(args, tool, args.round_runs, results_dir,
                                                   tag=f"-round{r}"))
                    else:
                        res[(tool, scenario)] = run_worker(
                            args, tool, scenario, args.round_runs, results_dir, tag=f"-round{r}")
            rounds.setdefault(line, []).append(round_summary(res, ours, floor))
    return rounds


def round_summary(res, ours, floor):
    """One round's figures (None where a process failed)."""
    def real(tool, key):
        return med(res.get((tool, "realistic")), key)

    summary = {}
    for key, suffix in (("all", ""), ("cpu", "_cpu")):
        summary["ratio" + suffix] = ratio(real(ours, key), real(floor, key))
        summary["ours_cost" + suffix] = pebble_cost(res, ours, key)
        summary["floor_cost" + suffix] = pebble_cost(res, floor, key)
        if summary["ours_cost" + suffix] is not None and summary["floor_cost" + suffix] is not None:
            summary["above" + suffix] = summary["ours_cost" + suffix] - summary["floor_cost" + suffix]
        else:
            summary["above" + suffix] = None
    return summary


def light_rounds_of(args, active, results_dir, results):
    """Per ops version, ``args.rounds`` rounds in which ours, the ops.main floor, the floor and
    (when measured) the peer on that ops version run each of LIGHT_SCENARIOS back to back; each
    process's result also goes into ``results`` (so a failure fails the bench). Returns
    {line: [light summary, ...]}."""
    rounds = {}
    for line in ("ops2", "ops3"):
        tools = (OURS[line], MAIN_FLOORS[line], FLOORS[line])
        if any(t not in active for t in tools) or args.rounds <= 0:
            continue
        peer = PEERS[line] if PEERS[line] in active else None
        for r in range(1, args.rounds + 1):
            res = {(tool, scenario): run_worker(args, tool, scenario, args.round_runs, results_dir,
                                                tag=f"-light{r}")
                   for scenario in LIGHT_SCENARIOS for tool in tools + ((peer,) if peer else ())}
            results.update({(tool, f"{scenario}-light{r}"): result for (tool, scenario), result in res.items()})
            rounds.setdefault(line, []).append(light_summary(res, *tools, peer))
    return rounds


def light_summary(res, ours, main_floor, floor, peer=None):
    """One light round's medians and ratios, per scenario, wall and CPU (None where a process
    failed or did not run)."""
    summary = {}
    for scenario in LIGHT_SCENARIOS:
        for key, suffix in (("all", ""), ("cpu", "_cpu")):
            o, m, f, p = (med(res.get((tool, scenario)), key) for tool in (ours, main_floor, floor, peer))
            summary[f"{scenario}_ours{suffix}"] = o
            summary[f"{scenario}_main_floor{suffix}"] = m
            summary[f"{scenario}_floor{suffix}"] = f
            summary[f"{scenario}_peer{suffix}"] = p
            summary[f"{scenario}_vs_main_floor{suffix}"] = ratio(o, m)
            summary[f"{scenario}_vs_floor{suffix}"] = ratio(o, f)
            summary[f"{scenario}_peer_vs_ours{suffix}"] = ratio(p, o)
    return summary


def light_target_lines(light_rounds):
    out = []
    for line, summaries in (light_rounds or {}).items():
        r, rc = (median_of(summaries, f"light_vs_main_floor{s}") for s in ("", "_cpu"))
        target = TARGETS["vs_main_floor"]

        def verdict(x, ok):
            return "**PASS**" if x is not None and ok(x) else "**FAIL**"

        def at_most(x):
            return x <= target

        out.append(f"{OURS[line]}: at or below the ops.main floor {MAIN_FLOORS[line]} on the light charm "
                   f"(ours ÷ ops.main floor <= {target:g}, median of {len(summaries)} paired rounds): "
                   f"wall {fmt(r, 2, 'x')} {verdict(r, at_most)}, CPU {fmt(rc, 2, 'x')} {verdict(rc, at_most)}")
        if line != "ops3":
            continue
        for scenario in LIGHT_SCENARIOS:
            p, pc = (median_of(summaries, f"{scenario}_peer_vs_ours{s}") for s in ("", "_cpu"))
            if p is None and pc is None:
                continue
            fast = TARGETS["vs_latest"]
            out.append(f"{OURS[line]}: >= {fast:g}x faster than ops[testing] 3.9 ({PEERS[line]}) on the "
                       f"{scenario} charm (median of {len(summaries)} paired rounds of {PEERS[line]} ÷ ours): "
                       f"wall {fmt(p, 2, 'x')} {verdict(p, lambda x: x >= fast)}, "
                       f"CPU {fmt(pc, 2, 'x')} {verdict(pc, lambda x: x >= fast)}")
    return out


def median_of(summaries, key):
    """The median of one figure over rounds (rounds where it is missing are left out)."""
    values = [s[key] for s in summaries if s.get(key) is not None]
    return statistics.median(values) if values else None


def pebble_floor_lines(ours_tool, floor_tool, d, dc, ours, ours_c, how):
    """How much of ours' container cost is ops' own work (the floor's), and how much is ours."""
    if d is None or dc is None:
        return []
    lines = [f"{floor_tool}: ops' own share of a container (no target; the floor's {how}: ops' "
             f"model, its Pebble client down to the socket, no transport and no Pebble): "
             f"wall {d:.2f} ms, CPU {dc:.2f} ms"]
    if ours is not None and ours_c is not None:
        lines.append(f"{ours_tool}: ours above ops' own share (no target; the socket, the C++ Pebble, "
                     f"the container through the State): wall {ours - d:.2f} ms, CPU {ours_c - dc:.2f} ms")
    return lines


def main():
    args = parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        raise SystemExit(f"unknown tools {unknown}; known: {', '.join(TOOLS)}")
    skipped = {}
    if args.ours_unavailable:
        for t in OURS.values():
            if t in tools:
                skipped[t] = f"not measured: {args.ours_unavailable}"
    if args.stub_ours:
        # The stub runs ops-scenario 3.1 (ops 2.4.1) under the ours label; there is no ops 3 stub.
        if "ours-ops3" in tools:
            skipped["ours-ops3"] = "not measured in the self-test"
    for t in tools:
        if t not in skipped and not (Path(args.venvs) / TOOLS[t][0] / "bin" / "python").exists():
            if not (args.stub_ours and t == "ours-ops2"):
                skipped[t] = f"not measured: venv {TOOLS[t][0]} missing (run bench/run.sh)"
    active = [t for t in tools if t not in skipped]
    main_floors = [t for t in active if t in MAIN_FLOORS.values()]  # light rounds only
    active = [t for t in active if t not in main_floors]

    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    results_dir = Path(args.venvs) / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    for old in results_dir.glob("*"):
        old.unlink()
    mach_before = machine()
    print(f"bench: {', '.join(active)}; load average {' '.join(mach_before['loadavg'])}")
    if skipped:
        for t, why in skipped.items():
            print(f"  {t}: {why}")
    results = {}
    for scenario in PROCESSES:
        runs = args.deferral_runs if scenario == "deferral" else args.runs
        for tool in active:
            if tool in FLOORS.values() and scenario not in FLOOR_SCENARIOS:
                continue
            results[(tool, scenario)] = run_worker(args, tool, scenario, runs, results_dir)
    for tool in active:
        results.update(run_pebble_pair(args, tool, args.pebble_runs, results_dir))
    for tool in active:
        if tool in OURS.values() and not args.stub_ours:
            results[(tool, OOP_WORKER)] = run_worker(args, tool, OOP_WORKER, args.oop_runs, results_dir,
                                                     script=OOP_SCRIPT)
            results[(tool, STARTUP_WORKER)] = run_worker(args, tool, STARTUP_WORKER, args.startup_runs,
                                                         results_dir, script=STARTUP_SCRIPT)
    for tool in active:
        if tool in SUITE_TOOLS:
            results[(tool, SUITE_WORKER)] = run_worker(
                args, tool, SUITE_WORKER, args.suite_runs, results_dir, script=SUITE_SCRIPT,
                warmup=args.suite_warmup, env_extra={"BENCH_SUITE_TESTS": str(args.suite_tests)})
    for tool in active:
        n = args.peer_soak if tool in PEERS.values() else args.soak
        soak = run_worker(args, tool, "soak", n, results_dir)
        results[(tool, "soak")] = soak
        results[(tool, "realistic")] = first_window(soak)
    rounds = paired_rounds(args, active, results_dir)
    light_rounds = light_rounds_of(args, active + main_floors, results_dir, results)
    mach_after = machine()

    report = build_report(args, tools, results, rounds, light_rounds, mach_before, mach_after, skipped,
                          started)
    print()
    print(report)
    stubbed = any(r.get("stub") for r in results.values() if isinstance(r, dict))
    target = Path(args.write)
    if stubbed:
        target = results_dir / "SELFTEST-RESULTS.md"
        print(f"\nSELF-TEST with a stub in place of ours: NOT writing {args.write}; wrote {target}")
    target.write_text(report + "\n")
    print(f"\nwrote {target}")
    failed = [k for k, r in results.items() if "failed" in r]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
