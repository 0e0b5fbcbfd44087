"""The memory scenario's measurement of one burst: the server's RSS before, at the peak of and 60 s after a burst of
large requests sent by the load generator.

  memory_burst.py --pid PID --name NAME --out FILE.json --idle SECONDS -- LOAD_COMMAND...

RSS (VmRSS in /proc/PID/status) is sampled every 100 ms from 5 s before the burst to the end of the idle period; the
burst is the load generator's run (bounded by its own --duration and --max-requests)."""
import argparse, json, subprocess, sys, time


def rss_mb(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS")


def sample_for(pid, seconds):
    values, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        values.append(rss_mb(pid))
        time.sleep(0.1)
    return values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--idle", type=float, default=60)
    ap.add_argument("--desc", default="")
    ap.add_argument("load", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    load = a.load[1:] if a.load[:1] == ["--"] else a.load

    before = sample_for(a.pid, 5)[-1]
    proc = subprocess.Popen(load)
    peak = before
    while proc.poll() is None:
        peak = max(peak, rss_mb(a.pid))
        time.sleep(0.1)
    after_burst = rss_mb(a.pid)
    idle = sample_for(a.pid, a.idle)
    after = idle[-1]
    doc = {"name": a.name, "desc": a.desc, "load_exit": proc.returncode, "rss_mb_before": round(before, 1),
           "rss_mb_peak": round(max([peak] + idle), 1), "rss_mb_end_of_burst": round(after_burst, 1),
           "rss_mb_after": round(after, 1), "idle_s": a.idle,
           "within_25pct": after <= before * 1.25}
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    print(f"memory: {a.name}: RSS before {before:.0f} MB, peak {doc['rss_mb_peak']:.0f} MB, "
          f"{a.idle:.0f} s after {after:.0f} MB ({'within' if doc['within_25pct'] else 'NOT within'} 25% of before)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
