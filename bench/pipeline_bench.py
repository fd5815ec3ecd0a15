#!/usr/bin/env python3
"""End-to-end pipeline benchmark (run by scripts/bench.sh on a private stack).

Starts the real service binaries (intake, classification, alerting, workorder,
analytics; --replicas copies of each) with deploy/local/*.yaml and FBL__
overrides for the stack's ports, then feeds real reviews to feedback.raw.v1
with bench/pipeline_feeder:

  1. full speed: --records records as fast as the producer goes. Fully
     processed = counted by analytics and taken by workorder (ticketed where
     due). Sustained records/s = the steady part, from 10 % to 90 % of the
     records fully processed (interpolated between samples 0.25 s apart);
     also end to end = all records / time from the first produced to the
     last one done (includes filling and draining the pipeline);
     per-stage peak rates (busiest 2 s) from each service's counters.
  2. fixed rate: --rate records/s (default: half the full-speed figure) for
     --duration seconds (default rate: half the sustained figure); consumer lag over time, CPU and RSS per service
     sampled every second, and the RSS trend after warm-up (least-squares
     slope; flat = growth over the run < 5 %).

Prints a table and writes JSON (--out) for bench/report.py.
Needs FBL_KAFKA_BROKERS and FBL_REDIS_PORT.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

SERVICES = ["intake", "classification", "alerting", "workorder", "analytics"]
# Counter (regex on the series line) that says a record passed each stage.
STAGE_COUNTER = {
    "intake": r'^intake_records_total\{',
    "classification": r'^classification_records_total\{',
    "alerting": r'^alerting_feedback_total\{',
    "workorder": r'^workorder_inputs_total\{.*source="classified"',
    "analytics": r'^analytics_records_total\{.*source="classified"',
}
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


class Service:
    def __init__(self, name, index, binary, config, env, work_dir):
        self.name, self.index = name, index
        self.work_dir = os.path.join(work_dir, f"{name}-{index}")
        os.makedirs(self.work_dir, exist_ok=True)
        self.ready = os.path.join(self.work_dir, "ready.json")
        self.log = open(os.path.join(self.work_dir, "service.log"), "wb")
        full_env = dict(os.environ)
        full_env.update(env)
        full_env["FBL__SERVER__READY_FILE"] = self.ready
        full_env["FBL__SERVER__GRPC_LISTEN"] = "127.0.0.1:0"
        full_env["FBL__SERVER__METRICS_LISTEN"] = "127.0.0.1:0"
        self.proc = subprocess.Popen([binary, "--config", config], env=full_env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if os.path.exists(self.ready):
                try:
                    with open(self.ready) as f:
                        r = json.load(f)
                    self.metrics_port, self.grpc_port = int(r["metrics_port"]), int(r["grpc_port"])
                    return
                except (ValueError, KeyError):
                    pass
            if self.proc.poll() is not None:
                sys.exit(f"pipeline_bench: {name} exited at start; see {self.work_dir}/service.log")
            time.sleep(0.05)
        sys.exit(f"pipeline_bench: {name} not ready within 60 s")

    def metrics(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as r:
                return r.read().decode()
        except OSError:
            return ""

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE / 1e6

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def metric_sum(text, pattern):
    rx = re.compile(pattern)
    total = 0.0
    for line in text.splitlines():
        if rx.search(line):
            try:
                total += float(line.rsplit(" ", 1)[1])
            except ValueError:
                pass
    return total


class Sampler(threading.Thread):
    """Every `interval` s: counters, lag, CPU and RSS of every service instance."""

    def __init__(self, services, interval):
        super().__init__(daemon=True)
        self.services, self.samples, self.stop_flag = services, [], threading.Event()
        self.interval = interval
        self.lock = threading.Lock()
        self.last_cpu = {id(s): (time.time(), s.cpu_seconds()) for s in services}

    def snapshot(self):
        now = time.time()
        sample = {"t": now, "count": {}, "lag": {}, "cpu": {}, "rss_mb": {}}
        for s in self.services:
            text = s.metrics()
            sample["count"][s.name] = sample["count"].get(s.name, 0) + metric_sum(text, STAGE_COUNTER[s.name])
            sample["lag"][s.name] = sample["lag"].get(s.name, 0) + metric_sum(text, r"^kafka_consumer_lag_messages\{")
            t0, c0 = self.last_cpu[id(s)]
            c1 = s.cpu_seconds()
            self.last_cpu[id(s)] = (now, c1)
            sample["cpu"][s.name] = sample["cpu"].get(s.name, 0) + 100 * (c1 - c0) / max(1e-3, now - t0)
            sample["rss_mb"][s.name] = sample["rss_mb"].get(s.name, 0) + s.rss_mb()
        return sample

    def run(self):
        while not self.stop_flag.wait(self.interval):
            snap = self.snapshot()
            with self.lock:
                self.samples.append(snap)

    def latest(self):
        with self.lock:
            return self.samples[-1] if self.samples else None

    def since(self, t):
        with self.lock:
            return [s for s in self.samples if s["t"] >= t]


# A record is fully processed once both consumers of feedback.classified.v1
# took it: analytics counted it and workorder ticketed it where due.
SINKS = ("analytics", "workorder")


def done_count(count):
    return min(count[n] for n in SINKS)


def wait_for(sampler, target, timeout):
    """Waits until both sinks took `target` classified records; returns the time (or None)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        s = sampler.latest()
        if s and done_count(s["count"]) >= target:
            return s["t"]
        time.sleep(0.2)
    return None


