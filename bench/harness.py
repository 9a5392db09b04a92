"""Times commands side by side: each round runs every tool of a workload once, in turn
(alternating, so a noisy neighbour hurts all tools alike), and reports medians.

usage: harness.py plan WORKLOAD ROUNDS UNITS UNIT TOOLS.txt > PLAN.json
       harness.py run PLAN.json ROWS.jsonl    (appends one JSON row per tool)
       harness.py table ROWS.jsonl GOALS.json  (prints the markdown table and the goals)

A plan is {"workload": ..., "rounds": R, "units": U, "unit": "rt|B|enc|-", "tools": [
{"tool": ..., "cmd": [argv...], "ref": true?, "rss": true?}]}. Wall time is measured around the
whole process; peak memory is GNU time's %M (the largest single process waited for).
"""
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def run_plan(plan_path, rows_path):
    plan = json.load(open(plan_path))
    tools = plan["tools"]
    times = {t["tool"]: [] for t in tools}
    rss = {t["tool"]: [] for t in tools}
    failed = {}
    rounds = plan["rounds"]
    fd, rssfile = tempfile.mkstemp(prefix="bench-rss.")
    os.close(fd)
    for r in range(rounds + plan.get("warmup", 1)):
        warm = r < plan.get("warmup", 1)
        for t in tools:
            if t["tool"] in failed:
                continue
            cmd = ["/usr/bin/time", "-f", "%M", "-o", rssfile] + t["cmd"]
            t0 = time.perf_counter()
            p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               timeout=plan.get("timeout", 600))
            dt = time.perf_counter() - t0
            if p.returncode != 0:
                tail = p.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
                failed[t["tool"]] = "rc %d: %s" % (p.returncode, " / ".join(tail)[:200])
                print("  FAILED %s: %s" % (t["tool"], failed[t["tool"]]), file=sys.stderr)
                continue
            if warm:
                continue
            times[t["tool"]].append(dt)
            try:
                rss[t["tool"]].append(int(open(rssfile).read().split()[-1]))
            except (ValueError, IndexError):
                pass
        if not warm:
            print("  round %d/%d: %s" % (r + 1 - plan.get("warmup", 1), rounds, "  ".join(
                "%s %.3f" % (k, v[-1]) for k, v in times.items() if v)), file=sys.stderr)
    os.unlink(rssfile)
    with open(rows_path, "a") as out:
        for t in tools:
            name = t["tool"]
            row = {"workload": plan["workload"], "tool": name, "ref": t.get("ref", False),
                   "units": plan["units"], "unit": plan["unit"], "key": t.get("key")}
            if name in failed:
                row["failed"] = failed[name]
            else:
                ts = times[name]
                row.update(runs=len(ts), median=statistics.median(ts), min=min(ts), max=max(ts),
                           rss_kib=statistics.median(rss[name]) if rss[name] else None)
            out.write(json.dumps(row) + "\n")


def rate(row):
    u, unit, med = row["units"], row["unit"], row["median"]
    if unit == "rt":
        return "{:,.0f} rt/s".format(u / med)
    if unit == "B":
        return "{:,.1f} MB/s".format(u / med / 1e6)
    if unit == "enc":
        return "{:,.1f} enc/s".format(u / med)
    return "-"


def table(rows_path, goals_path):
    rows = [json.loads(l) for l in open(rows_path) if l.strip()]
    refs = {}
    for r in rows:
        if r.get("ref") and "median" in r:
            refs.setdefault(r["workload"], r)
    print("| workload | tool | runs | median s | min s | max s | rate | x ref | peak RSS MiB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if "failed" in r:
            print("| %s | %s | - | FAILED | | | %s | | |" % (r["workload"], r["tool"],
                                                          r["failed"].replace("|", "/")))
            continue
        ref = refs.get(r["workload"])
        ratio = "ref" if ref is r else ("%.2f" % (r["median"] / ref["median"]) if ref else "-")
        mib = "%.1f" % (r["rss_kib"] / 1024) if r.get("rss_kib") else "-"
        print("| %s | %s | %d | %.3f | %.3f | %.3f | %s | %s | %s |" % (
            r["workload"], r["tool"], r["runs"], r["median"], r["min"], r["max"], rate(r), ratio,
            mib))
    if not goals_path or not os.path.exists(goals_path):
        return
    by_key = {r["key"]: r for r in rows if r.get("key") and "median" in r}
    print()
    print("| goal | measured (same run) | met |")
    print("|---|---|---|")
    for g in json.load(open(goals_path)):
        a = by_key.get(g["a"])
        b = by_key.get(g.get("b")) if g.get("b") else None
        if a is None or (g.get("b") and b is None):
            print("| %s | not measured | - |" % g["goal"])
            continue
        field = g.get("field", "median")
        if b is None:
            value = a[field]
            text = "%.3f s" % value
        else:
            value = a[field] / b[field]
            text = "%.2fx (%s %s / %s %s)" % (
                value, fmt(a, field), a["tool"], fmt(b, field), b["tool"])
        met = "yes" if value <= g["max"] else "no"
        print("| %s | %s | %s |" % (g["goal"], text, met))


def fmt(row, field):
    if field == "rss_kib":
        return "%.1f MiB" % (row[field] / 1024)
    return "%.3f s" % row[field]


def make_plan(wl, rounds, units, unit, tools_path):
    """Tool lines "key|tool|flags|command line" (flags: ref, rss) into a plan."""
    tools = []
    for line in open(tools_path):
        if not line.strip():
            continue
        key, tool, flags, cmd = line.rstrip("\n").split("|", 3)
        tools.append({"key": key or None, "tool": tool, "ref": "ref" in flags.split(","),
                      "cmd": shlex.split(cmd)})
    print(json.dumps({"workload": wl, "rounds": int(rounds), "units": float(units),
                      "unit": unit, "tools": tools}))


if __name__ == "__main__":
    if sys.argv[1] == "plan":
        make_plan(*sys.argv[2:7])
    elif sys.argv[1] == "run":
        run_plan(sys.argv[2], sys.argv[3])
    else:
        table(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
