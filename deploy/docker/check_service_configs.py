#!/usr/bin/env python3
"""Starts the real service binaries (those the image ships) on deployment
config files, to prove each file loads: unknown keys, wrong types and bad
data files fail at start (libs/runtime/config.h). Kafka and Redis are pointed
at a closed loopback port, so a service that got past its config and data
files stops at its first connection; that is a pass.

  deploy/docker/check_service_configs.py --build-dir build CONFIG_DIR
CONFIG_DIR holds <service>.yaml files (deploy/compose/config, or the configs
of a `helm template` written by helm/check_chart.py configs). Paths the chart
mounts (/etc/feedbackloop/...) are redirected to the repository's copies;
relative paths resolve from the repository root, as in the image's
/opt/feedbackloop. Services not built are skipped with a note. With
--cache-dir, a pass is remembered for the same binary, config file and data
files, so a warm run starts nothing.
Prints one line per problem; exits 1 if there is any.
"""
import argparse
import concurrent.futures
import hashlib
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLOSED = "127.0.0.1:1"  # nothing listens on port 1 here
# Test key material, hand-written for this check only (never deployed):
# 32 bytes of 0x02 and of 0x03.
TEST_KEYRING = ("pseudonym p-check AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI= active\n"
                "contact c-check AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM= active\n")
# Where the chart mounts data -> the repository's copy of it.
MOUNTED = {
    "taxonomy_file": ("/etc/feedbackloop/taxonomy/", "helm/feedbackloop/files/"),
    "rules_file": ("/etc/feedbackloop/rules/", "helm/feedbackloop/files/"),
}


def stamp(paths):
    """Identity of files and folders: path, size and mtime of every file."""
    h = hashlib.sha256()
    for top in paths:
        for dirpath, _, files in sorted(os.walk(top)) if os.path.isdir(top) else [(os.path.dirname(top), [], [os.path.basename(top)])]:
            for f in sorted(files):
                st = os.stat(os.path.join(dirpath, f))
                h.update(f"{os.path.join(dirpath, f)} {st.st_size} {st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def cache_key(binary, cfg_path):
    data = [os.path.join(ROOT, d) for d in ("helm/feedbackloop/files", "deploy/taxonomy", "deploy/rules", "deploy/analytics", "models")]
    h = hashlib.sha256(open(cfg_path, "rb").read())
    h.update(stamp([binary, *[d for d in data if os.path.exists(d)]]).encode())
    h.update(open(__file__, "rb").read())
    return h.hexdigest()


def run_one(binary, service, cfg_path, keyring_file, timeout):
    cfg = yaml.safe_load(open(cfg_path, encoding="utf-8")) or {}
    env = {k: v for k, v in os.environ.items() if not k.startswith("FBL")}
    env.update({
        "FBL__SERVER__GRPC_LISTEN": "127.0.0.1:0",
        "FBL__SERVER__METRICS_LISTEN": "127.0.0.1:0",
        "FBL__KAFKA_BROKERS": CLOSED,
        "FBL__REDIS__HOST": "127.0.0.1",
        "FBL__REDIS__PORT": CLOSED.split(":")[1],
    })
    for key, (prefix, local) in MOUNTED.items():
        if str(cfg.get(key, "")).startswith(prefix):
            env[f"FBL__{key.upper()}"] = os.path.join(ROOT, local, cfg[key][len(prefix):])
    if service == "intake":
        if cfg.get("keyring_file"):
            env["FBL__KEYRING_FILE"] = keyring_file
        else:
            env["FBL_KEYRING"] = TEST_KEYRING
    try:
        r = subprocess.run([binary, "--config", cfg_path], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"{service}: still running after {timeout}s (config loaded)"
    out = (r.stderr + r.stdout).strip()
    last = out.splitlines()[-1] if out else ""
    if r.returncode != 0 and CLOSED in out:
        return None, f"{service}: config and data files load (stopped at {last[:120]!r})"
    return f"{service}: {os.path.basename(cfg_path)} does not load: exit {r.returncode}: {last[:400]}", None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--timeout", type=int, default=20)
    ap.add_argument("--cache-dir", help="remember passes here")
    ap.add_argument("config_dir")
    args = ap.parse_args()
    problems, notes, jobs = [], [], []
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        keyring = os.path.join(tmp, "keyring")
        with open(keyring, "w", encoding="utf-8") as f:
            f.write(TEST_KEYRING)
        os.chmod(keyring, 0o400)
        for name in sorted(os.listdir(args.config_dir)):
            if not name.endswith(".yaml"):
                continue
            service = name[:-5]
            binary = os.path.join(args.build_dir, "services", service, service)
            if not os.access(binary, os.X_OK):
                notes.append(f"{service}: not built ({binary}); its config not loaded")
                continue
            cfg_path = os.path.join(args.config_dir, name)
            marker = os.path.join(args.cache_dir, cache_key(binary, cfg_path)) if args.cache_dir else None
            if marker and os.path.exists(marker):
                notes.append(f"{service}: loads (unchanged since the last pass)")
                continue
            jobs.append((marker, pool.submit(run_one, binary, service, cfg_path, keyring, args.timeout)))
        for marker, j in jobs:
            problem, note = j.result()
            if problem:
                problems.append(problem)
            if note:
                notes.append(note)
                if marker:
                    os.makedirs(os.path.dirname(marker), exist_ok=True)
                    open(marker, "w").close()
    for n in notes:
        print(f"note: {n}")
    for p in problems:
        print(f"problem: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
