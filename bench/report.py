#!/usr/bin/python3
"""Turns the raw results of bench/run.sh (JSON files in bench/.out/results) into the Markdown report.

Usage: report.py --results DIR --out FILE [--alloc FILE]
Prints the report and writes it to FILE. Standard library only.
"""

import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone

NA = "n/a"


def load(results, name):
    path = os.path.join(results, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            return {"unavailable": f"unreadable result file: {e}"}


def ok(run):
    return run is not None and "unavailable" not in run and run.get("ok", 0) > 0


def why(run, what="not run"):
    if run is None:
        return what
    return run.get("unavailable", "no successful responses")


def num(value, digits=0):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def lat(run, key):
    if not ok(run):
        return NA
    v = run.get("latency_ms", {}).get(key)
    return NA if v is None else f"{v:.3f}"


def server(run, key, digits=0):
    if not ok(run) or "server" not in run:
        return NA
    return num(run["server"].get(key), digits)


def client(run, key, digits=0):
    if not ok(run) or "client" not in run:
        return NA
    return num(run["client"].get(key), digits)


def steal(run):
    """The hypervisor's steal over the window, in % of the machine's CPU time."""
    if not ok(run) or run.get("machine_steal_pct") is None:
        return NA
    return f"{run['machine_steal_pct']:.1f}"


def problems(run):
    """Errors and unexpected statuses, so that a bad run is visible next to its figures."""
    if run is None:
        return "not run"
    if "unavailable" in run:
        return run["unavailable"][:120]
    notes = []
    bad = {k: v for k, v in run.get("status", {}).items() if k != "200"}
    if bad:
        notes.append("status " + ", ".join(f"{k}×{v}" for k, v in bad.items()))
    if run.get("errors"):
        notes.append(f"{run['errors']} errors ({run.get('first_error', '')[:60]})")
    if run.get("late_sends"):
        notes.append(f"{run['late_sends']} sent > 1 ms after their due time (max {run.get('max_send_lag_ms', 0):.1f} ms)")
    if run.get("unsent"):
        notes.append(f"{run['unsent']} never sent (overloaded)")
    return "; ".join(notes) if notes else "none"


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "unknown"
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = f"{int(line.split()[1]) / 1048576:.1f} GiB"
                    break
    except OSError:
        pass
    return os.cpu_count(), cpu, mem


def git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def parse_wrk(path):
    if not os.path.exists(path):
        return None
    text = open(path, encoding="utf-8").read()
    out = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        out["rps"] = float(m.group(1))
    for p in ("50", "90", "99"):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if m:
            scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
            out[f"p{p}"] = float(m.group(1)) * scale
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:.*", text)
    out["socket_errors"] = m.group(0) if m else ""
    return out


def batch_stats(run):
    """Batch sizes formed in the measured window, from the stats endpoint's before/after snapshots."""
    if not ok(run):
        return NA, NA
    if "stats_before" not in run:
        return NA, f"{NA} ({run.get('stats_error', 'no stats endpoint')})"

    def sizes(doc):
        counts = {}
        for model in doc.get("model_stats", []):
            for b in model.get("batch_stats", []):
                size = int(b.get("batch_size", 0))
                counts[size] = counts.get(size, 0) + int(b.get("compute_infer", {}).get("count", 0))
        return counts

    before, after = sizes(run["stats_before"]), sizes(run["stats_after"])
    delta = {s: after.get(s, 0) - before.get(s, 0) for s in after}
    delta = {s: n for s, n in delta.items() if n > 0}
    runs = sum(delta.values())
    rows = sum(s * n for s, n in delta.items())
    if runs == 0:
        return NA, "none recorded"
    top = sorted(delta.items(), key=lambda kv: -kv[1])[:6]
    shown = ", ".join(f"{s}×{n}" for s, n in sorted(top))
    if len(delta) > len(top):
        shown += f", +{len(delta) - len(top)} other sizes"
    return f"{rows / runs:.1f}", shown


def read_alloc(path):
    """The allocation harness's table: rows of 'path  bytes/request  LOH events'; None if there is no file.

    A file with a single figure (or a line of text) is taken as one row."""
    if not path or not os.path.exists(path):
        return None
    rows = []
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip() for line in f if line.strip()]
    for line in lines:
        m = re.fullmatch(r"\s*(\S.*?)\s{2,}(\d+)\s+(\d+)\s*", line)
        if m:
            rows.append((m.group(1), int(m.group(2)), int(m.group(3))))
    if not rows and lines:
        first = lines[0].strip()
        rows.append(("JSON → tensor → JSON", int(float(first)), None) if re.fullmatch(r"[\d.]+", first) else (first, None, None))
    return rows


class Targets:
    def __init__(self):
        self.rows = []

    def add(self, what, measured, target, met, note=""):
        status = ("info" if target == "—" else NA) if met is None else ("met" if met else "**not met**")
        self.rows.append((what, measured, target, status, note))


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def cpu_budget(run, best_inproc, ncpu):
    """Where a batching run's CPU went per row, next to what ONNX Runtime alone needs at the in-process best."""
    if not ok(run) or not best_inproc or "server" not in run or "client" not in run or not run.get("rps"):
        return ""
    ort = ncpu * 1000 / best_inproc  # ms of CPU per row when the in-process run keeps every core busy
    srv = run["server"].get("cpu_ms_per_request")
    cli = run["client"]["cpu_pct"] * 10 / run["rps"]
    if srv is None:
        return ""
    return (f"; CPU per row: server {srv:.3f} ms, client {cli:.3f} ms, vs ONNX Runtime's {ort:.3f} ms in process;"
            f" with the client's CPU alone the ratio could be at most {ort / (ort + cli):.2f},"
            f" and 0.8 needs the server's own cost per row (HTTP, parsing, batching) under {max(ort / 0.8 - ort - cli, 0):.3f} ms"
            f" (now {max(srv - ort, 0):.3f} ms)")


def no_http(doc):
    if not doc:
        return "—"
    if "rows_per_s" not in doc:
        return NA
    return f"{num(doc['rows_per_s'])} ({doc['cpu_ms_per_row']:.3f})"


def rps(run):
    return run["rps"] if ok(run) else None


def p99(run):
    return run["latency_ms"].get("p99") if ok(run) else None


def cpu_ms(run):
    return run["server"].get("cpu_ms_per_request") if ok(run) and "server" in run else None


