"""Would a small sentence classifier, OR-ed with the default policy's rules, generalise better?

A development-time experiment (issue 11), not shipped code: it decides with numbers whether the
built-in ``default`` policy should gain a per-theme sentence classifier beside its ~89 pattern
rules. Pure Python (no scikit-learn, no numpy), deterministic, trained only on *seen* corpora:
``default_corpus``, ``default_holdout`` 1–4 and ``default_nearmiss``. It never opens
``default_holdout5.jsonl`` (the lead's blind measure).

Model: one-vs-rest binarised multinomial naive Bayes per semantic theme on the features of a
sentence (lower-cased, digits folded to ``0``: word unigrams, word bigrams, character 3–5-grams of
the words). Positive sentences of a theme are those an ``expect`` span of that theme overlaps;
every other sentence (clean posts, near-misses, the rest of flagged posts) is a negative. A
theme's threshold is chosen for precision *on the training folds only*: leave-one-corpus-out
inside the training corpora gives out-of-fold scores, and the threshold is set just above the
highest out-of-fold score of a clean post's sentence (``--allow`` clean posts per theme may pass
it).

Two honest estimates, because the rules were tuned on every seen corpus:

* leave-one-corpus-out (LOCO): train on all seen corpora but one, score the held-out one with
  today's rules alone (optimistic: they saw it), the classifier alone, and both OR-ed;
* chronological: for hold-outs 2, 3 and 4, the rules *as they were before that hold-out was
  seen* (their findings dumped beforehand with ``--blind-rules holdoutN=FILE``, a JSON map of
  post id to findings made by that commit's engine), OR-ed with a classifier trained only on the
  corpora seen before it (and the near-misses written by then). Both halves blind.

Run from the repository root::

    PYTHONPATH=. python packaging/dev/theme_classifier_experiment.py --model lr [--allow 0] \
        [--blind-rules holdout2=/tmp/blind_holdout2.json ...]

The blind rules' findings come from the engine of the commit before each round (holdout2:
211f38e, holdout3: 2be3ca4, holdout4: cf50688), unpacked with ``git archive <commit> desktop
resources | tar -x -C /tmp/rN`` and run there with ``PYTHONPATH=.`` and ``--dump-rules holdoutN
OUT`` (this script's path stays the worktree's, so its data are read from here). Those commits'
twitter-text import needs ``pkg_resources`` (setuptools), absent from the venv: a throwaway
module on PYTHONPATH with ``resource_string(pkg, name)`` reading the file via importlib.resources
stands in. Figures: tests/data/README.md, "Theme classifier experiment".
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
CORPORA = ("corpus", "holdout", "holdout2", "holdout3", "holdout4")
# Near-misses by round, in file order (tests/data/README.md): 56, 24, 18, 33. Round r's were written
# once hold-out r had been seen, so a chronological fold for hold-out N may use rounds < N.
NEARMISS_ROUNDS = (56, 24, 18, 33)
ALIASES = {"undisclosed_endorsement": "undisclosed_praise", "financial_forward_looking": "forward_looking",
           "threat": "harassment", "profanity": "harassment", "secret": "credential",
           "personal_address": "postal_address"}
THEMES = ("forward_looking", "mnpi", "unannounced_product", "company_voice", "undisclosed_praise",
          "customer_promise", "competitor_trouble", "customer_confidential", "health", "harassment")

CHARS = True  # character 3-5-grams too (--words-only turns them off)
STRICT = False  # thresholds also above flagged posts' unexpected sentences (--strict)
_BOUNDARY = re.compile(r"[.!?…]+(?=\s)|\n")
_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: cut after ., !, ?, … before whitespace and at line breaks; trimmed."""
    spans = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and _WORD.search(text, s, e):
            out.append((s, e))
    return out


def features(sentence: str) -> set[str]:
    """Binary features: words, word pairs and character 3–5-grams of the normalised words."""
    words = _WORD.findall(_DIGITS.sub("0", sentence.lower()))
    feats = {"w:" + w for w in words}
    feats.update("b:" + a + " " + b for a, b in zip(words, words[1:], strict=False))
    if not CHARS:
        return feats
    joined = " " + " ".join(words) + " "
    for n in (3, 4, 5):
        feats.update("c:" + joined[i:i + n] for i in range(len(joined) - n + 1))
    return feats


@dataclass
class Sentence:
    post: str
    start: int
    end: int
    feats: set[str]
    themes: set[str]  # the semantic themes an expected span of the post overlaps here
    clean: bool  # from a post with no expected finding


@dataclass
class Corpus:
    name: str
    posts: list[dict[str, Any]]
    sentences: list[Sentence] = field(default_factory=list)


