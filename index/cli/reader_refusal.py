"""``thaigov-qa reader refusal``: the reader's refusal thresholds for one collection size, chosen on held-out
questions over indexes of that size and written into the model file as a size anchor
(:mod:`index.answer.collection_size`).

Each ``--on DATA_DIR QA.jsonl…`` asks its questions over that index (a question set belongs with the index of
its releases: ``eval/qa6.jsonl`` with an index of ``eval/qa6-corpus.txt``). Test-fold questions are left out
(the test fold chooses nothing); train-fold ones draw a warning (a model trained on them would choose
in-sample). The indexes of one run must be of about one size (within a factor of 4): the anchor stands at
their geometric mean.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thaigov_qa.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from index.answer import Answerer
    from index.answer.collection_size import SizeAnchor
    from index.answer.model import ReaderModel
    from index.answer.outcomes import Outcome

    #: An answerer over one index, the held-out questions asked over it, and the index's release count.
    Group = tuple[Answerer, list[dict[str, Any]], int]

log = logging.getLogger(__name__)

#: The largest ratio between the sizes of the indexes one anchor is chosen over.
SIZE_SPREAD = 4.0


def _refusal(args: argparse.Namespace, settings: Settings) -> int:
    """``reader refusal``: one size anchor chosen on held-out questions, written back."""
    from index.answer.bolding import replies
    from index.answer.collection_size import choose_anchor, with_anchor
    from index.answer.refusal import NOISE_Z
    from index.answer.training import TARGET_WRONG_RATE, write_model
    from index.cli.training import SHIPPED_MODEL, model_to_rechoose, write_or_explain

    model = model_to_rechoose(args.model, "reader refusal")
    groups = [_group(settings, on, model) for on in args.on]
    sizes = [size for _, _, size in groups]
    if max(sizes) / min(sizes) > SIZE_SPREAD:
        from thaigov_qa.errors import UserError

        raise UserError(
            f"indexes of {min(sizes)} to {max(sizes)} releases: choose one size at a time "
            f"(within a factor of {SIZE_SPREAD:g}), one run per size"
        )
    from tqdm import tqdm

    outs: list[Outcome] = []
    probs, per_reply = [], []
    total = sum(len(questions) for _, questions, _ in groups)
    with tqdm(total=total, desc="asking", unit="question", file=sys.stderr) as bar:
        for answerer, questions, size in groups:
            got = replies([answerer], questions, progress=lambda i, n: bar.update(1))
            outs += got.outs
            probs.append(got.probs)
            per_reply += [size] * len(got.outs)
    import numpy as np

    every = np.concatenate(probs)
    noise_z = NOISE_Z if args.noise_z is None else args.noise_z
    anchor = choose_anchor(outs, every, per_reply, TARGET_WRONG_RATE, noise_z)
    before = model.thresholds.for_collection(anchor.releases)
    out = Path(args.output or args.model or SHIPPED_MODEL)
    spec = with_anchor(model.spec, anchor)
    write_or_explain(lambda path: write_model(spec, path), out, "the reader model")
    if len(spec["thresholds"]["refuse_by_size"]) == 1:
        log.warning(
            "the model has refusal thresholds for one size only (%d releases): every index gets them; choose "
            "those of another size too (e.g. the whole archive's)",
            anchor.releases,
        )
    summary = _summary(out, groups, anchor, dict(before.refuse_by_lang), outs, every)
    print(json.dumps(summary, ensure_ascii=False) if args.json else _describe(summary))
    return 0


def _group(settings: Settings, on: list[str], model: ReaderModel) -> Group:
    """(an answerer with ``model`` over the index, its held-out questions, the index's release count)."""
    from index.answer import Answerer
    from index.cli.ask import _open_answerer
    from index.cli.training import held_out_questions, settings_over
    from thaigov_qa.errors import UserError

    if len(on) < 2:
        raise UserError("--on needs an index folder and at least one question file")
    data_dir = Path(on[0]).resolve()
    questions = held_out_questions(on[1:], "reader refusal", f"--on {data_dir}: ")
    over = settings_over(settings, data_dir)
    answerer = Answerer(_open_answerer(over).searcher, over, model=model)
    size = answerer.searcher.releases
    if size is None:
        raise UserError(f"--on {data_dir}: the index does not say how many releases it holds; rebuild it")
    return answerer, questions, size


def _summary(
    out: Path,
    groups: list[Group],
    anchor: SizeAnchor,
    before: dict[str, float],
    outs: list[Outcome],
    probs: np.ndarray,
) -> dict[str, Any]:
    from index.answer.refusal import rates

    chosen, was = {}, {}
    for lang in sorted({o.lang for o in outs}):
        mine = [i for i, o in enumerate(outs) if o.lang == lang]
        sub = [outs[i] for i in mine]
        if lang in dict(anchor.by_lang):
            chosen[lang] = {k: round(v, 4) for k, v in rates(sub, probs[mine], dict(anchor.by_lang)).items()}
        if lang in before:
            was[lang] = {k: round(v, 4) for k, v in rates(sub, probs[mine], before).items()}
    return {
        "model": str(out),
        "indexes": {str(a.settings.data_dir): size for a, _, size in groups},
        "questions": sum(len(q) for _, q, _ in groups),
        **anchor.to_json(),
        "previous": before,
        "rates": chosen,
        "previous_rates": was,
    }


def _describe(summary: dict[str, Any]) -> str:
    lines = [f"refusal thresholds for {summary['releases']} releases written to {summary['model']}:"]
    for lang, t in sorted(summary["by_lang"].items()):
        r, was = summary["rates"][lang], summary["previous"].get(lang)
        previously = f" (was {was:.2f}" + _rates(summary["previous_rates"].get(lang)) + ")" if was else ""
        lines.append(f"  {lang}: {t:.2f}{_rates(r)}{previously}")
    return "\n".join(lines)


def _rates(r: dict[str, float] | None) -> str:
    if not r:
        return ""
    return (
        f": accuracy {r['accuracy']:.2f}, wrong {r['wrong_rate']:.2f}, "
        f"unanswerable refused {r['unanswerable_refused']:.2f}"
    )


def register(rsub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    r = rsub.add_parser(
        "refusal",
        help="choose the refusal thresholds for one collection size, on questions the model never saw",
        description="Per question language, the lowest refusal threshold whose replies stay within the "
        "wrong-answer target on these questions over these indexes, written into the model as the "
        "thresholds of their size; an index of another size gets thresholds interpolated between the sizes "
        "the model has (in the logarithm of its release count). Test-fold questions are left out.",
    )
    r.add_argument(
        "--on",
        nargs="+",
        action="append",
        required=True,
        metavar="DATA_DIR QA",
        help="an index folder and the question files to ask over it (repeat for more indexes of about one "
        "size)",
    )
    r.add_argument(
        "--noise-z",
        type=float,
        default=None,
        metavar="Z",
        help="keep a threshold only if its wrong-answer rate's upper bound at Z standard errors is within "
        "the target (default: 0, the rate itself); 1 holds the target on fresh questions with a margin, at "
        "~0.03 accuracy (docs/answers.md, 'Stop 56')",
    )
    r.add_argument("--model", default=None, metavar="FILE", help="the reader model (default: the package's)")
    r.add_argument("-o", "--output", default=None, help="where to write it (default: over --model's file)")
    r.add_argument("--json", action="store_true", help="the summary as one JSON object")
    r.set_defaults(handler=_refusal)
