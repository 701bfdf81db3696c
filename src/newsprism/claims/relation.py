"""Relation between two claims from different articles on one story: does b strengthen or weaken a?

Strengthening is broader than paraphrase: b may add evidence for a without restating it, so it is judged on
topic agreement (claims and titles close in meaning) with no contradiction. Weakening is the contradiction
logic of contradict.py (numbers, negation, opposite predicates) on claims about the same matter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .contradict import find_clash, same_matter
from .features import features
from .support import pair_features, score_features

# Hand-set on claimdiff-train (topic-split CV, see the report): pairs from one story almost always share a
# topic, so "strengthens" holds unless the claims are far apart or clash.
_STRENGTHEN_MIN_COSINE = 0.2
_WEAKEN_MIN_COSINE = 0.45


@dataclass(frozen=True)
class ClaimRelation:
    strengthens: bool
    weakens: bool
    support: float  # support_score(claim_a, claim_b)
    reason: str


def relation(
    claim_a: str, claim_b: str, title_a: str | None = None, title_b: str | None = None
) -> ClaimRelation:
    """Whether claim_b strengthens and/or weakens claim_a (titles, when given, add topic context)."""
    from ..models import embed

    texts = [claim_a, claim_b] + ([title_a, title_b] if title_a and title_b else [])
    vecs = embed(texts)
    cosine = float(np.dot(vecs[0], vecs[1]))
    fa, fb = features(claim_a), features(claim_b)
    support = score_features(pair_features(fa, fb, cosine))
    clash = find_clash(fa, fb) if same_matter(fa, fb, cosine, _WEAKEN_MIN_COSINE) else None
    topic = cosine
    if len(vecs) == 4:
        # Titles say what each article is about; two claims under near-identical headlines share a topic.
        topic = max(cosine, 0.5 * (cosine + float(np.dot(vecs[2], vecs[3]))))
    strengthens = clash is None and topic >= _STRENGTHEN_MIN_COSINE
    if clash:
        reason = clash.explanation
    elif strengthens:
        reason = f"same topic (similarity {topic:.2f}), no contradiction"
    else:
        reason = f"different topics (similarity {topic:.2f})"
    return ClaimRelation(strengthens=strengthens, weakens=clash is not None, support=support, reason=reason)
