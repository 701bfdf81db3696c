"""Fit the support model's logistic regression on the MRPC paraphrase pairs and print its constants.

Usage: python bench/calibrate_support.py [path/to/mrpc-train.jsonl]
       python bench/calibrate_support.py --relation [path/to/claimdiff-train.jsonl]
The second form fits `claims.fit_relation` on all of claimdiff-train and rewrites
src/newsprism/claims/relation_model.json (the coefficients shipped for plain runs).
Reads the shared eval data at run time (never copied into the repo); prints 5-fold CV accuracy / F1 and the
`_COEF` / `_INTERCEPT` lines to paste into src/newsprism/claims/support.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from newsprism import settings
from newsprism.claims.features import features
from newsprism.claims.support import FEATURE_NAMES, pair_features
from newsprism.models import embed


def relation_model(path: Path) -> None:
    from newsprism.claims import fit_relation

    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    topics = len({p["topic"] for p in pairs})
    model = fit_relation(pairs, trained_on=f"{path.name} ({len(pairs)} pairs, {topics} topics)")
    out = Path(__file__).resolve().parent.parent / "src" / "newsprism" / "claims" / "relation_model.json"
    out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"wrote {out} thresholds={model.threshold}")


def main() -> None:
    if sys.argv[1:2] == ["--relation"]:
        default = Path(settings.current().eval_dir) / "claims" / "claimdiff-train.jsonl"
        relation_model(Path(sys.argv[2]) if len(sys.argv) > 2 else default)
        return
    default = Path(settings.current().eval_dir) / "paraphrase" / "mrpc-train.jsonl"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    a_vecs = embed([r["a"] for r in rows])
    b_vecs = embed([r["b"] for r in rows])
    x = np.stack(
        [
            pair_features(features(r["a"]), features(r["b"]), float(np.dot(va, vb)))
            for r, va, vb in zip(rows, a_vecs, b_vecs, strict=True)
        ]
    )
    y = np.array([int(r["paraphrase"]) for r in rows])
    model = LogisticRegression(max_iter=1000)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    pred = cross_val_predict(model, x, y, cv=folds)
    cos_only = cross_val_predict(model, x[:, :1], y, cv=folds)
    print(f"pairs={len(y)} positives={int(y.sum())}")
    print(f"5-fold CV  accuracy={accuracy_score(y, pred):.3f}  F1={f1_score(y, pred):.3f}")
    print(f"cosine only accuracy={accuracy_score(y, cos_only):.3f}  F1={f1_score(y, cos_only):.3f}")
    model.fit(x, y)
    for name, c in zip(FEATURE_NAMES, model.coef_[0], strict=True):
        print(f"  {name:>18} {c:+.3f}")
    print(f"_COEF = np.array([{', '.join(f'{c:.3f}' for c in model.coef_[0])}])")
    print(f"_INTERCEPT = {model.intercept_[0]:.3f}")


if __name__ == "__main__":
    main()
