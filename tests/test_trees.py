"""The numpy evaluator of LightGBM dumps (index.trees): it scores as LightGBM does, slim dump or full."""

from __future__ import annotations

import json

import numpy as np

from index.trees import TreeEnsemble, slim


def test_slim_dump_scores_as_lightgbm() -> None:
    import lightgbm as lgb

    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, 5))
    y = (x[:, 0] + 0.5 * x[:, 3] * x[:, 1] > 0).astype(int)
    params = {"objective": "lambdarank", "num_leaves": 7, "min_data_in_leaf": 5, "verbose": -1, "seed": 1}
    booster = lgb.train(params, lgb.Dataset(x, y, group=[20] * 20), num_boost_round=25)
    dump = booster.dump_model()
    small = slim(dump)
    assert len(json.dumps(small)) < len(json.dumps(dump)) / 2
    want = booster.predict(x, raw_score=True)
    assert np.allclose(TreeEnsemble(small).predict_raw(x), want, atol=1e-9)
    assert np.allclose(TreeEnsemble(dump).predict_raw(x), want, atol=1e-9)
