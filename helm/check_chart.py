#!/usr/bin/env python3
"""Checks of the feedbackloop chart that schemas cannot make.

  helm/check_chart.py files [--sync]        chart copies in files/ == deploy/ originals
  helm/check_chart.py rendered FILE...       `helm template` output, one file per values set
  helm/check_chart.py configs FILE OUTDIR    write each service's rendered config.yaml to OUTDIR

Rendered checks: every service runs its own binary with its ConfigMap; gRPC
probes, Service, ServiceMonitor, HPA and PDB point at the right ports and
pods; every pod is non-root with a read-only root filesystem, no
capabilities and a /tmp emptyDir; the data ConfigMaps and the PrometheusRule
hold exactly the deploy/ files; the services' configs keep every key of
deploy/local/<service>.yaml (no drift).
Prints one line per problem; exits 1 if there is any.
"""
import filecmp
import os
import shutil
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CHART = os.path.join(HERE, "feedbackloop")
# chart copy -> original
COPIES = {
    "files/taxonomy.yaml": "deploy/taxonomy/taxonomy.yaml",
    "files/red_alert.yaml": "deploy/rules/red_alert.yaml",
    "files/topics.yaml": "deploy/topics.yaml",
    "files/prometheus/feedbackloop.rules.yml": "deploy/prometheus/rules/feedbackloop.rules.yml",
}
SERVICES = ["intake", "classification", "alerting", "notifier", "workorder", "analytics"]
# deploy/local keys a deployment sets differently on purpose (roster, local SMS stand-in).
LOCAL_DIFFERENCES = {"notifier": ["people", "rotations", "routes", "overrides", "channels.sms"]}


def key_paths(node, prefix=""):
    out = set()
    if isinstance(node, dict):
        for k, v in node.items():
            p = f"{prefix}.{k}" if prefix else str(k)
            out.add(p)
            out |= key_paths(v, p)
    return out


def check_files(sync):
    problems = []
    for copy, original in COPIES.items():
        c, o = os.path.join(CHART, copy), os.path.join(ROOT, original)
        if os.path.exists(c) and filecmp.cmp(c, o, shallow=False):
            continue
        if sync:
            os.makedirs(os.path.dirname(c), exist_ok=True)
            shutil.copyfile(o, c)
            print(f"note: copied {original} to helm/feedbackloop/{copy}")
        else:
            problems.append(f"helm/feedbackloop/{copy} differs from {original} "
                            f"(run scripts/validate-deploy.sh --sync-chart-files)")
    return problems


def load(path):
    return [d for d in yaml.safe_load_all(open(path, encoding="utf-8")) if d]


def pod_problems(where, pod, deployment):
    problems = []
    psc = pod.get("securityContext", {})
    if not psc.get("runAsNonRoot") or psc.get("runAsUser", 0) == 0:
        problems.append(f"{where}: pod not runAsNonRoot with a non-zero runAsUser")
    if pod.get("automountServiceAccountToken") is not False:
        problems.append(f"{where}: mounts a service account token")
    tmp_volumes = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
    for c in pod.get("containers", []) + pod.get("initContainers", []):
        sc = c.get("securityContext", {})
        if not sc.get("readOnlyRootFilesystem"):
            problems.append(f"{where}/{c['name']}: root filesystem not read-only")
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where}/{c['name']}: allowPrivilegeEscalation not false")
        if sc.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append(f"{where}/{c['name']}: capabilities not drop [ALL]")
        if "limits" not in c.get("resources", {}) or "requests" not in c.get("resources", {}):
            problems.append(f"{where}/{c['name']}: no resource requests and limits")
        if deployment and not any(m["mountPath"] == "/tmp" and m["name"] in tmp_volumes for m in c.get("volumeMounts", [])):
            problems.append(f"{where}/{c['name']}: no emptyDir at /tmp")
    return problems


