"""The MiniLM embedder: a sentence seen before is answered from its cache, with the same vector."""

import numpy as np

from newsprism import settings
from newsprism.models.embeddings import Embedder

A = "The council voted on Tuesday to close the Harbor Street bridge."
B = "Engineers found cracks in three of the bridge's twelve steel supports last month, the city said."
C = "Trucks will be sent over the Mill Road bridge until the repairs are done."


def test_a_vector_does_not_depend_on_its_batch():
    with settings.override({"embedding_cache_sentences": 0}):
        embedder = Embedder()
        alone = embedder.encode([A])[0]
        beside_longer = embedder.encode([B, A, C, "x"])[1]
    assert np.array_equal(alone, beside_longer)


def test_a_copied_sentence_is_embedded_once():
    with settings.override({"embedding_cache_sentences": 100}):
        embedder = Embedder()
        first = embedder.encode([A, B, A])
        assert (embedder.embedded, embedder.reused) == (2, 1)
        assert np.array_equal(first[0], first[2])
        again = embedder.encode([C, B, A])
        assert (embedder.embedded, embedder.reused) == (3, 3)
    with settings.override({"embedding_cache_sentences": 0}):
        fresh = Embedder().encode([C, B, A])
    assert np.array_equal(again, fresh)


def test_the_cache_keeps_the_most_recently_used():
    with settings.override({"embedding_cache_sentences": 2}):
        embedder = Embedder()
        embedder.encode([A, B])
        embedder.encode([A])  # A is now the most recent
        embedder.encode([C])  # B goes
        embedder.encode([A, B])
    assert (embedder.embedded, embedder.reused) == (4, 2)
