"""Gradient-boosted trees served without LightGBM: the reader's sentence scorer and the search's second look.

Both are trained with LightGBM and stored as its documented JSON dump (``Booster.dump_model``). Why not
LightGBM's own predictor at serving time: importing ``lightgbm`` imports scikit-learn and SciPy (1-10 s on
these 2 cores, before every CLI ``ask``), while a few hundred shallow trees over a few dozen rows evaluate in
well under a millisecond with numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The keys of a dumped tree node the evaluator reads; :func:`slim` keeps only these.
NODE_KEYS = ("split_feature", "threshold", "left_child", "right_child", "leaf_value")


def slim(dump: dict[str, Any]) -> dict[str, Any]:
    """A LightGBM dump reduced to what :class:`TreeEnsemble` reads (a tenth of the bytes): the model files
    ship in the repository and are read at every start."""

    def node(n: dict[str, Any]) -> dict[str, Any]:
        kept = {k: n[k] for k in NODE_KEYS if k in n and not k.endswith("_child")}
        if "split_feature" in n:
            kept["left_child"] = node(n["left_child"])
            kept["right_child"] = node(n["right_child"])
        return kept

    return {"tree_info": [{"tree_structure": node(t["tree_structure"])} for t in dump["tree_info"]]}


class TreeEnsemble:
    """Sum of regression trees from LightGBM's ``dump_model()`` JSON, evaluated with numpy.

    All trees are flattened into shared arrays (feature, threshold, left, right; a child below zero is
    ``~leaf``, LightGBM's own convention), and every (row, tree) pair descends one level per step together:
    a question's 15 candidates through 300 trees take a dozen vectorised steps, not 300 Python loops.
    """

    def __init__(self, dump: dict[str, Any]) -> None:
        feat: list[int] = []
        thr: list[float] = []
        left: list[int] = []
        right: list[int] = []
        leaves: list[float] = []
        roots = [
            self._flatten(t["tree_structure"], feat, thr, left, right, leaves) for t in dump["tree_info"]
        ]
        self.roots = np.asarray(roots, dtype=np.int64)
        self.feat = np.asarray(feat, dtype=np.int64)
        self.thr = np.asarray(thr, dtype=np.float64)
        self.left = np.asarray(left, dtype=np.int64)
        self.right = np.asarray(right, dtype=np.int64)
        self.leaves = np.asarray(leaves, dtype=np.float64)

    @staticmethod
    def _flatten(
        root: dict[str, Any],
        feat: list[int],
        thr: list[float],
        left: list[int],
        right: list[int],
        leaves: list[float],
    ) -> int:
        def visit(node: dict[str, Any]) -> int:
            if "split_feature" not in node:
                leaves.append(float(node.get("leaf_value", 0.0)))
                return ~(len(leaves) - 1)
            i = len(feat)
            feat.append(int(node["split_feature"]))
            thr.append(float(node["threshold"]))
            left.append(0)
            right.append(0)
            left[i] = visit(node["left_child"])
            right[i] = visit(node["right_child"])
            return i

        return visit(root)

    def predict_raw(self, x: np.ndarray) -> np.ndarray:
        """The ensemble's raw score for each row of ``x``."""
        x = np.asarray(x, dtype=np.float64)
        node = np.tile(self.roots, (len(x), 1))
        rows = np.repeat(np.arange(len(x)), len(self.roots)).reshape(node.shape)
        active = node >= 0
        while active.any():
            n = node[active]
            go_left = x[rows[active], self.feat[n]] <= self.thr[n]
            node[active] = np.where(go_left, self.left[n], self.right[n])
            active = node >= 0
        return self.leaves[~node].sum(axis=1)