def matches(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def check_rendered(path):
    problems = []
    docs = load(path)
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    configmaps = by_kind.get("ConfigMap", {})
    services = by_kind.get("Service", {})
    rendered_services = 0
    for name, dep in by_kind.get("Deployment", {}).items():
        component = dep["metadata"]["labels"].get("app.kubernetes.io/component")
        where = f"{os.path.basename(path)}: Deployment {name}"
        pod = dep["spec"]["template"]["spec"]
        labels = dep["spec"]["template"]["metadata"]["labels"]
        if not matches(dep["spec"]["selector"]["matchLabels"], labels):
            problems.append(f"{where}: selector does not match its pods")
        problems += pod_problems(where, pod, True)
        (c,) = pod["containers"]
        if c["args"][:3] != [component, "--config", "/etc/feedbackloop/config/config.yaml"]:
            problems.append(f"{where}: args {c['args']} do not run {component} with the mounted config")
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            if c.get(probe, {}).get("grpc", {}).get("port") != ports.get("grpc"):
                problems.append(f"{where}: {probe} is not a gRPC probe on the grpc port")
        cm_name = next((v["configMap"]["name"] for v in pod["volumes"] if v["name"] == "config"), None)
        cm = configmaps.get(cm_name)
        if cm is None:
            problems.append(f"{where}: config ConfigMap {cm_name} not rendered")
            continue
        rendered_services += 1
        cfg = yaml.safe_load(cm["data"]["config.yaml"])
        for key, port in (("grpc_listen", ports.get("grpc")), ("metrics_listen", ports.get("metrics"))):
            if cfg["server"][key] != f"0.0.0.0:{port}":
                problems.append(f"{where}: server.{key} {cfg['server'][key]} is not 0.0.0.0:{port}")
        for mount, key in (("/etc/feedbackloop/taxonomy", "taxonomy_file"), ("/etc/feedbackloop/rules", "rules_file"),
                           ("/etc/feedbackloop/keyring", "keyring_file")):
            mounted = any(m["mountPath"] == mount for m in c["volumeMounts"])
            if mounted != (key in cfg) or (mounted and not cfg[key].startswith(mount + "/")):
                problems.append(f"{where}: {key} and the volume at {mount} disagree")
        local = os.path.join(ROOT, "deploy", "local", f"{component}.yaml")
        if component == "analytics" and not (set(cfg) - {"server", "kafka_brokers", "redis", "consumer", "producer"}):
            print(f"note: {os.path.basename(path)}: analytics config is empty in values.yaml; not compared with deploy/local")
        elif os.path.exists(local):
            skip = LOCAL_DIFFERENCES.get(component, [])
            for p in sorted(key_paths(yaml.safe_load(open(local, encoding="utf-8"))) - key_paths(cfg)):
                if not any(p == s or p.startswith(s + ".") for s in skip):
                    problems.append(f"{where}: config lacks {p} (deploy/local/{component}.yaml has it)")
        svc = services.get(name)
        if svc is None or not matches(svc["spec"]["selector"], labels):
            problems.append(f"{where}: no Service selecting its pods")
        elif {p["name"]: p["targetPort"] for p in svc["spec"]["ports"]} != {"grpc": "grpc", "metrics": "metrics"}:
            problems.append(f"{where}: Service ports are not grpc and metrics")
        sm = by_kind.get("ServiceMonitor", {}).get(name)
        if sm is not None and (svc is None or not matches(sm["spec"]["selector"]["matchLabels"], svc["metadata"]["labels"])
                               or sm["spec"]["endpoints"][0]["port"] != "metrics"):
            problems.append(f"{where}: ServiceMonitor does not select its Service's metrics port")
        hpa = by_kind.get("HorizontalPodAutoscaler", {}).get(name)
        if hpa is not None and hpa["spec"]["scaleTargetRef"]["name"] != name:
            problems.append(f"{where}: HPA scales {hpa['spec']['scaleTargetRef']['name']}")
        if (hpa is None) == ("replicas" not in dep["spec"]):
            problems.append(f"{where}: replicas must be set exactly when there is no HPA")
        pdb = by_kind.get("PodDisruptionBudget", {}).get(name)
        if pdb is not None and not matches(pdb["spec"]["selector"]["matchLabels"], labels):
            problems.append(f"{where}: PodDisruptionBudget does not select its pods")
    for name, job in by_kind.get("Job", {}).items():
        problems += pod_problems(f"{os.path.basename(path)}: Job {name}", job["spec"]["template"]["spec"], False)
    for cm in configmaps.values():
        for key, original in (("taxonomy.yaml", "deploy/taxonomy/taxonomy.yaml"), ("red_alert.yaml", "deploy/rules/red_alert.yaml")):
            if key in cm.get("data", {}) and cm["data"][key] != open(os.path.join(ROOT, original), encoding="utf-8").read():
                problems.append(f"{os.path.basename(path)}: ConfigMap {cm['metadata']['name']} {key} is not {original}")
    rules = yaml.safe_load(open(os.path.join(ROOT, COPIES["files/prometheus/feedbackloop.rules.yml"]), encoding="utf-8"))
    for name, pr in by_kind.get("PrometheusRule", {}).items():
        if pr["spec"] != rules:
            problems.append(f"{os.path.basename(path)}: PrometheusRule {name} is not deploy/prometheus/rules/feedbackloop.rules.yml")
    print(f"note: {os.path.basename(path)}: {len(docs)} objects, {rendered_services} services checked")
    return problems


def write_configs(path, outdir):
    os.makedirs(outdir, exist_ok=True)
    for d in load(path):
        if d["kind"] == "Deployment":
            component = d["metadata"]["labels"]["app.kubernetes.io/component"]
            pod = d["spec"]["template"]["spec"]
            cm_name = next(v["configMap"]["name"] for v in pod["volumes"] if v["name"] == "config")
            cm = next(x for x in load(path) if x["kind"] == "ConfigMap" and x["metadata"]["name"] == cm_name)
            with open(os.path.join(outdir, f"{component}.yaml"), "w", encoding="utf-8") as f:
                f.write(cm["data"]["config.yaml"])


def main(argv):
    if not argv or argv[0] not in ("files", "rendered", "configs"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "configs":
        write_configs(argv[1], argv[2])
        return 0
    problems = check_files("--sync" in argv) if argv[0] == "files" else \
        [p for f in argv[1:] for p in check_rendered(f)]
    for p in problems:
        print(f"problem: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