def _find(text: str, needle: str, start: int = 0) -> tuple[int, int]:
    i = text.find(needle, start)
    if i < 0:
        i = text.find(needle)
    return i, i + len(needle)


def load(name: str, posts: list[dict[str, Any]] | None = None) -> Corpus:
    if posts is None:
        path = DATA / f"default_{name}.jsonl"
        posts = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    corpus = Corpus(name, posts)
    for post in posts:
        text = post["text"]
        spans = []
        for exp in post["expect"]:
            theme = ALIASES.get(exp["theme"], exp["theme"])
            s, e = _find(text, exp["span_text"])
            spans.append((s, e, theme))
        for s, e in sentences(text):
            themes = {t for a, b, t in spans if t in THEMES and a < e and s < b}
            corpus.sentences.append(Sentence(post["id"], s, e, features(text[s:e]), themes, not post["expect"]))
    return corpus


class NaiveBayes:
    """One-vs-rest binarised multinomial NB: a sentence's score per theme is a sum of log-ratios."""

    def __init__(self, train: Iterable[Sentence], alpha: float = 0.5) -> None:
        total: Counter[str] = Counter()
        pos: dict[str, Counter[str]] = {t: Counter() for t in THEMES}
        n_pos = Counter[str]()
        n = 0
        for s in train:
            n += 1
            total.update(s.feats)
            for t in s.themes:
                pos[t].update(s.feats)
                n_pos[t] += 1
        vocab = len(total)
        self.weights: dict[str, dict[str, float]] = {}
        self.bias: dict[str, float] = {}
        for t in THEMES:
            p_sum = sum(pos[t].values())
            n_sum = sum(total.values()) - p_sum
            p_den = math.log(p_sum + alpha * vocab)
            n_den = math.log(n_sum + alpha * vocab)
            w = {}
            for f, c in total.items():
                cp = pos[t][f]
                w[f] = (math.log(cp + alpha) - p_den) - (math.log(c - cp + alpha) - n_den)
            self.weights[t] = w
            self.bias[t] = math.log((n_pos[t] + 1) / (n - n_pos[t] + 1))

    def score(self, feats: set[str]) -> dict[str, float]:
        out = {}
        for t in THEMES:
            w = self.weights[t]
            z = sum(w.get(f, 0.0) for f in feats)
            # Length-normalised: NB sums grow with the number of features; a long sentence must not
            # pass a threshold merely by being long.
            out[t] = self.bias[t] + z / math.sqrt(len(feats) or 1)
        return out


class Logistic:
    """One-vs-rest logistic regression by plain SGD (fixed order, fixed epochs: deterministic).

    Features are binary, scaled by 1/sqrt(count) so a sentence's length does not set its score;
    positives weigh ``pos_weight`` times a negative (a theme has ~1 positive in 50 sentences).
    """

    def __init__(self, train: Iterable[Sentence], epochs: int = 6, rate: float = 0.5,
                 pos_weight: float = 4.0, l2: float = 1e-4) -> None:
        data = [(sorted(s.feats), s.themes) for s in train]
        self.weights: dict[str, list[float]] = {}
        self.bias = [0.0] * len(THEMES)
        for epoch in range(epochs):
            lr = rate / (1 + epoch)
            order = data[epoch % 2::2] + data[1 - epoch % 2::2]  # two interleaved passes, no RNG
            for feats, themes in order:
                x = 1.0 / math.sqrt(len(feats) or 1)
                rows = [self.weights.setdefault(f, [0.0] * len(THEMES)) for f in feats]
                for k, t in enumerate(THEMES):
                    z = self.bias[k] + x * sum(r[k] for r in rows)
                    y = t in themes
                    p = 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0
                    g = (p - 1.0) * pos_weight if y else p
                    if abs(g) < 1e-3:
                        continue
                    step = lr * g
                    self.bias[k] -= step
                    for r in rows:
                        r[k] -= step * x + lr * l2 * r[k]

    def score(self, feats: set[str]) -> dict[str, float]:
        x = 1.0 / math.sqrt(len(feats) or 1)
        z = list(self.bias)
        for f in feats:
            r = self.weights.get(f)
            if r is not None:
                for k in range(len(THEMES)):
                    z[k] += x * r[k]
        return dict(zip(THEMES, z, strict=True))


MODEL: type[NaiveBayes] | type[Logistic] = NaiveBayes


def thresholds(groups: list[Corpus], allow: int) -> dict[str, float]:
    """Per theme, just above the (allow+1)-th highest out-of-fold clean-post score (LOCO inside ``groups``)."""
    clean_max: dict[str, dict[str, float]] = {t: {} for t in THEMES}
    for i, held in enumerate(groups):
        model = MODEL(s for j, g in enumerate(groups) if j != i for s in g.sentences)
        for s in held.sentences:
            if not (s.clean or (STRICT and not s.themes)):
                continue
            sc = model.score(s.feats)
            for t in THEMES:
                key = held.name + "/" + s.post
                clean_max[t][key] = max(clean_max[t].get(key, -math.inf), sc[t])
    out = {}
    for t in THEMES:
        ranked = sorted(clean_max[t].values(), reverse=True)
        out[t] = ranked[allow] + 1e-9 if len(ranked) > allow else -math.inf
    return out


