#!/usr/bin/env python3
"""Quick Python approximation of the taxonomy matcher, for tuning
deploy/taxonomy/taxonomy.yaml against the hand-labelled set.

Usage (from the repo root):
  python3 tests/data/taxonomy/prototype_eval.py                 # dev + holdout + coverage
  python3 tests/data/taxonomy/prototype_eval.py --split dev --errors [--problem CODE]
  python3 tests/data/taxonomy/prototype_eval.py --text "送餐太慢了，菜都凉了"
  python3 tests/data/taxonomy/prototype_eval.py --no-coverage --per-problem

Approximates the C++ semantics described in taxonomy.yaml: NFKC + lower case,
compacted text (whitespace, punctuation and symbols removed) for Chinese
terms, patterns and harmless phrases; English whole words (trailing '*' =
word ending) on the lower-cased text. Negation cue within negation_window code
points before the hit in the same clause (one-character cues within 2),
masked by negation_exceptions; English cues within 3 words. A harmless phrase
overlapping the hit suppresses it. No traditional->simplified folding (the
data is simplified already, apart from a few hotel rows).

Tune on --split dev only; report holdout. Coverage = share of rows with >= 1
problem, per dataset and label, over the full files in shared/data.
"""
import argparse
import collections
import csv
import json
import os
import re
import sys
import unicodedata

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_TAX = os.path.join(REPO, "deploy", "taxonomy", "taxonomy.yaml")
DEFAULT_LAB = os.path.join(HERE, "labelled.jsonl")
DEFAULT_DATA = os.path.normpath(os.path.join(REPO, "..", "shared", "data"))

CLAUSE_END = set("，。！？；,.!?;\n\r…")
ENGLISH_CUE_WORDS = 3


def norm(s):
    return unicodedata.normalize("NFKC", s).lower()


def is_kept(ch):
    cat = unicodedata.category(ch)
    return not (cat[0] in "PSZ" or cat in ("Cc", "Cf"))


def compact_with_clauses(text):
    """Returns (compact string, clause id per compact char)."""
    t = norm(text)
    out, clause = [], []
    cid = 0
    for ch in t:
        if ch in CLAUSE_END:
            cid += 1
            continue
        if is_kept(ch):
            out.append(ch)
            clause.append(cid)
    return "".join(out), clause


def compact(s):
    return "".join(ch for ch in norm(s) if is_kept(ch))


def is_english(term):
    return all(ord(c) < 128 for c in term) and any(c.isalpha() for c in term)


def english_regex(term):
    t = term.lower().strip()
    star = t.endswith("*")
    if star:
        t = t[:-1]
    body = r"\s+".join(re.escape(w) for w in t.split())
    return re.compile(r"(?<![a-z0-9])" + body + (r"[a-z']*" if star else "") + r"(?![a-z0-9])")


