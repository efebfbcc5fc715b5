"""Searching a built generation: query analysis, the English-Thai glossary, the reader of a generation
and hybrid retrieval with fusion (``retrieve.Searcher`` over the index, ``ranking.Ranker`` per question).

Sits above :mod:`index.build` (it opens what a build wrote) and below :mod:`index.answer`.
"""
