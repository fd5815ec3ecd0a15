#!/usr/bin/env python3
"""Turns the logs of one scripts/bench.sh run into the results table.

Reads <dir>/*.log (`BENCH key value` lines, and classification_bench's table)
and <dir>/pipeline.json; prints a Markdown table and writes
<dir>/results.md and <dir>/results.json: every figure, its baseline, the ratio
and whether the issue's target is met.
  report.py DIR [--mode quick|full] [--load TEXT]
"""
import argparse
import glob
import json
import os
import re
import time

# Kafka hops on the longest path: raw -> intake -> accepted -> classification
# -> classified -> workorder -> tickets.events -> analytics (docs/topics.md).
PIPELINE_HOPS = 4
# raw -> intake -> accepted -> alerting -> alerts -> notifier (then the webhook).
ALERT_HOPS = 3


def read_bench(d):
    values = {}
    for path in glob.glob(os.path.join(d, "*.log")):
        with open(path, errors="replace") as f:
            text = f.read()
        for k, v in re.findall(r"^BENCH (\S+) (\S+)$", text, re.M):
            values[k] = float(v)
        if os.path.basename(path) == "classification.log":
            # Row labels of classification_bench (full: "full classification ..." or,
            # with the tag model, "full (rules + tag model ...)").
            for key, label in [("hyperscan_rate", r"raw hyperscan"), ("fasttext_rate", r"raw fasttext"),
                               ("tag_model_rate", r"raw tag model"), ("rules_rate", r"phrase rules"),
                               ("classification_rate", r"full(?! without)")]:
                m = re.search(r"^" + label + r".*?\s(\d+)\s+[\d.]+x$", text, re.M)
                if m:
                    values[key] = float(m.group(1))
            m = re.search(r"^tag model asked for ([\d.]+)%", text, re.M)
            if m:
                values["tag_model_asked_pct"] = float(m.group(1))
    return values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--mode", default="full")
    ap.add_argument("--note", default="")
    a = ap.parse_args()
    v = read_bench(a.dir)
    pipe = {}
    if os.path.exists(os.path.join(a.dir, "pipeline.json")):
        with open(os.path.join(a.dir, "pipeline.json")) as f:
            pipe = json.load(f)

    rows = []  # (figure, value, unit, baseline text, baseline value, ratio, target text, met)

    def row(figure, value, unit, baseline="", base_value=None, ratio=None, target="", met=None):
        rows.append({"figure": figure, "value": value, "unit": unit, "baseline": baseline, "baseline_value": base_value,
                     "ratio": ratio, "target": target, "met": met})

    g = v.get
    # Baselines.
    row("kafka produce, warm (project settings, real records; faster of linger 2 / 10 ms)", g("kafka_produce_rate"),
        "rec/s")
    if g("kafka_produce_2ms_rate") and g("kafka_produce_10ms_rate"):
        row("  linger 2 ms / 10 ms", f"{g('kafka_produce_2ms_rate'):.0f} / {g('kafka_produce_10ms_rate'):.0f}", "rec/s")
    row("kafka consume (group, batch 500)", g("kafka_consume_rate"), "rec/s")
    row("kafka one-hop produce->consume p50", g("kafka_hop_p50_ms"), "ms")
    row("kafka one-hop produce->consume p99", g("kafka_hop_p99_ms"), "ms")
    row("grpc echo (health Check) p50, 1 client", g("grpc_echo_p50_ms"), "ms")
    row("grpc echo (health Check) p99, 1 client", g("grpc_echo_p99_ms"), "ms")
    row("grpc echo calls/s, 4 clients", g("grpc_echo_rate"), "calls/s")
    row("webhook POST alone p99 (libcurl -> local receiver)", g("webhook_p99_ms"), "ms")

    # Against the warm one-hop figure of the baseline step (intake_bench's own
    # raw figure includes connecting, like the cold baseline did before).
    b = g("kafka_one_hop_rate") or g("intake_raw_baseline_rate")
    if g("intake_kafka_rate") and b:
        row("intake in-process, raw -> accepted (full mode)", g("intake_kafka_rate"), "rec/s",
            "raw one hop (warm)", b, g("intake_kafka_rate") / b)
        row("intake over gRPC, batches of 100, 4 clients", g("intake_grpc_rate"), "rec/s",
            "raw one hop (warm)", b, g("intake_grpc_rate") / b)
    # Target 1: pipeline throughput.
    hop_rate = g("kafka_one_hop_rate")
    full = pipe.get("full_speed", {})
    if full:
        base = hop_rate / PIPELINE_HOPS if hop_rate else None
        r = full["rate"] / base if base else None
        row("pipeline sustained rec/s fully processed (analytics + workorder), 10-90 % of the records",
            full["rate"], "rec/s", f"raw one-hop {hop_rate:.0f}/s / {PIPELINE_HOPS} hops" if hop_rate else "", base, r,
            ">= 0.5", (r >= 0.5) if r is not None else None)
        if "end_to_end_rate" in full:
            row("  same, end to end (first produced -> last done: fills and drains the pipeline)",
                full["end_to_end_rate"], "rec/s", "")
        for n, rate in full.get("stage_peak_rate", {}).items():
            row(f"  {n}: peak 2 s rate / max lag / mean CPU % / max RSS MB",
                f"{rate:.0f} / {full['max_lag'][n]:.0f} / {full['mean_cpu_pct'][n]:.0f} / {full['max_rss_mb'][n]:.0f}",
                "")
    # Target 2: red alert p99 at half the max sustained rate.
    # The hop baseline is red_alert_bench's own, measured in the same process
    # with the same producer settings as the path it times (linger 0).
    if g("alert_loaded_p99_ms") is not None and g("alert_hop_p99_ms") is not None and g("webhook_p99_ms") is not None:
        bound = 3 * (ALERT_HOPS * g("alert_hop_p99_ms")) + g("webhook_p99_ms")
        r = g("alert_loaded_p99_ms") / bound
        row("kafka one hop p99, red-alert settings (linger 0, small record)", g("alert_hop_p99_ms"), "ms")
        row(f"red alert p99, raw -> webhook, under {g('alert_load_rate', 0):.0f} rec/s", g("alert_loaded_p99_ms"), "ms",
            f"3 x ({ALERT_HOPS} x hop p99) + webhook p99", bound, r, "<= 1.0", r <= 1.0)
        row("red alert p50 under load / p99 idle", f"{g('alert_loaded_p50_ms'):.1f} / {g('alert_idle_p99_ms'):.1f}", "ms")
    # Target 3: classification vs raw Hyperscan + fastText.
    h, f_ = g("hyperscan_rate"), g("fasttext_rate")
    row("raw hyperscan (one thread)", h, "rec/s")
    row("raw fasttext (one thread)", f_, "rec/s")
    if h and f_ and g("classification_rate"):
        combined = 1 / (1 / h + 1 / f_)
        r = g("classification_rate") / combined
        row("full classification (one thread)", g("classification_rate"), "rec/s", "1/(1/hyperscan + 1/fasttext)",
            combined, r, ">= 0.7", r >= 0.7)
        # The path runs a second fastText model (L3 tags) where no rule fired:
        # the raw engines it runs, for comparison (not the target).
        t, asked = g("tag_model_rate"), g("tag_model_asked_pct")
        if t and asked is not None:
            engines = 1 / (1 / h + 1 / f_ + asked / 100 / t)
            row(f"  same vs the raw engines it runs (+ raw tag model on {asked:.1f} % of texts)",
                g("classification_rate"), "rec/s", "1/(1/hs + 1/ft + share/tag model)", engines,
                g("classification_rate") / engines)
    # Target 4: ticket transitions vs redis-benchmark.
    if g("ticket_transition_rate") and g("redis_benchmark_rate"):
        r = g("ticket_transition_rate") / g("redis_benchmark_rate")
        row("ticket transitions (4 clients)", g("ticket_transition_rate"), "ops/s", "redis-benchmark, same script",
            g("redis_benchmark_rate"), r, ">= 0.5", r >= 0.5)
    # Target 5: memory flat.
    fixed = pipe.get("fixed_rate")
    if fixed:
        growth = fixed["max_growth_pct"]
        worst = max(fixed["memory"], key=lambda n: fixed["memory"][n]["growth_pct"])
        row(f"RSS growth after warm-up, {fixed['seconds']:.0f} s at {fixed['achieved_feed_rate']:.0f} rec/s "
            f"(worst: {worst})", growth, "%", "", None, None, "< 5 %", growth < 5)
        row("fixed-rate run caught up (lag back to ~0)", "yes" if fixed["caught_up"] else "NO", "")

    def fmt(x):
        if x is None:
            return "–"
        if isinstance(x, str):
            return x
        if abs(x) >= 100:
            return f"{x:,.0f}"
        return f"{x:.2f}"

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"# Benchmark results, {stamp} ({a.mode} mode)", ""]
    if a.note:
        lines += [a.note, ""]
    lines += ["| figure | value | unit | baseline | baseline value | ratio | target | met |",
              "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        met = "" if r["met"] is None else ("**yes**" if r["met"] else "**no**")
        lines.append(f"| {r['figure']} | {fmt(r['value'])} | {r['unit']} | {r['baseline']} | {fmt(r['baseline_value'])} "
                     f"| {fmt(r['ratio'])} | {r['target']} | {met} |")
    met = [r for r in rows if r["met"] is not None]
    lines += ["", f"Targets met: {sum(1 for r in met if r['met'])} of {len(met)}."]
    md = "\n".join(lines) + "\n"
    print(md)
    with open(os.path.join(a.dir, "results.md"), "w") as f:
        f.write(md)
    with open(os.path.join(a.dir, "results.json"), "w") as f:
        json.dump({"time": stamp, "mode": a.mode, "figures": v, "pipeline": pipe, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
