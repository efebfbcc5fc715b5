"""Approximate vector search for the full archive: an IVF index that still removes ids.

Why (``bench/faiss_scale.py``, 250k x 384, one query at a time on the shared 2-core machine): exact
``IndexFlatIP`` costs ~25 ms per query on a quiet core and 90+ ms under load, most of the 40 ms ``ask``
budget; IVF probing an eighth of its lists (:func:`probes_for`) answers in ~1.5 ms. Unlike HNSW, IVF supports
``remove_ids`` (incremental updates replace a release's chunks without tombstones), at the price of
training the coarse quantiser: done at every full build on the vectors being indexed; incremental adds
reuse it (the next full build retrains). ``SQ8`` codes cut the vectors' memory by 4 (384 MB → 99 MB at
250k) for recall@10 0.985.

Small indexes (under :data:`MIN_TRAIN_PER_LIST` x ``nlist`` vectors) stay exact: :func:`build` returns
a flat ``IndexIDMap2`` then, so tests and the dev corpus keep exact results.
"""

from __future__ import annotations

import math

import faiss
import numpy as np

#: FAISS wants at least ~39 training points per list; fewer and k-means warns and clusters badly.
MIN_TRAIN_PER_LIST = 39
#: Share of the lists a query probes (one in PROBE_SHARE), and the fewest probed. Why an eighth: e5 puts a
#: question away from the passages it matches, so the lists nearest a question vector often miss its
#: nearest passages. Over the whole archive (2,048 lists), 1,406 real questions found 0.84 of their exact
#: 100 neighbours at 32 lists, 0.95 at 128 and 0.98 at 256 (1.5 ms a search, one thread;
#: ``bench/ivf_recall.py``), and retrieval followed: train / validation fold R@5 0.748 -> 0.783 (32 -> 128)
#: -> 0.778 (256) on validation and 0.772 -> 0.775 (128 -> 256) on train. A share rather than a count keeps
#: that recall as ``nlist`` grows with the archive. Queries drawn around stored vectors
#: (``bench/faiss_scale.py``) had shown recall 1.0 at 32: they sit where the passages are.
PROBE_SHARE = 8
MIN_NPROBE = 32


def probes_for(nlist: int) -> int:
    """Lists a query probes in an IVF index of ``nlist`` lists (256 of the whole archive's 2,048)."""
    return min(nlist, max(MIN_NPROBE, nlist // PROBE_SHARE))


def nlist_for(n: int) -> int:
    """Lists for ``n`` vectors: ~4·sqrt(n), a power of two, at least 64 (1024 at 65k, 2048 at 250k)."""
    return max(64, 1 << round(math.log2(4 * math.sqrt(max(n, 1)))))


def build(ids: np.ndarray, vectors: np.ndarray, kind: str = "ivf", nprobe: int | None = None) -> faiss.Index:
    """An index over ``vectors`` with ``ids``: ``kind`` is ``flat``, ``ivf`` or ``ivf-sq8``.

    Inner product on unit vectors (cosine). IVF keeps a hashtable direct map so that ``reconstruct(id)``
    and ``remove_ids`` work by chunk id, as with ``IndexIDMap2``.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    n, dim = vectors.shape
    nlist = nlist_for(n)
    if kind == "flat" or n < MIN_TRAIN_PER_LIST * nlist:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        index.add_with_ids(vectors, ids)
        return index
    quantizer = faiss.IndexFlatIP(dim)
    if kind == "ivf-sq8":
        ivf = faiss.IndexIVFScalarQuantizer(
            quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
    elif kind == "ivf":
        ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    else:
        raise ValueError(f"unknown vector index kind {kind!r}: use flat, ivf or ivf-sq8")
    ivf.own_fields = True
    quantizer.this.disown()
    sample = vectors
    if n > 40 * nlist:  # k-means on a sample (FAISS asks 39-256 per list): same lists, a fraction of the time
        sample = vectors[np.random.default_rng(0).choice(n, 40 * nlist, replace=False)]
    ivf.train(sample)
    ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
    ivf.add_with_ids(vectors, ids)
    ivf.nprobe = nprobe or probes_for(nlist)
    return ivf


def tune(index: faiss.Index, nprobe: int | None = None) -> faiss.Index:
    """Set search parameters after ``faiss.read_index`` (IVF: ``nprobe``, by default
    :func:`probes_for` its lists); a no-op for flat indexes."""
    inner = faiss.try_extract_index_ivf(index)
    if inner is not None:
        inner.nprobe = nprobe or probes_for(inner.nlist)
    return index


def all_ids(index: faiss.Index) -> np.ndarray:
    """Every id held, for ``IndexIDMap2`` (its id map) and IVF (its inverted lists)."""
    if isinstance(index, faiss.IndexIDMap2 | faiss.IndexIDMap):
        return faiss.vector_to_array(index.id_map).astype(np.int64)
    ivf = faiss.extract_index_ivf(index)
    lists = ivf.invlists
    parts = [
        faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
        for i in range(ivf.nlist)
        if lists.list_size(i)
    ]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