class Matcher:
    def __init__(self, tax):
        self.window = int(tax.get("negation_window", 6))
        negs = [str(n) for n in tax.get("negations", [])]
        self.cn_cues = sorted({compact(n) for n in negs if not is_english(n) and compact(n)}, key=len, reverse=True)
        self.en_cues = {n.lower() for n in negs if is_english(n)}
        self.exceptions = [compact(str(e)) for e in tax.get("negation_exceptions", []) if compact(str(e))]
        self.problems = []
        for p in tax["problems"]:
            cn, en, pats = [], [], []
            for t in p.get("terms", []) or []:
                t = str(t)
                if is_english(t):
                    en.append((t, english_regex(t)))
                else:
                    c = compact(t)
                    if c:
                        cn.append(c)
            for pat in p.get("patterns", []) or []:
                pats.append((pat, re.compile(pat)))
            harmless = [str(h) for h in p.get("harmless", []) or []]
            self.problems.append({
                "code": p["code"], "cn": sorted(set(cn)), "en": en, "pats": pats,
                "harm_cn": [compact(h) for h in harmless if not is_english(h) and compact(h)],
                "harm_en": [english_regex(h) for h in harmless if is_english(h)],
                "negatable": p.get("negatable", True), "domains": p.get("domains") or [],
            })
        # first-character index for Chinese terms
        self.by_first = collections.defaultdict(list)
        for i, p in enumerate(self.problems):
            for c in p["cn"]:
                self.by_first[c[0]].append((i, c))

    # -- suppression -------------------------------------------------------
    def cn_negated(self, comp, clause, pos):
        lo = max(0, pos - self.window)
        while lo < pos and clause[lo] != clause[pos]:
            lo += 1
        seg = comp[lo:pos]
        if not seg:
            return False
        # spans covered by exception phrases (search a little wider than the window)
        wlo = max(0, lo - 4)
        wide = comp[wlo:pos + 4]
        masked = set()
        for e in self.exceptions:
            start = wide.find(e)
            while start >= 0:
                masked.update(range(wlo + start, wlo + start + len(e)))
                start = wide.find(e, start + 1)
        for cue in self.cn_cues:
            start = seg.find(cue)
            while start >= 0:
                a = lo + start
                b = a + len(cue)
                if b <= pos and (len(cue) > 1 or pos - a <= 2) and not any(k in masked for k in range(a, b)):
                    return True
                start = seg.find(cue, start + 1)
        return False

    def en_negated(self, low, start):
        before = low[:start]
        cut = max(before.rfind(c) for c in ",.!?;\n")
        words = re.findall(r"[a-z']+", before[cut + 1:])[-ENGLISH_CUE_WORDS:]
        return any(w in self.en_cues for w in words)

    @staticmethod
    def covered(text, phrases, a, b):
        for h in phrases:
            s = text.find(h, max(0, a - len(h)))
            while 0 <= s < b:
                if s < b and s + len(h) > a:
                    return True
                s = text.find(h, s + 1)
        return False

    # -- matching ----------------------------------------------------------
    def match(self, text, domain=None, explain=False):
        comp, clause = compact_with_clauses(text)
        low = norm(text)
        hits = {}
        cand = collections.defaultdict(list)
        for ch in set(comp):
            for i, c in self.by_first.get(ch, ()):
                cand[i].append(c)
        for i, p in enumerate(self.problems):
            if domain and p["domains"] and domain not in p["domains"] and "general" not in p["domains"]:
                continue
            found = None
            for c in cand.get(i, ()):
                s = comp.find(c)
                while s >= 0:
                    if not self.covered(comp, p["harm_cn"], s, s + len(c)) and not (
                            p["negatable"] and self.cn_negated(comp, clause, s)):
                        found = c
                        break
                    s = comp.find(c, s + 1)
                if found:
                    break
            if not found:
                for src, rx in p["pats"]:
                    for m in rx.finditer(comp):
                        if not self.covered(comp, p["harm_cn"], m.start(), m.end()) and not (
                                p["negatable"] and self.cn_negated(comp, clause, m.start())):
                            found = "/" + src + "/"
                            break
                    if found:
                        break
            if not found and p["en"]:
                for src, rx in p["en"]:
                    for m in rx.finditer(low):
                        if any(h.search(low[max(0, m.start() - 30):m.end() + 30]) for h in p["harm_en"]):
                            continue
                        if p["negatable"] and self.en_negated(low, m.start()):
                            continue
                        found = src
                        break
                    if found:
                        break
            if found:
                hits[p["code"]] = found
        return hits if explain else set(hits)


DOMAIN_OF = {"waimai": "food_delivery", "hotel": "hotel", "shopping": "ecommerce", "car": "car",
             "blackcat": "general", "tweets": "general"}


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r


_SHOP_CAT = {}


def domain_of_id(id_, data):
    """Channel of a labelled row; online_shopping rows of category 酒店 are hotel reviews."""
    ds, idx = id_.split("-", 1)
    if ds == "shopping":
        if not _SHOP_CAT:
            with open(os.path.join(data, "online_shopping_10_cats.csv"), encoding="utf-8-sig", newline="") as f:
                for i, r in enumerate(csv.DictReader(f)):
                    _SHOP_CAT[i] = r["cat"]
        return "hotel" if _SHOP_CAT.get(int(idx)) == "酒店" else "ecommerce"
    return DOMAIN_OF[ds]


