#!/usr/bin/env python3
"""Checks deploy/docker/Dockerfile against the repository, without Docker:

- the stages: `build` then `runtime`, the runtime running as a non-root user;
- every COPY source exists and is not excluded by Dockerfile.dockerignore;
- every binary the build stage installs is a CMake executable target;
- the build stage installs exactly scripts/deps.sh's packages that building
  needs (each of its packages is in deps.sh; every -dev package of deps.sh,
  except benchmarks and the fuzzing runtime, is installed);
- every runtime package exists in this machine's Debian archive (apt-cache);
- with built binaries (--build-dir), every shared library they link comes
  from a runtime package or the base image.

  deploy/docker/check_dockerfile.py [--build-dir DIR] [--cache-dir DIR] [--dockerfile FILE]
Prints one line per problem; exits 1 if there is any.
"""
import argparse
import fnmatch
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOCKERFILE = os.path.join(ROOT, "deploy", "docker", "Dockerfile")
IGNOREFILE = DOCKERFILE + ".dockerignore"
# In debian:bookworm-slim already (apt itself depends on them).
BASE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}
# deps.sh -dev packages the image does not need to build the services.
NOT_FOR_IMAGE = {"libbenchmark-dev", "libclang-rt-14-dev"}


def instructions(path):
    """(line number, INSTRUCTION, argument text) with continuations joined."""
    out, buf, start = [], "", 0
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):
            continue  # comment inside a continued instruction
        if not buf:
            start = n
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        buf += stripped
        word, _, rest = buf.partition(" ")
        out.append((start, word.upper(), rest.strip()))
        buf = ""
    return out


def apt_packages(run_text):
    """Packages of every `apt-get install` in a RUN command."""
    pkgs = []
    for part in re.split(r"&&|;", run_text):
        words = shlex.split(part)
        if "apt-get" in words and "install" in words:
            pkgs += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return pkgs


def deps_packages():
    text = open(os.path.join(ROOT, "scripts", "deps.sh"), encoding="utf-8").read()
    m = re.search(r"DEB_PACKAGES=\((.*?)\n\)", text, re.S)
    return {w for line in m.group(1).splitlines() for w in line.split("#")[0].split()}


def ignore_allows(path):
    """True if the allow-list .dockerignore lets `path` into the context."""
    allowed = False
    for raw in open(IGNOREFILE, encoding="utf-8"):
        pat = raw.strip()
        if not pat or pat.startswith("#"):
            continue
        negate = pat.startswith("!")
        pat = pat.lstrip("!").rstrip("/")
        p = path.rstrip("/")
        hit = fnmatch.fnmatch(p, pat) or p.startswith(pat + "/") or fnmatch.fnmatch(p, pat.replace("**/", ""))
        if pat == "*":
            hit = True
        if hit:
            allowed = negate
    return allowed


def executable_targets():
    targets = set()
    for base in ("services", "tools", "libs"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, base)):
            if "CMakeLists.txt" in files:
                text = open(os.path.join(dirpath, "CMakeLists.txt"), encoding="utf-8").read()
                targets |= set(re.findall(r"add_executable\(\s*([\w-]+)", text))
    return targets


def apt_known(pkgs, cache_dir=None):
    """The packages of `pkgs` that this machine's apt knows. One apt-cache call
    (seconds where apt keeps no binary cache), remembered in cache_dir until
    the package lists change."""
    lists = "/var/lib/apt/lists"
    key = hashlib.sha256(" ".join(sorted(pkgs)).encode())
    if os.path.isdir(lists):
        for f in sorted(os.listdir(lists)):
            key.update(f"{f} {os.stat(os.path.join(lists, f)).st_mtime_ns}".encode())
    memo = os.path.join(cache_dir, f"apt-known-{key.hexdigest()}.json") if cache_dir else None
    if memo and os.path.exists(memo):
        return set(json.load(open(memo, encoding="utf-8")))
    r = subprocess.run(["apt-cache", "show", "--no-all-versions", *sorted(pkgs)], capture_output=True, text=True)
    known = set(re.findall(r"^Package: (\S+)", r.stdout, re.M))
    if memo:
        os.makedirs(cache_dir, exist_ok=True)
        json.dump(sorted(known), open(memo, "w", encoding="utf-8"))
    return known