def classify(model: NaiveBayes | Logistic, thr: dict[str, float], corpus: Corpus) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {p["id"]: [] for p in corpus.posts}
    for s in corpus.sentences:
        sc = model.score(s.feats)
        for t in THEMES:
            if sc[t] >= thr[t]:
                found[s.post].append({"rule_id": "clf-" + t, "severity": "warn", "start": s.start, "end": s.end})
    return found


def frontier(model: NaiveBayes | Logistic, thr: dict[str, float], corpus: Corpus,
             base: dict[str, list[dict[str, Any]]]) -> list[tuple[int, Score]]:
    """Oracle ceiling: the held-out sentences ranked by their best margin over a theme's threshold,
    the top N flagged for several N (a threshold chosen *with* the answers, so an upper bound)."""
    ranked = sorted(corpus.sentences, key=lambda s: -max(v - thr[t] for t, v in model.score(s.feats).items()))
    out = []
    for n in (5, 10, 20, 40, 80):
        found: dict[str, list[dict[str, Any]]] = {}
        for s in ranked[:n]:
            found.setdefault(s.post, []).append({"severity": "warn", "start": s.start, "end": s.end})
        out.append((n, score(corpus, union(base, found))))
    return out


@dataclass
class Score:
    found: int = 0
    expected: int = 0
    clean: int = 0
    flagged_clean: int = 0
    by_theme: dict[str, list[int]] = field(default_factory=dict)  # theme -> [found, expected]

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 0.0

    @property
    def fp(self) -> float:
        return self.flagged_clean / self.clean if self.clean else 0.0


def score(corpus: Corpus, findings: dict[str, list[dict[str, Any]]]) -> Score:
    """The corpus scorer's rule: each warn/block finding satisfies at most one overlapping expectation."""
    out = Score()
    for post in corpus.posts:
        text = post["text"]
        reported = [f for f in findings.get(post["id"], []) if f["severity"] in ("warn", "block")]
        if not post["expect"]:
            out.clean += 1
            out.flagged_clean += bool(reported)
            continue
        used: set[int] = set()
        next_from: dict[str, int] = {}
        for exp in post["expect"]:
            s, e = _find(text, exp["span_text"], next_from.get(exp["span_text"], 0))
            next_from[exp["span_text"]] = s + 1
            hit = next((i for i, f in enumerate(reported) if i not in used and f["start"] < e and s < f["end"]), None)
            if hit is not None:
                used.add(hit)
            theme = ALIASES.get(exp["theme"], exp["theme"])
            cell = out.by_theme.setdefault(theme, [0, 0])
            cell[1] += 1
            out.expected += 1
            if hit is not None:
                cell[0] += 1
                out.found += 1
    return out


