"""Building the index: chunking, embedding (and its ONNX backend), vectors and ANN, the lexical store,
the compiled BM25 arrays, generations and the writers' lock; ``pipeline`` runs them in order.

Kept apart from :mod:`index.search` (which reads what this writes) so that a build never imports the
query side: the dependency runs one way, search -> build.
"""