def crossing(samples, value):
    """When the done count first reached `value`, interpolated between samples (None if never)."""
    prev = None
    for s in samples:
        c = done_count(s["count"])
        if c >= value:
            if prev is None or c == prev[1]:
                return s["t"]
            return prev[0] + (s["t"] - prev[0]) * (value - prev[1]) / (c - prev[1])
        prev = (s["t"], c)
    return None


def slope(xs, ys):
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def feed(feeder, records, rate, seconds, run):
    args = [feeder, "--topic", "feedback.raw.v1", "--records", str(records), "--rate", str(rate),
            "--seconds", str(seconds), "--run", run]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return {k: float(v) for k, v in re.findall(r"^BENCH (\S+) (\S+)$", out, re.M)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--rate", type=float, default=0, help="fixed rate; 0 = half the full-speed figure")
    ap.add_argument("--duration", type=float, default=600, help="seconds of the fixed-rate phase")
    ap.add_argument("--replicas", type=int, default=1)
    ap.add_argument("--skip-fixed", action="store_true")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(root)  # the configs name repository paths
    work = tempfile.mkdtemp(prefix="fbl-pipeline-bench-")
    keyring = os.path.join(work, "keyring")
    subprocess.run([os.path.join(root, "scripts/keyring.sh"), keyring], check=True, capture_output=True)
    run = str(int(time.time() * 1e6))
    env = {"FBL__KAFKA_BROKERS": os.environ["FBL_KAFKA_BROKERS"], "FBL__REDIS__PORT": os.environ["FBL_REDIS_PORT"]}
    services = []
    try:
        for name in SERVICES:
            e = {"FBL__KAFKA_BROKERS": env["FBL__KAFKA_BROKERS"], "FBL__REDIS__PORT": env["FBL__REDIS__PORT"],
                 # fresh groups and keys: nothing left from an earlier run is counted
                 "FBL__CONSUMER__GROUP_ID": f"bench-{name}-{run}"}
            if name == "intake":
                e["FBL__KEYRING_FILE"] = keyring
            else:
                e["FBL__REDIS_KEY_PREFIX"] = f'"fbl:bench:{run}:{name}:"'  # YAML: quoted
            if name == "analytics":
                wo = next(s for s in services if s.name == "workorder")
                e["FBL__WORKORDER_ADDR"] = f"127.0.0.1:{wo.grpc_port}"
            for i in range(a.replicas):
                services.append(Service(name, i, os.path.join(a.build_dir, "services", name, name),
                                        os.path.join(root, "deploy/local", f"{name}.yaml"), e, work))
        feeder = os.path.join(a.build_dir, "bench", "pipeline_feeder")
        sampler = Sampler(services, 0.25)
        sampler.start()
        # Warm-up: 200 records through every stage (group joins, model loads).
        feed(feeder, 200, 0, 60, run + "w")
        if wait_for(sampler, 200 * 0.9, 120) is None:
            print("warning: warm-up records not all counted by analytics", file=sys.stderr)
        time.sleep(2)
        base = sampler.latest()["count"]
        base_done = done_count(base)

        # --- phase 1: full speed ---
        t_start = time.time()
        fed = feed(feeder, a.records, 0, 600, run + "f")
        # Intake may count a few records as rejected/near-duplicates; analytics counts what classification emits.
        target = base_done + 0.99 * fed["feeder_sent"]
        t_done = wait_for(sampler, target, 600)
        t_end = t_done or time.time()
        full = sampler.since(t_start)
        last = full[-1]["count"] if full else base
        done = done_count(last) - base_done
        elapsed = t_end - t_start
        e2e_rate = done / elapsed if elapsed > 0 else 0
        t10 = crossing(full, base_done + 0.1 * done)
        t90 = crossing(full, base_done + 0.9 * done)
        full_rate = 0.8 * done / (t90 - t10) if t10 is not None and t90 is not None and t90 > t10 else e2e_rate
        # Per stage: the busiest window of at least 2 s of each counter.
        stage_rate = {}
        for name in SERVICES:
            best, j = 0.0, 0
            for i in range(len(full)):
                while j < len(full) and full[j]["t"] - full[i]["t"] < 2.0:
                    j += 1
                if j == len(full):
                    break
                best = max(best, (full[j]["count"][name] - full[i]["count"][name]) / (full[j]["t"] - full[i]["t"]))
            stage_rate[name] = best
        result = {
            "replicas": a.replicas,
            "full_speed": {
                "records": fed["feeder_sent"], "producer_rate": fed["feeder_rate"], "processed": done,
                "seconds": elapsed, "complete": t_done is not None, "rate": full_rate, "end_to_end_rate": e2e_rate,
                "stage_peak_rate": stage_rate,
                "max_lag": {n: max((s["lag"][n] for s in full), default=0) for n in SERVICES},
                "mean_cpu_pct": {n: sum(s["cpu"][n] for s in full) / max(1, len(full)) for n in SERVICES},
                "max_rss_mb": {n: max((s["rss_mb"][n] for s in full), default=0) for n in SERVICES},
            },
        }
        print(f"\npipeline, full speed ({a.replicas} replica(s) per service): {int(fed['feeder_sent'])} records "
              f"produced at {fed['feeder_rate']:.0f}/s, {int(done)} fully processed (counted by analytics and taken by workorder) in {elapsed:.1f} s "
              f"= {e2e_rate:.0f} records/s end to end, {full_rate:.0f} records/s sustained (10-90 %)"
              f"{'' if t_done else ' (INCOMPLETE: timed out)'}")
        print(f"{'service':<16}{'peak rec/s':>12}{'max lag':>10}{'cpu %':>8}{'max rss MB':>12}")
        for n in SERVICES:
            f = result["full_speed"]
            print(f"{n:<16}{stage_rate[n]:>12.0f}{f['max_lag'][n]:>10.0f}{f['mean_cpu_pct'][n]:>8.0f}"
                  f"{f['max_rss_mb'][n]:>12.1f}")

        # --- phase 2: fixed rate, memory trend ---
        if not a.skip_fixed:
            sampler.interval = 1.0  # the memory run needs no finer resolution
            time.sleep(3)
            rate = a.rate or max(10.0, full_rate / 2)
            before = sampler.latest()["count"]
            t0 = time.time()
            fed2 = feed(feeder, 10 ** 9, rate, a.duration, run + "r")
            settle = wait_for(sampler, done_count(before) + 0.99 * fed2["feeder_sent"], 60)
            samples = sampler.since(t0)
            t_feed_end = t0 + fed2["feeder_seconds"]
            during = [s for s in samples if s["t"] <= t_feed_end]
            warm = [s for s in during if s["t"] >= t0 + min(30, 0.2 * a.duration)]
            mem = {}
            for n in SERVICES:
                xs = [s["t"] - t0 for s in warm]
                ys = [s["rss_mb"][n] for s in warm]
                if len(xs) >= 2:
                    k = slope(xs, ys)
                    growth = 100 * k * (xs[-1] - xs[0]) / (sum(ys) / len(ys))
                else:
                    k, growth = 0.0, 0.0
                mem[n] = {"start_mb": ys[0] if ys else 0, "end_mb": ys[-1] if ys else 0,
                          "slope_mb_per_min": 60 * k, "growth_pct": growth}
            processed = (done_count(samples[-1]["count"]) - done_count(before)) if samples else 0
            result["fixed_rate"] = {
                "target_rate": rate, "achieved_feed_rate": fed2["feeder_rate"], "seconds": fed2["feeder_seconds"],
                "records": fed2["feeder_sent"], "processed": processed, "caught_up": settle is not None,
                "catch_up_seconds": (settle - t_feed_end) if settle else None,
                "lag_series": [[round(s["t"] - t0, 1), s["lag"]] for s in samples],
                "rss_series": [[round(s["t"] - t0, 1), s["rss_mb"]] for s in samples],
                "max_lag": {n: max((s["lag"][n] for s in during), default=0) for n in SERVICES},
                "mean_cpu_pct": {n: sum(s["cpu"][n] for s in during) / max(1, len(during)) for n in SERVICES},
                "memory": mem,
                "max_growth_pct": max((m["growth_pct"] for m in mem.values()), default=0),
            }
            fr = result["fixed_rate"]
            catch = "" if settle is None else f" {fr['catch_up_seconds']:.1f} s after the feed ended"
            print(f"\npipeline, fixed rate {rate:.0f}/s for {fr['seconds']:.0f} s: fed {fr['achieved_feed_rate']:.0f}/s, "
                  f"{'caught up' + catch if fr['caught_up'] else 'NOT caught up'}")
            print(f"{'service':<16}{'max lag':>10}{'cpu %':>8}{'rss start':>11}{'rss end':>9}{'MB/min':>8}{'growth %':>10}")
            for n in SERVICES:
                m = mem[n]
                print(f"{n:<16}{fr['max_lag'][n]:>10.0f}{fr['mean_cpu_pct'][n]:>8.0f}{m['start_mb']:>11.1f}"
                      f"{m['end_mb']:>9.1f}{m['slope_mb_per_min']:>8.2f}{m['growth_pct']:>10.2f}")
            # Lag over time, every 10 s.
            print("lag over time (s: intake/classification/alerting/workorder/analytics):")
            print("  " + "  ".join(f"{t:.0f}:{'/'.join(str(int(l[n])) for n in SERVICES)}"
                                  for t, l in fr["lag_series"][::10]))
        sampler.stop_flag.set()
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
    finally:
        for s in reversed(services):
            s.stop()


if __name__ == "__main__":
    main()