def union(*maps: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for m in maps:
        for k, v in m.items():
            out.setdefault(k, []).extend(v)
    return out


def rules_findings(corpus: Corpus) -> dict[str, list[dict[str, Any]]]:
    from desktop.core.policy import load_policy

    policy = load_policy("default")
    return {p["id"]: [f.as_json() for f in policy.check(p["text"], "linkedin")] for p in corpus.posts}


def _line(label: str, sc: Score) -> str:
    return f"{label:<16} recall {sc.recall:.3f} ({sc.found}/{sc.expected})  fp {sc.fp:.3f} ({sc.flagged_clean}/{sc.clean})"


def _semantic(sc: Score) -> tuple[int, int]:
    f = sum(sc.by_theme.get(t, [0, 0])[0] for t in THEMES)
    e = sum(sc.by_theme.get(t, [0, 0])[1] for t in THEMES)
    return f, e


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allow", type=int, default=0, help="clean out-of-fold posts a theme's threshold may pass")
    parser.add_argument("--blind-rules", action="append", default=[], help="holdoutN=FILE of pre-round findings")
    parser.add_argument("--model", choices=("nb", "lr"), default="nb")
    parser.add_argument("--dump-rules", nargs=2, metavar=("CORPUS", "OUT"),
                        help="write the importable engine's findings on default_CORPUS.jsonl to OUT and stop")
    parser.add_argument("--words-only", action="store_true", help="no character n-grams")
    parser.add_argument("--strict", action="store_true", help="thresholds above every unexpected sentence")
    args = parser.parse_args()
    global MODEL, CHARS, STRICT
    CHARS = not args.words_only
    STRICT = args.strict
    MODEL = Logistic if args.model == "lr" else NaiveBayes
    if args.dump_rules:
        name, out = args.dump_rules
        Path(out).write_text(json.dumps(rules_findings(load(name))), encoding="utf-8")
        return

    corpora = {n: load(n) for n in CORPORA}
    near_posts = [json.loads(x) for x in (DATA / "default_nearmiss.jsonl").read_text("utf-8").splitlines() if x.strip()]
    nearmiss = load("nearmiss", near_posts)
    rules = {n: rules_findings(c) for n, c in corpora.items()}
    rules["nearmiss"] = rules_findings(nearmiss)

    print(f"LOCO, allow={args.allow} (rules: today's, which saw every corpus)")
    sums = {"rules": [0.0, 0.0], "both": [0.0, 0.0], "clf": [0.0, 0.0]}
    theme_tot: dict[str, list[int]] = {}
    rules_theme: dict[str, list[int]] = {}
    both_theme: dict[str, list[int]] = {}
    for held in CORPORA:
        train = [corpora[n] for n in CORPORA if n != held] + [nearmiss]
        thr = thresholds(train, args.allow)
        model = MODEL(s for g in train for s in g.sentences)
        clf = classify(model, thr, corpora[held])
        r, c, b = (score(corpora[held], m) for m in (rules[held], clf, union(rules[held], clf)))
        print(f"-- held out {held}")
        for label, sc in (("rules", r), ("classifier", c), ("rules+clf", b)):
            print("  " + _line(label, sc))
        sf, se = _semantic(c)
        print(f"  classifier on semantic themes: {sf}/{se} = {sf / se:.3f}")
        for key, sc in (("rules", r), ("both", b), ("clf", c)):
            sums[key][0] += sc.recall
            sums[key][1] += sc.fp
        for t in THEMES:
            for acc, sc in ((theme_tot, c), (rules_theme, r), (both_theme, b)):
                cell = acc.setdefault(t, [0, 0])
                f, e = sc.by_theme.get(t, [0, 0])
                cell[0] += f
                cell[1] += e
    k = len(CORPORA)
    for key, (rec, fp) in sums.items():
        print(f"LOCO mean {key:<6} recall {rec / k:.3f}  fp {fp / k:.3f}")
    print("per theme (LOCO, summed): classifier / rules / rules+clf")
    for t in THEMES:
        ct, rt, bt = theme_tot[t], rules_theme[t], both_theme[t]
        print(f"  {t:<22} {ct[0]:>3}/{ct[1]:<3} {ct[0] / ct[1]:.2f}   {rt[0] / rt[1]:.2f}   {bt[0] / bt[1]:.2f}")
    # Near-misses as their own fold: false positives only.
    train = [corpora[n] for n in CORPORA]
    thr = thresholds(train, args.allow)
    model = MODEL(s for g in train for s in g.sentences)
    clf = classify(model, thr, nearmiss)
    print("-- held out nearmiss: " + _line("classifier", score(nearmiss, clf)))

    if args.blind_rules:
        print("Chronological (both halves blind)")
        for spec in args.blind_rules:
            held, path = spec.split("=", 1)
            index = CORPORA.index(held)
            seen = [corpora[n] for n in CORPORA[:index]]
            rounds = sum(NEARMISS_ROUNDS[:index - 1])
            near = load("nearmiss", near_posts[:rounds])
            train = seen + [near]
            thr = thresholds(train, args.allow)
            model = MODEL(s for g in train for s in g.sentences)
            clf = classify(model, thr, corpora[held])
            blind = json.loads(Path(path).read_text("utf-8"))
            r, c, b = (score(corpora[held], m) for m in (blind, clf, union(blind, clf)))
            print(f"-- {held} (trained on {', '.join(g.name for g in seen)} + {rounds} near-misses)")
            for label, sc in (("blind rules", r), ("classifier", c), ("rules+clf", b)):
                print("  " + _line(label, sc))
            missed_r = {t: v[1] - v[0] for t, v in r.by_theme.items() if t in THEMES and v[1] > v[0]}
            gained = {t: b.by_theme[t][0] - r.by_theme[t][0] for t in THEMES
                      if t in b.by_theme and b.by_theme[t][0] > r.by_theme[t][0]}
            print(f"  rules missed (semantic): {missed_r}")
            print(f"  classifier recovered:   {gained}")
            for n, sc in frontier(model, thr, corpora[held], blind):
                print(f"  oracle top {n:>2} sentences: rules+clf recall {sc.recall:.3f} ({sc.recall - r.recall:+.3f})"
                      f"  fp {sc.fp:.3f} ({sc.fp - r.fp:+.3f})")


if __name__ == "__main__":
    main()
