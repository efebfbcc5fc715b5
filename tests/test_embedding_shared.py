"""One process loads a model once: the bot's answers and its alert builds share the same encoder."""

from __future__ import annotations

from index.build.embedding import Embedder
from thaigov_qa.settings import Settings


def test_embedders_with_the_same_settings_share_one_loaded_model(settings: Settings) -> None:
    first, second = Embedder(settings), Embedder(settings)
    assert first.encoder is second.encoder
    vectors = second.encode_queries(["When was the Huawei MOU signed?"])
    assert vectors.shape == (1, first.dim)


def test_another_batch_size_gets_its_own_encoder(settings: Settings) -> None:
    other = settings.model_copy(update={"embedding_batch_size": settings.embedding_batch_size + 1})
    assert Embedder(settings).encoder is not Embedder(other).encoder


def test_batch_size_is_large_on_a_gpu_unless_set(settings: Settings) -> None:
    """EMBEDDING_BATCH_SIZE=0 (the default) means 256 passages a batch on CUDA, 32 on the CPU; a set value
    is used as it is on both."""
    from index.build.embedding import batch_size_for

    auto = settings.model_copy(update={"embedding_batch_size": 0})
    assert batch_size_for(auto, "cuda") == batch_size_for(auto, "cuda:1") == 256
    assert batch_size_for(auto, "cpu") == 32
    fixed = settings.model_copy(update={"embedding_batch_size": 8})
    assert batch_size_for(fixed, "cuda") == batch_size_for(fixed, "cpu") == 8
    assert Settings(_env_file=None).embedding_batch_size == 0
