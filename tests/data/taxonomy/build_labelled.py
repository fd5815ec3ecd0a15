#!/usr/bin/env python3
"""Builds tests/data/taxonomy/labelled.jsonl (classification gold set) from the
real customer texts in shared/data.

Usage:
  python3 tests/data/taxonomy/build_labelled.py [--data DIR] [--out FILE]
  python3 tests/data/taxonomy/build_labelled.py --dump     # print rows still unlabelled

Rows are picked deterministically (random.Random(SEED), per dataset, see
PLAN). Labels are NOT produced here: they were written by hand in labels.tsv
(id<TAB>l1<TAB>comma-separated L3 codes or "-"), read by this script and
joined with the text. Ids are "<dataset>-<row index>", row index 0-based over
the data rows of the CSV (header excluded). split: "holdout" if the first byte
of sha1(id) is odd, else "dev".
"""
import argparse
import csv
import hashlib
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data"))
SEED = 20261201
MAX_LEN = 260  # long reviews are skipped to keep hand-labelling tractable

L1 = {"complaint", "suggestion", "inquiry", "praise"}


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def clean(s):
    return (s or "").replace("\ufeff", "").strip()


def pick(rng, pool, n):
    pool = sorted(pool, key=lambda x: x[0])
    return sorted(rng.sample(pool, min(n, len(pool))), key=lambda x: x[0])


def candidates(data):
    out = []  # (id, source, text)
    seen = set()

    def add(ds, src, items):
        for i, t in items:
            if t in seen:
                continue
            seen.add(t)
            out.append((f"{ds}-{i}", src, t))

    def review_rows(fname, label_key="label", text_key="review", extra=None):
        rows = read(os.path.join(data, fname))
        res = []
        for i, r in enumerate(rows):
            t = clean(r[text_key])
            if not t or len(t) > MAX_LEN:
                continue
            res.append((i, t, r[label_key], r.get(extra) if extra else None))
        return res

    # waimai: 100 negative + 50 positive
    rng = random.Random(SEED)
    w = review_rows("waimai_10k.csv")
    add("waimai", "waimai_10k.csv", [(i, t) for i, t, _, _ in pick(rng, [x for x in w if x[2] == "0"], 100)])
    add("waimai", "waimai_10k.csv", [(i, t) for i, t, _, _ in pick(rng, [x for x in w if x[2] == "1"], 50)])
    # hotel: 90 negative + 60 positive
    rng = random.Random(SEED + 1)
    h = review_rows("ChnSentiCorp_htl_all.csv")
    add("hotel", "ChnSentiCorp_htl_all.csv", [(i, t) for i, t, _, _ in pick(rng, [x for x in h if x[2] == "0"], 90)])
    add("hotel", "ChnSentiCorp_htl_all.csv", [(i, t) for i, t, _, _ in pick(rng, [x for x in h if x[2] == "1"], 60)])
    # online shopping: per category 10 negative + 5 positive
    rng = random.Random(SEED + 2)
    s = review_rows("online_shopping_10_cats.csv", extra="cat")
    for cat in sorted({x[3] for x in s}):
        add("shopping", "online_shopping_10_cats.csv",
            [(i, t) for i, t, _, _ in pick(rng, [x for x in s if x[3] == cat and x[2] == "0"], 10)])
        add("shopping", "online_shopping_10_cats.csv",
            [(i, t) for i, t, _, _ in pick(rng, [x for x in s if x[3] == cat and x[2] == "1"], 5)])
    # car complaint titles: 100
    rng = random.Random(SEED + 3)
    c = [(i, clean(r["desc"])) for i, r in enumerate(read(os.path.join(data, "car_complaints.csv"))) if clean(r["desc"])]
    add("car", "car_complaints.csv", pick(rng, c, 100))
    # Black Cat complaints: 25, title + details
    rng = random.Random(SEED + 4)
    b = []
    for i, r in enumerate(read(os.path.join(data, "blackcat_complaints.csv"))):
        t = clean(r["投诉标题"]) + "。" + " ".join(clean(r["投诉详情"]).split())
        b.append((i, t[:400]))
    add("blackcat", "blackcat_complaints.csv", pick(rng, b, 25))
    # English tweets: 15 complaint + 10 not
    rng = random.Random(SEED + 5)
    tw = [(i, clean(r["text"]), r["complaint_label"]) for i, r in enumerate(read(os.path.join(data, "complaint_tweets_en.csv")))]
    add("tweets", "complaint_tweets_en.csv", [(i, t) for i, t, _ in pick(rng, [x for x in tw if x[2] == "1"], 15)])
    add("tweets", "complaint_tweets_en.csv", [(i, t) for i, t, _ in pick(rng, [x for x in tw if x[2] == "0"], 10)])
    return out


def split_of(id_):
    return "holdout" if hashlib.sha1(id_.encode()).digest()[0] & 1 else "dev"


def load_labels(path):
    labels = {}
    if not os.path.exists(path):
        return labels
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 3 or parts[1] not in L1:
                sys.exit(f"labels.tsv:{n}: bad line: {line!r}")
            probs = [] if parts[2].strip() in ("", "-") else [p.strip() for p in parts[2].split(",") if p.strip()]
            labels[parts[0]] = (parts[1], probs, (parts[3] if len(parts) > 3 else "").strip())
    return labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=os.path.join(HERE, "labelled.jsonl"))
    ap.add_argument("--labels", default=os.path.join(HERE, "labels.tsv"))
    ap.add_argument("--taxonomy", default=os.path.normpath(os.path.join(HERE, "..", "..", "..", "deploy", "taxonomy", "taxonomy.yaml")))
    ap.add_argument("--dump", action="store_true", help="print unlabelled candidates and exit")
    a = ap.parse_args()
    cands = candidates(a.data)
    labels = load_labels(a.labels)
    if a.dump:
        for id_, src, t in cands:
            if id_ not in labels:
                print(f"{id_}\t{t}")
        return
    known = None
    try:
        import yaml
        with open(a.taxonomy, encoding="utf-8") as f:
            known = {p["code"] for p in yaml.safe_load(f)["problems"]}
    except (ImportError, OSError):
        pass
    missing = [c[0] for c in cands if c[0] not in labels]
    if missing:
        sys.exit(f"{len(missing)} candidates unlabelled, e.g. {missing[:5]} (run with --dump)")
    extra = set(labels) - {c[0] for c in cands}
    if extra:
        sys.exit(f"labels for non-candidates: {sorted(extra)[:5]}")
    n = {"dev": 0, "holdout": 0}
    with open(a.out, "w", encoding="utf-8") as f:
        for id_, src, t in cands:
            l1, probs, note = labels[id_]
            if known is not None:
                bad = [p for p in probs if p not in known]
                if bad:
                    sys.exit(f"{id_}: unknown problem codes {bad}")
            sp = split_of(id_)
            n[sp] += 1
            row = {"id": id_, "source": src, "text": t, "l1": l1, "problems": probs, "split": sp}
            if note:
                row["note"] = note
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(cands)} rows to {a.out} ({n['dev']} dev, {n['holdout']} holdout)")


if __name__ == "__main__":
    main()