def evaluate(m, rows, split, use_domains, per_problem, errors, only, data=DEFAULT_DATA):
    sel = [r for r in rows if split == "all" or r["split"] == split]
    tp = collections.Counter(); fp = collections.Counter(); fn = collections.Counter()
    err = []
    for r in sel:
        dom = domain_of_id(r["id"], data) if use_domains else None
        got = m.match(r["text"], dom, explain=True)
        gold = set(r["problems"])
        for c in got:
            (tp if c in gold else fp)[c] += 1
        for c in gold - set(got):
            fn[c] += 1
        if errors and (set(got) != gold):
            err.append((r, got, gold))
    T, F, N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    p, rc = prf(T, F, N)
    f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
    print(f"[{split}] rows={len(sel)} gold labels={T + N}  micro P={p:.3f} R={rc:.3f} F1={f1:.3f}  (tp={T} fp={F} fn={N})")
    if per_problem:
        codes = sorted(set(tp) | set(fp) | set(fn))
        print(f"  {'problem':45s} {'gold':>4s} {'tp':>3s} {'fp':>3s} {'fn':>3s}   P     R")
        for c in codes:
            pp, rr = prf(tp[c], fp[c], fn[c])
            print(f"  {c:45s} {tp[c] + fn[c]:4d} {tp[c]:3d} {fp[c]:3d} {fn[c]:3d}  {pp:.2f}  {rr:.2f}")
    if errors:
        for r, got, gold in err:
            extra = {c: got[c] for c in got if c not in gold}
            miss = gold - set(got)
            if only and only not in extra and only not in miss:
                continue
            print(f"- {r['id']}: {r['text'][:160]}")
            if extra:
                print(f"    FP {extra}")
            if miss:
                print(f"    FN {sorted(miss)}")
    return p, rc


def coverage(m, data, use_domains):
    def run(name, path, text_of, label_of, domain, domain_of_row=None):
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        cnt = collections.Counter(); tot = collections.Counter()
        for r in rows:
            t = text_of(r)
            if not t:
                continue
            lab = label_of(r)
            tot[lab] += 1
            dom = (domain_of_row(r) if domain_of_row else domain) if use_domains else None
            if m.match(t, dom):
                cnt[lab] += 1
        parts = []
        for lab in ("neg", "pos"):
            if tot[lab]:
                parts.append(f"{lab} {cnt[lab] / tot[lab]:6.1%} of {tot[lab]}")
        print(f"  {name:28s} " + "   ".join(parts))

    print("coverage (share of rows with >= 1 problem):")
    j = lambda f: os.path.join(data, f)
    run("waimai_10k", j("waimai_10k.csv"), lambda r: r["review"], lambda r: "neg" if r["label"] == "0" else "pos", "food_delivery")
    run("ChnSentiCorp_htl_all", j("ChnSentiCorp_htl_all.csv"), lambda r: r["review"], lambda r: "neg" if r["label"] == "0" else "pos", "hotel")
    run("online_shopping_10_cats", j("online_shopping_10_cats.csv"), lambda r: r["review"], lambda r: "neg" if r["label"] == "0" else "pos", "ecommerce",
        lambda r: "hotel" if r["cat"] == "酒店" else "ecommerce")
    run("car_complaints (all neg)", j("car_complaints.csv"), lambda r: r["desc"], lambda r: "neg", "car")
    run("blackcat (all neg)", j("blackcat_complaints.csv"), lambda r: r["投诉标题"] + "。" + r["投诉详情"], lambda r: "neg", "general")
    run("complaint_tweets_en", j("complaint_tweets_en.csv"), lambda r: r["text"], lambda r: "neg" if r["complaint_label"] == "1" else "pos", "general")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--taxonomy", default=DEFAULT_TAX)
    ap.add_argument("--labelled", default=DEFAULT_LAB)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--split", choices=["dev", "holdout", "all", "both"], default="both")
    ap.add_argument("--domains", action="store_true", help="only fire problems whose domains include the row's channel")
    ap.add_argument("--per-problem", action="store_true")
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--problem", help="with --errors: only rows where this code is wrong")
    ap.add_argument("--no-coverage", action="store_true")
    ap.add_argument("--text", help="match one text and print the hits")
    a = ap.parse_args()
    with open(a.taxonomy, encoding="utf-8") as f:
        tax = yaml.safe_load(f)
    m = Matcher(tax)
    if a.text:
        print(json.dumps(m.match(a.text, explain=True), ensure_ascii=False, indent=1))
        return
    with open(a.labelled, encoding="utf-8") as f:
        rows = [json.loads(l) for l in f if l.strip()]
    print(f"taxonomy {tax['version']}: {len(tax['modules'])} modules, {len(tax['problems'])} problems; "
          f"domain filter {'on' if a.domains else 'off'}")
    splits = ["dev", "holdout"] if a.split == "both" else [a.split]
    for s in splits:
        evaluate(m, rows, s, a.domains, a.per_problem or a.split != "both", a.errors, a.problem, a.data)
    if not a.no_coverage:
        coverage(m, a.data, a.domains)


if __name__ == "__main__":
    main()
