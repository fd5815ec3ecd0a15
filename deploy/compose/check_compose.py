#!/usr/bin/env python3
"""Checks deploy/compose/compose.yaml without Docker:

- against the Compose Specification JSON schema (--schema FILE, the
  compose-spec.json that scripts/test-tools.sh caches);
- references: depends_on, configs, volumes name things that exist; config
  files and bind-mounted folders exist;
- the services' config files (deploy/compose/config/) agree with compose and
  Prometheus: gRPC port published, metrics port scraped by the job named after
  the service, Kafka and Redis at their compose hostnames;
- Grafana's provisioning (deploy/grafana, mounted): data sources reach a
  compose service, dashboard providers read the mounted dashboards folder;
- no drift from deploy/local/<service>.yaml: the same config keys (the
  notifier's roster and SMS gateway differ on purpose; analytics is checked
  once its compose config is more than the placeholder).

  deploy/compose/check_compose.py --schema compose-spec.json
Prints one line per problem; exits 1 if there is any.
"""
import argparse
import json
import os
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SERVICES = ["intake", "classification", "alerting", "notifier", "workorder", "analytics"]
PLACEHOLDER = "# analytics config: see services/analytics/README.md"
# Config subtrees that differ from deploy/local on purpose, per service.
LOCAL_DIFFERENCES = {"notifier": ["people", "channels.sms"]}


def key_paths(node, prefix=""):
    """Dotted paths of every mapping key (lists are leaves)."""
    out = set()
    if isinstance(node, dict):
        for k, v in node.items():
            p = f"{prefix}.{k}" if prefix else str(k)
            out.add(p)
            out |= key_paths(v, p)
    return out


def port_of(listen):
    return int(str(listen).rsplit(":", 1)[1])