def pair_target(t, title, base, other, names, target, threshold):
    """A cost on the seed request: other ÷ base req/s (names: base, other), with both servers' CPU per request."""
    bn, on = names
    r = ratio(rps(other), rps(base))
    cb, co = cpu_ms(base), cpu_ms(other)
    cpu = (f"server CPU per request in these rounds: {on} {co:.4f} ms vs {bn} {cb:.4f} ms ({(co / cb - 1) * 100:+.1f}%)"
           if cb and co is not None else "CPU per request: n/a")
    # CPU per request moves less than req/s with what else the machine runs: its mean over the rounds says more.
    all_b, all_o = ((run or {}).get("rounds_cpu_ms") or [] for run in (base, other))
    if len(all_b) > 1 and None not in all_b + all_o and all_o:
        mb, mo = sum(all_b) / len(all_b), sum(all_o) / len(all_o)
        cpu += f"; mean of the rounds: {on} {mo:.4f} ms vs {bn} {mb:.4f} ms ({(mo / mb - 1) * 100:+.1f}%)"
    rounds_b, rounds_o = (base or {}).get("rounds_rps"), (other or {}).get("rounds_rps")
    paired = [o / b for b, o in zip(rounds_b, rounds_o)] if rounds_b and rounds_o and len(rounds_b) == len(rounds_o) > 1 else []
    per_round = (f"; per-round ratios {', '.join(f'{x:.3f}' for x in paired)} (median {median(paired):.3f})" if paired else "")
    t.add(title, NA if r is None else f"{r:.3f} ({num(rps(other))} vs {num(rps(base))})", target, None if r is None else r >= threshold,
          (cpu + per_round) if r is not None else why(other if ok(base) else base))


def auth_target(t, anon, keyed):
    pair_target(t, "Authentication cost: seed /predict req/s at 64 connections, keyed ÷ anonymous loopback",
                anon, keyed, ("anonymous", "keyed"), "≥ 0.95", 0.95)


def metrics_target(t, off, on):
    pair_target(t, "Metrics cost: seed /predict req/s at 64 connections, metrics on ÷ off (same run, under load)",
                off, on, ("off", "on"), "≥ 0.97", 0.97)


