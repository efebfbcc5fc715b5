"""One process loads a model once: the bot's answers and its alert builds share the same encoder."""

from __future__ import annotations

from index.embedding import Embedder
from thaigov_qa.settings import Settings


def test_embedders_with_the_same_settings_share_one_loaded_model(settings: Settings) -> None:
    first, second = Embedder(settings), Embedder(settings)
    assert first.encoder is second.encoder
    vectors = second.encode_queries(["When was the Huawei MOU signed?"])
    assert vectors.shape == (1, first.dim)


def test_another_batch_size_gets_its_own_encoder(settings: Settings) -> None:
    other = settings.model_copy(update={"embedding_batch_size": settings.embedding_batch_size + 1})
    assert Embedder(settings).encoder is not Embedder(other).encoder