def grafana_problems(doc, base):
    """Provisioning files, as Grafana inside compose would read them."""
    problems = []
    grafana = doc.get("services", {}).get("grafana")
    if grafana is None:
        return ["service grafana is missing"]
    mounts = {}
    for v in grafana.get("volumes", []):
        parts = v.split(":") if isinstance(v, str) else [v.get("source", ""), v.get("target", "")]
        if parts[0].startswith((".", "/")):
            mounts[parts[1]] = os.path.normpath(os.path.join(base, parts[0]))
    prov = mounts.get("/etc/grafana/provisioning")
    if not prov or not os.path.isdir(prov):
        return ["grafana: no provisioning folder mounted at /etc/grafana/provisioning"]

    def files(sub):
        d = os.path.join(prov, sub)
        return [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith((".yaml", ".yml"))] if os.path.isdir(d) else []

    sources = [ds for f in files("datasources") for ds in (yaml.safe_load(open(f, encoding="utf-8")) or {}).get("datasources", [])]
    if not sources:
        problems.append("grafana: no data source in provisioning/datasources/")
    for ds in sources:
        host = str(ds.get("url", "")).split("://", 1)[-1].split("/")[0].split(":")[0]
        if host not in doc.get("services", {}):
            problems.append(f"grafana: data source {ds.get('name')} points at {ds.get('url')}, not a compose service")
    providers = [p for f in files("dashboards") for p in (yaml.safe_load(open(f, encoding="utf-8")) or {}).get("providers", [])]
    if not providers:
        problems.append("grafana: no dashboard provider in provisioning/dashboards/")
    for p in providers:
        path = str(p.get("options", {}).get("path", ""))
        target = next((t for t in mounts if path == t or path.startswith(t + "/")), None)
        if target is None or target == "/etc/grafana/provisioning":
            problems.append(f"grafana: dashboard provider {p.get('name')} reads {path}, which no dashboards mount provides")
        elif not any(f.endswith(".json") for _, _, fs in os.walk(mounts[target] + path[len(target):]) for f in fs):
            problems.append(f"grafana: dashboard provider {p.get('name')} reads {path}, which holds no dashboard")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema", required=True, help="compose-spec.json")
    ap.add_argument("--compose", default=os.path.join(HERE, "compose.yaml"))
    args = ap.parse_args()
    problems = []
    base = os.path.dirname(os.path.abspath(args.compose))
    doc = yaml.safe_load(open(args.compose, encoding="utf-8"))

    schema = json.load(open(args.schema, encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        problems.append(f"schema: {where}: {err.message[:300]}")

    services = doc.get("services", {})
    declared = {kind: set((doc.get(kind) or {}).keys()) for kind in ("configs", "volumes", "secrets")}
    for name, svc in services.items():
        deps = svc.get("depends_on", {})
        for dep in (deps if isinstance(deps, list) else deps.keys()):
            if dep not in services:
                problems.append(f"{name}: depends_on unknown service {dep}")
        for c in svc.get("configs", []):
            src = c["source"] if isinstance(c, dict) else c
            if src not in declared["configs"]:
                problems.append(f"{name}: config {src} is not declared under configs:")
        for v in svc.get("volumes", []):
            src = (v.get("source") if isinstance(v, dict) else v.split(":")[0]) or ""
            if src.startswith((".", "/")):
                if not os.path.exists(os.path.join(base, src)):
                    problems.append(f"{name}: bind mount source {src} does not exist")
            elif src and src not in declared["volumes"]:
                problems.append(f"{name}: volume {src} is not declared under volumes:")
    for cname, c in (doc.get("configs") or {}).items():
        if "file" in c and not os.path.exists(os.path.join(base, c["file"])):
            problems.append(f"configs.{cname}: file {c['file']} does not exist")

    # Prometheus: scrape jobs by name -> targets.
    prom_path = os.path.join(ROOT, "deploy", "prometheus", "prometheus.yml")
    prom = yaml.safe_load(open(prom_path, encoding="utf-8"))
    jobs = {j["job_name"]: [t for sc in j.get("static_configs", []) for t in sc.get("targets", [])]
            for j in prom.get("scrape_configs", [])}

    for name in SERVICES:
        svc = services.get(name)
        if svc is None:
            problems.append(f"service {name} is missing")
            continue
        if svc.get("command", [None])[0] != name:
            problems.append(f"{name}: command does not start the {name} binary")
        mounts = [c for c in svc.get("configs", []) if isinstance(c, dict)]
        if len(mounts) != 1 or mounts[0].get("target") != "/etc/feedbackloop/config.yaml" \
                or "/etc/feedbackloop/config.yaml" not in svc.get("command", []):
            problems.append(f"{name}: expected one config mounted at /etc/feedbackloop/config.yaml and passed by --config")
            continue
        cfg_file = os.path.join(base, doc["configs"][mounts[0]["source"]]["file"])
        cfg_text = open(cfg_file, encoding="utf-8").read()
        cfg = yaml.safe_load(cfg_text) or {}
        server = cfg.get("server", {})
        try:
            grpc, metrics = port_of(server["grpc_listen"]), port_of(server["metrics_listen"])
        except (KeyError, ValueError, IndexError):
            problems.append(f"{name}: config has no server.grpc_listen/metrics_listen host:port")
            continue
        if not str(server["grpc_listen"]).startswith("0.0.0.0:") or not str(server["metrics_listen"]).startswith("0.0.0.0:"):
            problems.append(f"{name}: listens on {server['grpc_listen']}/{server['metrics_listen']}, not 0.0.0.0 (unreachable from other containers)")
        published = [str(p).rsplit(":", 1)[-1] for p in svc.get("ports", [])]
        if str(grpc) not in published:
            problems.append(f"{name}: gRPC port {grpc} is not published (ports: {svc.get('ports')})")
        if jobs.get(name) != [f"{name}:{metrics}"]:
            problems.append(f"{name}: prometheus.yml job {name} scrapes {jobs.get(name)}, config serves {name}:{metrics}")
        if cfg.get("kafka_brokers") != "kafka:9092":
            problems.append(f"{name}: kafka_brokers is {cfg.get('kafka_brokers')}, expected kafka:9092")
        if cfg.get("redis", {}).get("host") != "redis" or cfg.get("redis", {}).get("port") != 6379:
            problems.append(f"{name}: redis is {cfg.get('redis')}, expected redis:6379")

        local = os.path.join(ROOT, "deploy", "local", f"{name}.yaml")
        if name == "analytics" and cfg_text.startswith(PLACEHOLDER) and len(key_paths(cfg)) <= 8:
            print(f"note: analytics: compose config is still the placeholder; not compared with deploy/local")
        elif os.path.exists(local):
            ours = key_paths(cfg)
            theirs = key_paths(yaml.safe_load(open(local, encoding="utf-8")) or {})
            skip = LOCAL_DIFFERENCES.get(name, [])
            differ = lambda p: not any(p == s or p.startswith(s + ".") for s in skip)
            for p in sorted(filter(differ, theirs - ours)):
                problems.append(f"{name}: deploy/local/{name}.yaml has {p}, the compose config does not")
            for p in sorted(filter(differ, ours - theirs)):
                problems.append(f"{name}: the compose config has {p}, deploy/local/{name}.yaml does not")

    problems += grafana_problems(doc, base)

    extra_jobs = set(jobs) - set(SERVICES) - {"prometheus"}
    for j in sorted(extra_jobs):
        problems.append(f"prometheus.yml job {j} is not a Feedback Loop service")

    for p in problems:
        print(f"problem: {p}")
    print(f"note: {len(services)} compose services, {len(SERVICES)} Feedback Loop service configs checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