def write_pair(w, heading, intro, rows):
    w(heading)
    w("")
    if all(run is None for _, run in rows):
        w(f"{NA} (not run).")
        w("")
        return
    w(intro)
    w("")
    w("| server | load | req/s | p50 | p90 | p99 | server CPU % | CPU ms/req | RSS MB | client CPU % | steal % | problems |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for desc, run in rows:
        rounds = run.get("rounds_rps") if run else None
        load_desc = "closed, 64 conns" + (f"; median of {len(rounds)} rounds ({', '.join(num(x) for x in rounds)})"
                                          if rounds and len(rounds) > 1 else "")
        w(f"| {desc} | {load_desc} | {num(rps(run)) if ok(run) else NA} | {lat(run, 'p50')} | {lat(run, 'p90')} | {lat(run, 'p99')}"
          f" | {server(run, 'cpu_pct')} | {server(run, 'cpu_ms_per_request', 4)} | {server(run, 'rss_mb_peak')}"
          f" | {client(run, 'cpu_pct')} | {steal(run)} | {problems(run)} |")
    w("")


def write_auth(w, anon, keyed):
    write_pair(w, "## Authentication: the seed request with an API key vs anonymous loopback",
               "Two Modelhost servers on the demo repository with the same settings file (jobs off), one holding an `infer` key"
               " that every request sends as `X-Api-Token`, the other without keys (anonymous loopback). Closed loop, 64 connections.",
               (("anonymous loopback (no keys)", anon), ("`X-Api-Token` key, role infer", keyed)))


def write_metrics(w, off, on):
    write_pair(w, "## Metrics: the seed request with metrics on vs off",
               "Two Modelhost servers on the demo repository, jobs off, one with `metrics: {enabled: false}`; measured in the"
               " same run in alternating rounds, under load (the load generator shares the machine). Closed loop, 64 connections.",
               (("metrics off", off), ("metrics on (default)", on)))


LEARNER_MODELS = (("random_forest", "random forest, 300 trees"), ("logistic_regression", "logistic regression"))
LEARNER_DATASETS = ("iris", "wine")


def learner_results(doc):
    """{(dataset, model, threads): result} from a learners JSON file, or {} if it is missing or failed."""
    if not doc or "unavailable" in doc:
        return {}
    return {(r["dataset"], r["model"], r["threads"]): r for r in doc.get("results", [])}


def learner_targets(t, ours_doc, sk_doc):
    """Adds the accuracy and training-time rows to the targets table; returns both sides' results."""
    ours, sk = learner_results(ours_doc), learner_results(sk_doc)
    missing = why(ours_doc if not ours else sk_doc, "not run") if not (ours and sk) else ""
    for model, desc in LEARNER_MODELS:
        threads = 2 if model == "random_forest" else 1
        for ds in LEARNER_DATASETS:
            a, b = ours.get((ds, model, threads)), sk.get((ds, model, threads))
            if a and b:
                diff = (a["accuracy"] - b["accuracy"]) * 100
                t.add(f"Test accuracy on {ds}, {desc}: Modelhost vs scikit-learn",
                      f"{a['accuracy'] * 100:.2f}% vs {b['accuracy'] * 100:.2f}% ({diff:+.2f} pt)", "within 1 point",
                      abs(diff) <= 1 + 1e-9, f"{a['test_rows']} test rows, the same on both sides" if ours_doc.get("split") == "sklearn"
                      else "different test rows (Modelhost's own split)")
            else:
                t.add(f"Test accuracy on {ds}, {desc}: Modelhost vs scikit-learn", NA, "within 1 point", None, missing)
    for model, desc in LEARNER_MODELS:
        threads = 2 if model == "random_forest" else 1
        peer = "scikit-learn n_jobs=2" if model == "random_forest" else "scikit-learn (lbfgs)"
        for ds in LEARNER_DATASETS:
            a, b = ours.get((ds, model, threads)), sk.get((ds, model, threads))
            r = ratio(a["wall_ms_median"], b["wall_ms_median"]) if a and b else None
            t.add(f"Training time on {ds}, {desc}, Modelhost{' (2 threads)' if threads == 2 else ''} ÷ {peer}, median wall",
                  NA if r is None else f"{r:.3f} ({a['wall_ms_median']:.1f} ms vs {b['wall_ms_median']:.1f} ms)", "≤ 1",
                  None if r is None else r <= 1,
                  missing if r is None else f"CPU {a['cpu_ms_median']:.1f} ms vs {b['cpu_ms_median']:.1f} ms"
                  + (" (wall well above CPU: the machine was busy)" if a["wall_ms_median"] > 1.5 * max(a["cpu_ms_median"], 0.001)
                     and a["wall_ms_median"] > a["cpu_ms_median"] + 2 else ""))
    return ours, sk


def write_learners(w, ours_doc, sk_doc, rows, meta):
    ours, sk = rows
    w("## Built-in learners vs scikit-learn: iris and wine, stratified 30% test split (random_state 1234)")
    w("")
    if not ours and not sk:
        w(f"{NA} ({why(ours_doc)}; scikit-learn: {why(sk_doc)}).")
        w("")
        return
    for doc in (ours_doc, sk_doc):
        if doc and "implementation" in doc:
            w(f"- {doc['implementation']}: {doc.get('repetitions', '?')} measured trainings per row after warm-up;"
              f" split: {'scikit-learn' if doc.get('split') == 'sklearn' else 'Modelhost'}'s test rows")
        elif doc:
            w(f"- {doc.get('name', '?')}: {NA} ({why(doc)})")
    w("- wall and CPU are medians in milliseconds; CPU is the whole process's over all its threads (100% of a core = wall)")
    w("")
    w("| dataset | learner | threads / n_jobs | implementation | train / test rows | accuracy | macro-F1 | wall ms | CPU ms | wall ÷ scikit-learn's |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for ds in LEARNER_DATASETS:
        for model, desc in LEARNER_MODELS:
            for threads in ((1, 2) if model == "random_forest" else (1,)):
                b = sk.get((ds, model, threads))
                for name, side in (("Modelhost", ours), ("scikit-learn", sk)):
                    r = side.get((ds, model, threads))
                    if not r:
                        w(f"| {ds} | {desc} | {threads} | {name} | {NA} | {NA} | {NA} | {NA} | {NA} | {NA} |")
                        continue
                    rel = ratio(r["wall_ms_median"], b["wall_ms_median"]) if b else None
                    w(f"| {ds} | {desc} | {threads} | {name} | {r['train_rows']} / {r['test_rows']} | {r['accuracy'] * 100:.2f}%"
                      f" | {r['macro_f1']:.4f} | {r['wall_ms_median']:.1f} | {r['cpu_ms_median']:.1f}"
                      f" | {NA if rel is None else f'{rel:.3f}'} |")
    w("")


def forecast_pairs(ours_doc, r_doc):
    """[(ours, R's)] per series both sides scored, in the Modelhost file's order; [] if either side is missing or failed."""
    if not ours_doc or not r_doc or "unavailable" in ours_doc or "unavailable" in r_doc:
        return []
    theirs = {s["key"]: s for s in r_doc.get("series", [])}
    return [(s, theirs[s["key"]]) for s in ours_doc.get("series", []) if s["key"] in theirs]


def forecast_targets(t, ours_doc, r_doc):
    """Adds the forecast scenario's rows (MASE vs forecast::ets, fit time, the baselines) to the targets table."""
    pairs = forecast_pairs(ours_doc, r_doc)
    missing = why(ours_doc if not ours_doc or "unavailable" in ours_doc else r_doc)
    n = len(pairs)
    label = f"{n} classic series" if pairs else "the classic series"
    if not pairs:
        t.add(f"Mean MASE over {label}, Modelhost ETS ÷ R forecast::ets", NA, "≤ 1", None, missing)
        t.add(f"Total ETS fit time over {label}, Modelhost ÷ R forecast::ets", NA, "≤ 0.2", None, missing)
        t.add("Mean MASE, naive forecast (last value)", NA, "—", None, missing)
        t.add("Mean MASE, seasonal naive forecast (same season a year before)", NA, "—", None, missing)
        return pairs
    ours = sum(a["mase"] for a, _ in pairs) / n
    theirs = sum(b["mase"] for _, b in pairs) / n
    better = sum(1 for a, b in pairs if a["mase"] < b["mase"] * (1 - 1e-3))
    worse = sum(1 for a, b in pairs if a["mase"] > b["mase"] * (1 + 1e-3))
    r = ratio(ours, theirs)
    # A mean of MASEs is easily carried by one series; say what it is without the one where the two sides differ most.
    far = max(pairs, key=lambda p: abs(p[0]["mase"] - p[1]["mase"]))
    rest = [p for p in pairs if p is not far]
    without = (f"; without {far[0]['key']} (the largest difference, {far[0]['mase']:.3f} vs {far[1]['mase']:.3f}):"
               f" {sum(a['mase'] for a, _ in rest) / len(rest):.4f} vs {sum(b['mase'] for _, b in rest) / len(rest):.4f}") if rest else ""
    t.add(f"Mean MASE over {label}, Modelhost ETS ÷ R forecast::ets", f"{r:.3f} ({ours:.4f} vs {theirs:.4f})", "≤ 1", r <= 1,
          f"held out: 18 monthly, 8 quarterly, 6 yearly points; Modelhost lower on {better} series, higher on {worse}"
          f" (±0.1% counts as equal){without}")
    same = n == ours_doc.get("series_count") == r_doc.get("series_count")
    ow, rw = ours_doc.get("total_fit_wall_ms_median"), r_doc.get("total_fit_wall_ms_median")
    oc, rc = ours_doc.get("total_fit_cpu_ms_median"), r_doc.get("total_fit_cpu_ms_median")
    r = ratio(ow, rw) if same else None
    cpu = ratio(oc, rc) if same else None
    t.add(f"Total ETS fit time over {label}, Modelhost ÷ R forecast::ets, median of {ours_doc.get('repetitions', '?')} passes",
          NA if r is None else f"{r:.3f} ({ow / 1000:.2f} s vs {rw / 1000:.2f} s)", "≤ 0.2", None if r is None else r <= 0.2,
          "the two sides scored different series" if r is None else
          f"CPU {cpu:.3f} ({oc / 1000:.2f} s vs {rc / 1000:.2f} s); only the fitting calls, one series at a time"
          + (" (wall well above CPU: the machine was busy)" if max(ow / max(oc, 1e-9), rw / max(rc, 1e-9)) > 1.3 else ""))
    for key, desc in (("naive_mase", "naive forecast (last value)"), ("snaive_mase", "seasonal naive forecast (same season a year before)")):
        base = sum(a[key] for a, _ in pairs) / n
        t.add(f"Mean MASE, {desc}", f"{base:.4f}", "—", None,
              f"Modelhost ETS ÷ this: {ratio(ours, base):.3f}; R forecast::ets ÷ this: {ratio(theirs, base):.3f}")
    return pairs


def write_forecast(w, ours_doc, r_doc, pairs):
    w("## ETS forecasting: Modelhost vs R's forecast::ets on classic series (bench/data/classic_series.csv)")
    w("")
    if not pairs:
        def state(doc):
            return "ran" if doc and "unavailable" not in doc else why(doc)

        w(f"{NA} (Modelhost: {state(ours_doc)}; R: {state(r_doc)}).")
        w("")
        return
    for doc in (ours_doc, r_doc):
        w(f"- {doc.get('implementation', '?')}: automatic choice of the form by AICc; {doc.get('repetitions', '?')} measured"
          f" passes over every series after one unmeasured pass; total fit time {doc['total_fit_wall_ms_median'] / 1000:.2f} s wall,"
          f" {doc['total_fit_cpu_ms_median'] / 1000:.2f} s CPU (medians of the passes' totals)")
    w("- the last h points of each series are held out (18 monthly, 8 quarterly, 6 yearly) and forecast from a fit on the rest;"
      " MASE = the forecasts' mean absolute error ÷ the in-sample MAE of the seasonal naive method (lag = period; 1 for"
      " yearly), the same formula on both sides. Naive and seasonal naive are scored by the Modelhost side")
    w("- AICc Δ: Modelhost's AICc minus R's for the forms each chose (the likelihoods agree at equal parameters); below 0,"
      " Modelhost found a better-fitting model. Fit times are per-series medians in milliseconds")
    w("")
    w("| series | period | n (fit + held out) | Modelhost | R | MASE Modelhost | MASE R | naive | seasonal naive | AICc Δ | fit ms Modelhost | fit ms R |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for a, b in pairs:
        mark = "**" if a["mase"] > b["mase"] * 1.05 else ""
        w(f"| {a['key']} | {a['period']} | {a['train']} + {a['h']} | {a['method']} | {b['method']} | {mark}{a['mase']:.4f}{mark}"
          f" | {b['mase']:.4f} | {a['naive_mase']:.4f} | {a['snaive_mase']:.4f} | {a['aicc'] - b['aicc']:+.2f}"
          f" | {a['fit_wall_ms_median']:.1f} | {b['fit_wall_ms_median']:.1f} |")
    n = len(pairs)
    w(f"| **mean** | | | | | **{sum(a['mase'] for a, _ in pairs) / n:.4f}** | **{sum(b['mase'] for _, b in pairs) / n:.4f}**"
      f" | {sum(a['naive_mase'] for a, _ in pairs) / n:.4f} | {sum(a['snaive_mase'] for a, _ in pairs) / n:.4f} | |"
      f" {sum(a['fit_wall_ms_median'] for a, _ in pairs):.0f} | {sum(b['fit_wall_ms_median'] for _, b in pairs):.0f} |")
    w("")
    w("Bold: Modelhost's MASE more than 5% above R's.")
    w("")


def median(values):
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


DECODE_FILES = ("photo_12mp", "hubble_deep_field")


def decode_docs(R):
    """The decode scenario's in-process results per file: {file: (before, after)}, and the detect requests."""
    return {f: (load(R, f"decode_before_{f}"), load(R, f"decode_after_{f}")) for f in DECODE_FILES}, load(R, "decode_http")


def measured(doc):
    return doc is not None and "unavailable" not in doc


def decode_target(t, R):
    files, http = decode_docs(R)
    if measured(http):
        b, a = http["before"], http["after"]
        r, rc = ratio(b["latency_ms_median"], a["latency_ms_median"]), ratio(b["server_cpu_ms_per_request"], a["server_cpu_ms_per_request"])
        t.add("12-MP JPEG through POST /v1/vision/face-front:detect, before ÷ after SkiaSharp (median latency)", f"{r:.2f}×", "≥ 2", r >= 2,
              f"server CPU per request: {b['server_cpu_ms_per_request']:.0f} → {a['server_cpu_ms_per_request']:.0f} ms ({rc:.2f}×); "
              f"{http['requests']} requests each, interleaved")
    else:
        t.add("12-MP JPEG through POST /v1/vision/face-front:detect, before ÷ after SkiaSharp (median latency)", NA, "≥ 2", None, why(http))
    before, after = files["photo_12mp"]
    if measured(before) and measured(after):
        r = ratio(before["detector_cpu_ms_mean"], after["detector_cpu_ms_mean"])
        t.add("12-MP JPEG decoded for a 128-px detector (decode + fit), before ÷ after (CPU)", f"{r:.2f}×", "—", None,
              f"{before['detector_cpu_ms_mean']:.0f} → {after['detector_cpu_ms_mean']:.0f} ms CPU; after decodes {after['detector_decoded']}")


def write_decode(w, R):
    w("## Image decoding: Modelhost.Vision's managed decoders (commit d67753c) vs SkiaSharp")
    w("")
    files, http = decode_docs(R)
    if not any(measured(d) for pair in files.values() for d in pair):
        w(f"{NA} ({why(None)}).")
        w("")
        return
    w("- in process, after a warm-up: `ImageDecoder.Decode` at full size, and what a detector with a 128×128 letterboxed input needs"
      " (after: `ImageDecodeOptions.Target`, so a JPEG is DCT-scaled; both: then `ImagePreprocessor.Fit`); median wall ms and mean"
      " CPU ms of the process per decode. The two sides ran one after the other (before, after, after, before; the second pass counts).")
    w("")
    w("| file | size | side | full: ms (CPU ms) | for the detector: ms (CPU ms) | decoded for the detector | before ÷ after, detector CPU |")
    w("| --- | --- | --- | --- | --- | --- | --- |")
    for f, (before, after) in files.items():
        for name, d in (("before", before), ("after", after)):
            if not measured(d):
                w(f"| {f} | | {name} | {NA} | | | |")
                continue
            r = ratio(before["detector_cpu_ms_mean"], after["detector_cpu_ms_mean"]) if name == "after" and measured(before) else None
            w(f"| {d['file']} | {d['width']}×{d['height']}, {d['bytes']:,} B | {name} | {num(d['full_ms_median'], 1)} ({num(d['full_cpu_ms_mean'], 1)})"
              f" | {num(d['detector_ms_median'], 1)} ({num(d['detector_cpu_ms_mean'], 1)}) | {d['detector_decoded']} | {'' if r is None else f'{r:.2f}×'} |")
    w("")
    if measured(http):
        w(f"Detect requests (`POST /v1/vision/face-front:detect`, the 12-MP photo as base64 JSON, {http['body_bytes']:,} bytes) to both servers,"
          f" {http['requests']} each, one at a time, alternating:")
        w("")
        w("| side | median latency ms | server CPU ms per request |")
        w("| --- | --- | --- |")
        for name in ("before", "after"):
            w(f"| {name} | {num(http[name]['latency_ms_median'], 1)} | {num(http[name]['server_cpu_ms_per_request'], 1)} |")
        w("")


TREE_TARGETS = {("seed", 1): 3.0, ("seed", 64): 1.5, ("regressor", 1): 2.0}


def trees_targets(t, R):
    """Issue 19: the native tree engine's rows per CPU-second over ONNX Runtime's, in process."""
    doc = load(R, "trees")
    if doc is None or "unavailable" in doc:
        t.add("Tree engine ÷ ONNX Runtime, in process", NA, "—", None, why(doc))
        return
    for p in doc.get("points", []):
        kind = "seed" if p["model"].startswith("seed") else "regressor"
        target = TREE_TARGETS.get((kind, p["batch"]))
        t.add(f"Tree engine ÷ ONNX Runtime rows per CPU-second, {p['model']}, batch {p['batch']}",
              f"{p['ratio']:.2f}× ({num(p['trees_rows_per_s'])} vs {num(p['onnxruntime_rows_per_s'])})",
              "—" if target is None else f"≥ {target:g}×", None if target is None else p["ratio"] >= target,
              "both single-threaded, 256 different inputs in turn, best of 10 alternating windows")


def write_memory(w, R):
    w("## Memory after bursts (issue 12): the server's RSS before, at the peak of and 60 s after each burst")
    w("")
    docs = [(n, load(R, n), load(R, n + "_load")) for n in ("memory_json", "memory_png")]
    def measured(d):
        return d is not None and "unavailable" not in d

    if not any(measured(d) for _, d, _ in docs):
        w(f"{NA} (not run).")
        w("")
        return
    w("| burst | responses (not 200) | max latency ms | RSS before MB | RSS peak MB | RSS 60 s after MB | after within 25% of before |")
    w("| --- | --- | --- | --- | --- | --- | --- |")
    for name, d, run in docs:
        if not measured(d):
            w(f"| {name} | {NA} ({why(d)}) | | | | | |")
            continue
        served, slowest = NA, NA
        if run is not None and "unavailable" not in run:
            served = f"{run.get('responses', 0)} ({run.get('responses', 0) - run.get('ok', 0)})"
            slowest = num((run.get("latency_ms") or {}).get("max") if isinstance(run.get("latency_ms"), dict) else run.get("max"))
        w(f"| {d.get('desc') or name} | {served} | {slowest} | {num(d.get('rss_mb_before'))} | {num(d.get('rss_mb_peak'))}"
          f" | {num(d.get('rss_mb_after'))} | {'yes' if d.get('within_25pct') else '**no**'} |")
    w("")


def grpc_text(R):
    path = os.path.join(R, "grpc.md")
    return open(path, encoding="utf-8").read().strip() if os.path.exists(path) else "unavailable: not run"


def grpc_targets(t, R):
    """Issue 15's targets from bench/GrpcBench's MLP rows: gRPC raw ≤ 25 µs/row beyond ORT (≤ 60 over HTTP JSON) and
    ≥ HTTP binary rows/s, for one-row, 8-row and whole 64-row requests with 64 rows in flight (the max_batch_size), on
    the full MLP and on the thin one (the same tensors at about 1 µs/row of ONNX Runtime, so its "beyond ORT" is the
    server's own cost). The full MLP's per-row cost is the "outside ORT's code" column where perf measured it during
    the load, else "beyond ORT"; the thin MLP's is "beyond ORT", whose reference cannot swing by more than that
    microsecond. The thin MLP's half-full case (32 one-row clients) is shown in its table, not checked here."""
    cells = {}
    for line in grpc_text(R).splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if len(parts) in (10, 11) and parts[0] in ("mlp", "mlp-thin"):
            try:
                if int(parts[1]) * int(parts[3]) != 64:
                    continue
                measured = parts[9] != "n/a" and parts[0] == "mlp"
                cost = float(parts[9]) if measured else float(parts[8])
                cells[(parts[0], parts[1], parts[2])] = (float(parts[4]), cost, "outside ORT" if measured else "beyond ORT")
            except ValueError:
                pass
    for model, name in (("mlp", "MLP"), ("mlp-thin", "thin MLP")):
        for rows in ("1", "8", "64"):
            label = "one-row requests" if rows == "1" else f"{rows}-row requests"
            grpc = cells.get((model, rows, "gRPC raw"))
            binary = cells.get((model, rows, "HTTP binary"))
            text = cells.get((model, rows, "HTTP JSON"))
            if grpc:
                t.add(f"gRPC raw, {name}, {label}: server CPU {grpc[2]}", f"{grpc[1]:.1f} µs/row", "≤ 25 µs/row", grpc[1] <= 25)
            if grpc and binary:
                t.add(f"gRPC raw vs HTTP binary, {name}, {label}: rows/s", f"{grpc[0]:.0f} vs {binary[0]:.0f}", "≥ 1×", grpc[0] >= binary[0])
            if text:
                t.add(f"HTTP JSON, {name}, {label}: server CPU {text[2]}", f"{text[1]:.1f} µs/row", "≤ 60 µs/row", text[1] <= 60)


def write_grpc(w, R):
    """The gRPC scenario: bench/GrpcBench's two markdown tables, as it printed them."""
    w("## gRPC raw vs HTTP binary vs HTTP JSON (issue 15; `bench/GrpcBench`)")
    w("")
    text = grpc_text(R)
    if not text.startswith("unavailable"):
        w("One `modelhost serve` with both ports, the load generator in a process beside the server. The first table is")
        w("the floor: the server's CPU per call with no model behind it. Then the same clients per protocol, with one-row")
        w("requests and, for the MLP, 8-row and 64-row requests, always 64 rows in flight (the MLP's max_batch_size); the")
        w("same MLP cases again as \"mlp-thin\", hidden layers of 32 (the same 512 FP32 in and out at about 1 µs/row of")
        w("ONNX Runtime), and the thin MLP with 32 one-row clients, whose half-full batches each wait out the 2 ms queue")
        w("delay with the server idle (shown, not a target). \"ORT µs/row\" is ONNX Runtime's own CPU per row at the")
        w("mean batch size the server formed (in process, one thread, measured after the load); \"beyond ORT\" is the")
        w("server's CPU per row less it; \"outside ORT's code\" is the server's CPU per row times the share of its perf")
        w("samples outside libonnxruntime.so during the load, which the machine's speed swings cannot skew; \"client CPU\"")
        w("is the load generator's own CPU per row (nghttp2's h2load for all three protocols, or with")
        w("GRPCBENCH_GENERATOR=dotnet Grpc.Net.Client and HttpClient, as the report's first line says), which shares the two")
        w("cores with the server and so bounds rows/s as much as the server does. The last table is the raw-input step alone (`--micro`).")
        w("")
    w(text)
    w("")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--alloc")
    a = ap.parse_args()
    R = a.results
    meta = load(R, "meta") or {}
    t = Targets()
    lines = []
    w = lines.append

    ncpu, cpu, mem = machine()
    commit = git("rev-parse", "--short=12", "HEAD") or "unknown"
    dirty = git("status", "--porcelain")
    w(f"# Modelhost benchmark{' (--quick smoke run)' if meta.get('quick') else ''}")
    w("")
    w(f"- date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    w(f"- machine: {ncpu} CPUs, {cpu}, {mem} RAM, {platform.system()} {platform.release()}")
    try:
        end_load = " ".join(open("/proc/loadavg", encoding="utf-8").read().split()[:3])
    except OSError:
        end_load = "unknown"
    w(f"- load average (1, 5, 15 min) at the start: {meta.get('loadavg', 'unknown')}; at the end: {end_load}"
      " (the suite alone keeps it at a few; far above that, other work shared the machine)")
    w(f"- commit: {commit}{' (work tree has uncommitted changes)' if dirty else ''}")
    w(f"- command: `{meta.get('command', 'bash bench/run.sh')}`")
    if meta.get("only"):
        w(f"- only the `{meta['only']}` scenario ran; the other rows read n/a")
    w(f"- timings: warm-up {meta.get('warmup_s', '?')} s, then {meta.get('duration_s', '?')} s measured per load run"
      f" (batching runs {meta.get('mlp_warmup_s', '?')} s + {meta.get('mlp_duration_s', '?')} s)")
    w("- CPU % is of one core (200% = both cores of a 2-core machine), summed over the server's process tree;"
      " RSS is VmRSS summed over the tree, peak of 250 ms samples. Latencies are in milliseconds.")
    w("")

    # ---- seed request
    seed = {}
    for srv in ("ceiling", "modelhost", "flask", "fastapi"):
        for c in (16, 64):
            seed[(srv, c)] = load(R, f"seed_{srv}_c{c}")
        seed[(srv, "open")] = load(R, f"seed_{srv}_open")
    for c in (16, 64):
        r = ratio(rps(seed[("modelhost", c)]), rps(seed[("flask", c)]))
        t.add(f"Seed /predict req/s, Modelhost ÷ Flask+gunicorn, {c} connections",
              NA if r is None else f"{r:,.0f}×", "≥ 300×", None if r is None else r >= 300)
    for c in (16, 64):
        r = ratio(rps(seed[("modelhost", c)]), rps(seed[("fastapi", c)]))
        t.add(f"Seed /predict req/s, Modelhost ÷ FastAPI+uvicorn, {c} connections",
              NA if r is None else f"{r:,.0f}×", "≥ 20×", None if r is None else r >= 20)
    for c in (16, 64):
        r = ratio(rps(seed[("modelhost", c)]), rps(seed[("ceiling", c)]))
        t.add(f"Seed /predict req/s, Modelhost ÷ HTTP ceiling, {c} connections",
              NA if r is None else f"{r:.2f}", "≥ 0.6", None if r is None else r >= 0.6)
    r = ratio(p99(seed[("modelhost", 64)]), p99(seed[("ceiling", 64)]))
    t.add("Seed /predict p99 at 64 connections, Modelhost ÷ ceiling",
          NA if r is None else f"{r:.2f} ({num(p99(seed[('modelhost', 64)]), 2)} ms vs {num(p99(seed[('ceiling', 64)]), 2)} ms)",
          "≤ 1.5×", None if r is None else r <= 1.5)
    mo = seed[("modelhost", "open")]
    rate = meta.get("open_rate")
    t.add(f"Seed /predict p99 at a fixed {num(rate)} req/s (25% of the ceiling's best), Modelhost",
          NA if not ok(mo) else f"{p99(mo):.3f} ms", "≤ 2 ms", None if not ok(mo) else (p99(mo) <= 2 and not mo.get("unsent")),
          ("offered rate not sustained; " if ok(mo) and mo.get("unsent") else "")
          + (f"ceiling at the same rate: {p99(seed[('ceiling', 'open')]):.3f} ms" if ok(seed[("ceiling", "open")]) else ""))
    wrk_runs = {srv: parse_wrk(os.path.join(R, f"wrk_{srv}.txt")) for srv in ("ceiling", "modelhost")}
    r = ratio((wrk_runs["modelhost"] or {}).get("rps"), (wrk_runs["ceiling"] or {}).get("rps"))
    t.add("Cross-check: seed req/s, Modelhost ÷ ceiling, 64 connections, measured with wrk",
          NA if r is None else f"{r:.2f}", "—", None, "the same kind of client as the C# generator (epoll, 2 threads); see the README")

    # ---- authentication
    auth = {side: load(R, f"auth_{side}_c64") for side in ("anonymous", "keyed")}
    auth_target(t, auth["anonymous"], auth["keyed"])
    metrics = {side: load(R, f"metrics_{side}_c64") for side in ("off", "on")}
    metrics_target(t, metrics["off"], metrics["on"])

    # ---- batching
    inproc = load(R, "inprocess")
    best_inproc = inproc["best"]["rows_per_s"] if inproc and "best" in inproc else None
    configs = meta.get("mlp_configs", [])
    mlp = {c["label"]: load(R, f"mlp_{c['label']}") for c in configs}
    protocol = {c["label"]: c.get("protocol", "json") for c in configs}
    # The target is on V2 JSON, the scenario's request; the binary tensor rows get the same two ratios beside it.
    for proto, proto_desc in (("json", "V2 JSON"), ("binary", "V2 binary tensors")):
        labels = [c["label"] for c in configs if protocol[c["label"]] == proto]
        if proto == "binary" and not labels:
            continue
        off = next((mlp[lb] for lb in labels if lb.startswith("off")), None)
        on = [(lb, mlp[lb]) for lb in labels if not lb.startswith("off") and ok(mlp[lb])]
        best_label, best_run = max(on, key=lambda lr: lr[1]["rps"]) if on else (None, None)
        r = ratio(rps(best_run), best_inproc)
        t.add(f"MLP rows/s, {proto_desc}, batching on (best: {best_label or NA}) ÷ in-process best",
              NA if r is None else f"{r:.2f} ({num(rps(best_run))} vs {num(best_inproc)})", "≥ 0.8", None if r is None else r >= 0.8,
              ("the issue's target row" if proto == "json" else "the same load with binary tensors both ways, for comparison")
              + cpu_budget(best_run, best_inproc, ncpu))
        r = ratio(rps(best_run), rps(off))
        t.add(f"MLP rows/s, {proto_desc}, batching on (best) ÷ batching off",
              NA if r is None else f"{r:.2f}× ({num(rps(best_run))} vs {num(rps(off))})", "≥ 3×", None if r is None else r >= 3)

    batcher = {c["label"]: load(R, f"batcher_{c['label']}") for c in configs}
    in_proc = [(lb, b) for lb, b in batcher.items() if b and "rows_per_s" in b]
    if in_proc:
        lb, b = max(in_proc, key=lambda x: x[1]["rows_per_s"])
        r = ratio(b["rows_per_s"], best_inproc)
        t.add(f"MLP rows/s through Modelhost's batcher in process, no HTTP (best: {lb}) ÷ in-process best",
              NA if r is None else f"{r:.2f} ({num(b['rows_per_s'])} vs {num(best_inproc)})", "—", None,
              f"64 callers × 1 row into LoadedModel.InferAsync; {b['cpu_ms_per_row']:.3f} ms CPU per row: what batching"
              " costs apart from HTTP, JSON and the client")

    # ---- binary
    sj, sb = load(R, "bin_sum_json"), load(R, "bin_sum_binary")
    cj = sj["server"]["cpu_ms_per_request"] if ok(sj) and "server" in sj else None
    cb = sb["server"]["cpu_ms_per_request"] if ok(sb) and "server" in sb else None
    r = ratio(cj, cb)
    t.add("1 MiB FP32 input, server CPU per request, JSON ÷ binary",
          NA if r is None else f"{r:.1f}× ({cj:.2f} ms vs {cb:.3f} ms)",
          "≥ 5×", None if r is None else r >= 5, "" if r is not None else why(sb if ok(sj) else sj))

    # ---- process costs
    st = load(R, "startup")
    idle = load(R, "idle")
    med = st.get("median_s") if st and "median_s" in st else None
    t.add("Startup to /v2/health/ready 200 (demo repository, Release build, median)",
          NA if med is None else f"{med:.3f} s", "≤ 1.5 s", None if med is None else med <= 1.5,
          "" if med is not None else why(st))
    ic = idle.get("cpu_pct") if idle and "cpu_pct" in idle else None
    t.add(f"Idle CPU over {num(idle.get('window_s')) if idle and 'window_s' in idle else '?'} s, no requests",
          NA if ic is None else f"{ic:.2f}%", "≤ 1%", None if ic is None else ic <= 1, "" if ic is not None else why(idle))
    rss = idle.get("rss_mb_start") if idle and "rss_mb_start" in idle else None
    t.add("RSS with the demo repository after warm-up", NA if rss is None else f"{rss:.0f} MB", "≤ 250 MB",
          None if rss is None else rss <= 250, "" if rss is not None else why(idle))

    alloc_rows = read_alloc(a.alloc)
    alloc, alloc_note = NA, "bench/.out/alloc.txt not found (written by the allocation harness)"
    if alloc_rows is not None:
        alloc_note = "from bench/.out/alloc.txt"
        pick = next((r for r in alloc_rows if "/predict" in r[0]), alloc_rows[0] if alloc_rows else None)
        if pick is None:
            alloc_note = "bench/.out/alloc.txt holds no figure"
        elif pick[1] is None:
            alloc = pick[0]
        else:
            alloc = f"{pick[1]:,} B/request ({pick[0]})"
    t.add("Allocation per request, JSON → tensor → JSON (in-process harness)", alloc, "—", None, alloc_note)

    # ---- built-in learners vs scikit-learn
    ours_doc, sk_doc = load(R, "learners_modelhost"), load(R, "learners_sklearn")
    learner_rows = learner_targets(t, ours_doc, sk_doc)

    # ---- ETS forecasting vs R's forecast::ets
    forecast_ours, forecast_r = load(R, "forecast_modelhost"), load(R, "forecast_r")
    forecast_rows = forecast_targets(t, forecast_ours, forecast_r)

    # ---- JPEG decoding vs djpeg
    decode_target(t, R)
    trees_targets(t, R)
    grpc_targets(t, R)

    w("## Targets")
    w("")
    w("| what | measured | target | result | note |")
    w("| --- | --- | --- | --- | --- |")
    for what, measured, target, status, note in t.rows:
        w(f"| {what} | {measured} | {target} | {status} | {note} |")
    w("")

    w("## Seed request: iris forest, `POST /predict`")
    w("")
    w("| server | load | req/s | p50 | p90 | p99 | server CPU % | CPU ms/req | RSS MB | client CPU % | steal % | problems |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    names = {"ceiling": "HTTP ceiling (Kestrel)", "modelhost": "Modelhost", "flask": "Flask + gunicorn -w 2",
             "fastapi": "FastAPI + uvicorn --workers 2"}
    for key in [(s, c) for c in (16, 64) for s in ("ceiling", "modelhost", "flask", "fastapi")] + [(s, "open") for s in ("ceiling", "modelhost")]:
        run = seed[key]
        srv, c = key
        rounds = run.get("rounds_rps") if run else None
        load_desc = (f"closed, {c} conns" + (f"; median of {len(rounds)} rounds ({', '.join(num(x) for x in rounds)})"
                                             if rounds and len(rounds) > 1 else "")) if c != "open" else (
            f"open, {num(run.get('offered_rate'))} req/s, {run.get('connections')} conns" if run and "offered_rate" in run else "open")
        w(f"| {names[srv]} | {load_desc} | {num(rps(run)) if ok(run) else NA} | {lat(run, 'p50')} | {lat(run, 'p90')} | {lat(run, 'p99')}"
          f" | {server(run, 'cpu_pct')} | {server(run, 'cpu_ms_per_request', 3)} | {server(run, 'rss_mb_peak')}"
          f" | {client(run, 'cpu_pct')} | {steal(run)} | {problems(run)} |")
    w("")
    wrk_rows = list(wrk_runs.items())
    if any(r for _, r in wrk_rows):
        w("Cross-check with wrk (closed loop, 64 connections, 2 threads; its latencies suffer coordinated omission):")
        w("")
        w("| server | req/s | p50 | p90 | p99 | errors |")
        w("| --- | --- | --- | --- | --- | --- |")
        for srv, r in wrk_rows:
            if r:
                w(f"| {names[srv]} | {num(r.get('rps'))} | {num(r.get('p50'), 3)} | {num(r.get('p90'), 3)} | {num(r.get('p99'), 3)}"
                  f" | {r['non2xx']} non-2xx {r['socket_errors']} |")
        w("")

    write_auth(w, auth["anonymous"], auth["keyed"])
    write_metrics(w, metrics["off"], metrics["on"])

    w("## Dynamic batching: MLP 512→2048→2048→512 FP32, 64 clients × 1 row")
    w("")
    w("Protocol `json`: V2 JSON both ways (512 floats each way). `binary`: the V2 binary tensor extension both ways"
      " (the input as 2,048 raw bytes after a JSON header, output `y` asked for with `\"binary_data\": true`).")
    w("")
    w("| server config | protocol | rows/s | p50 | p90 | p99 | server CPU % | server CPU ms/row | client CPU % | steal % | RSS MB"
      " | mean batch | batches formed (size×count) | same config in process, no HTTP: rows/s (CPU ms/row) | problems |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for c in configs:
        run = mlp[c["label"]]
        mean, formed = batch_stats(run)
        w(f"| `{c['label']}`: {c['desc']} | {protocol[c['label']]} | {num(rps(run)) if ok(run) else NA} | {lat(run, 'p50')}"
          f" | {lat(run, 'p90')} | {lat(run, 'p99')} | {server(run, 'cpu_pct')} | {server(run, 'cpu_ms_per_request', 3)}"
          f" | {client(run, 'cpu_pct')} | {steal(run)} | {server(run, 'rss_mb_peak')} | {mean} | {formed}"
          f" | {no_http(batcher.get(c['label']))} | {problems(run)} |")
    w("")
    if inproc and "points" in inproc:
        w(f"In-process ONNX Runtime {inproc.get('onnxruntime', '')} (Modelhost's binding), rows/s by batch size,"
          f" {inproc.get('seconds_per_point')} s per point. `shared`: one session with the server's default options"
          " (ORT's thread counts) called from 1 or 2 threads; `single_thread_each`: two sessions with one intra-op thread,"
          " one caller each (the server's `instances: 2, intra_op_threads: 1`):")
        w("")
        batches = sorted({p["batch"] for p in inproc["points"]})
        layouts = []
        for p in inproc["points"]:
            key = (p["threads"], p.get("sessions", "shared"))
            if key not in layouts:
                layouts.append(key)
        w("| callers | sessions | " + " | ".join(f"batch {b}" for b in batches) + " |")
        w("| --- | --- | " + " | ".join("---" for _ in batches) + " |")
        for th, layout in layouts:
            cells = []
            for b in batches:
                p = next((p for p in inproc["points"] if p["batch"] == b and p["threads"] == th
                          and p.get("sessions", "shared") == layout), None)
                cells.append(num(p["rows_per_s"]) if p else NA)
            w(f"| {th} | {layout} | " + " | ".join(cells) + " |")
        w("")
        w(f"Best: {num(best_inproc)} rows/s (batch {inproc['best']['batch']}, {inproc['best']['threads']} caller(s),"
          f" {inproc['best'].get('sessions', 'shared')}).")
        w("")
    else:
        w(f"In-process: {NA} ({why(inproc)}).")
        w("")

    w("## Binary tensors: one 1 MiB FP32 input (262144 floats), 1 connection")
    w("")
    w("| model | request | request bytes | req/s | p50 | p99 | server CPU ms/req | server CPU % | RSS MB | problems |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, model, desc in (("bin_sum_json", "sum (ReduceSum → 1 float)", "V2 JSON"),
                              ("bin_sum_binary", "sum (ReduceSum → 1 float)", "binary input, JSON output"),
                              ("bin_identity_json", "identity (1 MiB back)", "V2 JSON both ways"),
                              ("bin_identity_binary", "identity (1 MiB back)", "binary both ways (binary_data_output)")):
        run = load(R, name)
        size = f"{run['request_bytes']:,}" if run and "request_bytes" in run else NA
        w(f"| {model} | {desc} | {size} | {num(rps(run), 1) if ok(run) else NA} | {lat(run, 'p50')} | {lat(run, 'p99')}"
          f" | {server(run, 'cpu_ms_per_request', 3)} | {server(run, 'cpu_pct')} | {server(run, 'rss_mb_peak')} | {problems(run)} |")
    w("")

    w("## Process costs (published Release build, demo repository)")
    w("")
    if st and "runs_s" in st:
        w(f"- startup to `/v2/health/ready` 200: median {st['median_s']:.3f} s over {len(st['runs_s'])} runs"
          f" ({', '.join(f'{x:.3f}' for x in st['runs_s'])} s); RSS at ready {st.get('rss_mb_at_ready_median', NA)} MB")
    else:
        w(f"- startup: {NA} ({why(st)})")
    warm = load(R, "rss_warmup")
    if idle and "cpu_pct" in idle:
        w(f"- after a warm-up load ({num(rps(warm)) if ok(warm) else NA} req/s): RSS {idle['rss_mb_start']:.0f} MB;"
          f" then idle for {idle['window_s']:.0f} s: {idle['cpu_s']:.3f} CPU s = {idle['cpu_pct']:.2f}% of a core;"
          f" RSS at the end {idle['rss_mb_end']:.0f} MB")
    else:
        w(f"- idle and RSS: {NA} ({why(idle)})")
    w("")

    if alloc_rows:
        w("## Allocation per request (in-process harness, bench/.out/alloc.txt)")
        w("")
        w("| path | bytes/request | LOH events |")
        w("| --- | --- | --- |")
        for name, size, loh in alloc_rows:
            w(f"| {name} | {NA if size is None else f'{size:,}'} | {NA if loh is None else loh} |")
        w("")

    write_learners(w, ours_doc, sk_doc, learner_rows, meta)
    write_forecast(w, forecast_ours, forecast_r, forecast_rows)
    write_decode(w, R)
    write_memory(w, R)
    write_grpc(w, R)

    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