def needed_packages(binaries):
    """{binary: {soname: Debian package or None}} for the libraries each links directly."""
    sonames = {}
    for b in binaries:
        r = subprocess.run(["readelf", "-d", b], capture_output=True, text=True, check=True)
        sonames[b] = re.findall(r"Shared library: \[(.+?)\]", r.stdout)
    ldconfig = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True).stdout
    paths = {}
    for so in {so for names in sonames.values() for so in names}:
        m = re.search(r"^\s*" + re.escape(so) + r" \(libc6,x86-64[^)]*\) => (\S+)", ldconfig, re.M)
        if m:
            # dpkg knows a library by the path its package installed (merged /usr: either).
            p = os.path.realpath(m.group(1))
            paths[so] = {p, p.replace("/usr/lib/", "/lib/", 1), m.group(1)}
    owners = {}
    every = sorted({p for ps in paths.values() for p in ps})
    if every:
        d = subprocess.run(["dpkg", "-S", *every], capture_output=True, text=True)
        for line in d.stdout.splitlines():
            pkg, _, path = line.partition(": ")
            owners[path.strip()] = pkg.split(":")[0]
    return {b: {so: next((owners[p] for p in sorted(paths.get(so, ())) if p in owners), None) for so in names}
            for b, names in sonames.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", help="build tree with the service binaries (optional)")
    ap.add_argument("--dockerfile", default=DOCKERFILE, help="another Dockerfile to check (tests)")
    ap.add_argument("--cache-dir", help="remember apt look-ups here")
    args = ap.parse_args()
    problems, notes = [], []
    ins = instructions(args.dockerfile)

    stages, stage = {}, None
    for n, word, rest in ins:
        if word == "FROM":
            m = re.search(r"\bAS\s+(\S+)", rest, re.I)
            stage = m.group(1) if m else f"stage{len(stages)}"
            stages[stage] = []
        elif stage:
            stages[stage].append((n, word, rest))
    if list(stages) != ["build", "runtime"]:
        problems.append(f"stages are {list(stages)}, expected ['build', 'runtime']")
        return report(problems, notes)

    users = [rest for _, w, rest in stages["runtime"] if w == "USER"]
    if not users or users[-1].split(":")[0] in ("0", "root"):
        problems.append("runtime stage does not end as a non-root USER")

    for n, word, rest in ins:
        if word in ("COPY", "ADD"):
            parts = [p for p in shlex.split(rest) if not p.startswith("--")]
            if word == "ADD":
                problems.append(f"line {n}: ADD (use COPY)")
            if "--from=" in rest:
                continue
            for src in parts[:-1]:
                matches = [src] if "*" not in src else [
                    os.path.relpath(os.path.join(d, f), ROOT)
                    for d, _, fs in os.walk(os.path.join(ROOT, os.path.dirname(src)))
                    for f in fs if fnmatch.fnmatch(os.path.relpath(os.path.join(d, f), ROOT), src)]
                if not matches or not all(os.path.exists(os.path.join(ROOT, s)) for s in matches):
                    problems.append(f"line {n}: COPY source {src} does not exist")
                elif not ignore_allows(src):
                    problems.append(f"line {n}: COPY source {src} is excluded by Dockerfile.dockerignore")

    targets = executable_targets()
    build_runs = " ".join(rest for _, w, rest in stages["build"] if w == "RUN")
    installed = re.findall(r"/build/(?:services|tools)/[\w-]+/([\w-]+)", build_runs.split("install -m")[-1])
    if not installed:
        problems.append("build stage installs no binaries")
    for b in installed:
        if b not in targets:
            problems.append(f"build stage installs {b}, which no CMakeLists.txt defines (add_executable)")

    deps = deps_packages()
    build_pkgs = set(apt_packages(build_runs))
    for p in sorted(build_pkgs - deps):
        problems.append(f"build stage installs {p}, which scripts/deps.sh does not")
    for p in sorted({d for d in deps if d.endswith("-dev")} - NOT_FOR_IMAGE - build_pkgs):
        problems.append(f"scripts/deps.sh installs {p}, the build stage does not")

    runtime_pkgs = set(apt_packages(" ".join(rest for _, w, rest in stages["runtime"] if w == "RUN")))
    known = apt_known(runtime_pkgs, args.cache_dir)
    for p in sorted(runtime_pkgs - known):
        problems.append(f"runtime package {p} is not in this machine's Debian archive")

    if args.build_dir:
        built = {}
        for b in installed:
            sub = "tools/admin" if b == "fbl-admin" else f"services/{b}"
            path = os.path.join(args.build_dir, sub, b)
            if os.path.exists(path):
                built[path] = b
            else:
                notes.append(f"{path} not built: its libraries not checked")
        for path, libs in needed_packages(built).items():
            for so, pkg in libs.items():
                if pkg is None:
                    problems.append(f"{built[path]} links {so}, which no Debian package provides")
                elif pkg not in runtime_pkgs | BASE_PACKAGES:
                    problems.append(f"{built[path]} links {so} from {pkg}, which the runtime stage does not install")
        notes.append(f"linked libraries checked for {len(built)} of {len(installed)} binaries")
    return report(problems, notes)


def report(problems, notes):
    for n in notes:
        print(f"note: {n}")
    for p in problems:
        print(f"problem: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
