"""``thaigov-qa reader train``: train the answer step's reader model from a question set over the index.

The question files need a ``fold`` per question (train / validation / test, split by release: see
eval/README.md); the model is fitted on the train fold, calibrated and thresholded on the validation fold,
and written deterministically, byte for byte, over one index or two (docs/answers.md, "Stop 22")
to the package's model file unless ``-o`` names another.

``--thresholds-on QA…`` adds questions that only choose the thresholds, scored by the final trees: more
held-out replies where the validation folds are few or unlike the questions the product will meet (stop 21
tried the 565 questions of ``eval/qa-train2-*.jsonl`` that way). The shipped reader (stop 22) needs no
threshold set: it is trained on three writers' train folds and thresholded on two validation folds (588
questions; ``eval/qa3-*.jsonl``), checked on a sixth writer's test set (docs/answers.md, "Stop 22").

``--also-index DATA_DIR`` analyses the same questions over another index too (the shipped reader: the qa
index and, since stop 23, the 10,000-release slice of ``bench/lists/slice10k-qa.txt``; the whole archive until
stop 22), and the trees, the calibration and the thresholds learn from both analyses of
each question. Why: a reader trained over the 1.7k-release qa index alone was over-confident over the whole
archive, where more look-alike releases compete (stop 20: development set over the whole archive, wrong-answer
rate 0.145 against 0.069 for the shipped reader trained over both; docs/answers.md, "Stop 20").
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.cli.training import SHIPPED_MODEL, settings_over
from thaigov_qa.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.bolding import BoldChoice
    from index.answer.verifier_training import VerifierPlan

log = logging.getLogger(__name__)

SHIPPED_VERIFIER = SHIPPED_MODEL.with_name("verifier.safetensors")


def _train(args: argparse.Namespace, settings: Settings) -> int:
    from index.answer import Answerer
    from index.answer.training import collect, kind_probabilities, train, write_model
    from index.cli.ask import _open_answerer
    from index.cli.training import write_or_explain
    from index.evaluate import BadQuestionSet, load_training_questions
    from thaigov_qa.errors import UserError

    try:
        questions = load_training_questions(args.qa)
        questions += _threshold_questions(args.thresholds_on, questions)
    except BadQuestionSet as exc:
        raise UserError(str(exc)) from None
    answerer: Answerer = _open_answerer(settings)
    from tqdm import tqdm

    kinds, kind_spec = kind_probabilities(answerer, questions)
    examples = []
    # Each index once, however it is spelled (the same index twice would count every question twice).
    dirs = list(dict.fromkeys(Path(d).resolve() for d in [settings.data_dir, *args.also_index]))
    for i, data_dir in enumerate(dirs):
        over = answerer if i == 0 else _open_answerer(settings_over(settings, data_dir))
        desc = f"analysing ({data_dir})"
        with tqdm(total=len(questions), desc=desc, unit="question", file=sys.stderr) as bar:
            examples += collect(over, questions, progress=lambda i, n: bar.update(1), kinds=kinds)
    out = Path(args.output)
    with tqdm(
        desc="fine-tuning the verifier", unit="step", file=sys.stderr, disable=not args.verifier
    ) as bar:
        plan = _verifier_plan(args, settings, out, bar) if args.verifier else None
        try:
            spec = train(
                answerer,
                examples,
                kinds=kind_spec,
                verifier=plan,
                seed=args.seed,
                search_calibration=args.search_calibration,
            )
        except ValueError as exc:
            raise UserError(str(exc)) from None
    write_or_explain(lambda path: write_model(spec, path), out, "the reader model")
    several = spec.get("several") or {}
    thresholds = {**spec["thresholds"], "several": several.get("threshold")}
    indexes = [str(d) for d in dirs]
    summary = {"model": str(out), "indexes": indexes, **spec["trained_on"], "thresholds": thresholds}
    if plan is not None:
        summary["verifier"] = str(plan.path)
    print(json.dumps(summary, ensure_ascii=False) if args.json else _describe(summary))
    return 0


def _bold(args: argparse.Namespace, settings: Settings) -> int:
    """``reader bold``: the model's bold thresholds chosen again on held-out questions, written back."""
    from index.answer import Answerer
    from index.answer.bolding import choose, replies, with_bold
    from index.answer.training import write_model
    from index.cli.ask import _open_answerer
    from index.cli.training import held_out_questions, model_to_rechoose, write_or_explain

    questions = held_out_questions(args.qa, "reader bold")
    model = model_to_rechoose(args.model, "reader bold")
    from tqdm import tqdm

    answerers = []
    dirs = list(dict.fromkeys(Path(d).resolve() for d in [settings.data_dir, *args.also_index]))
    for i, data_dir in enumerate(dirs):
        over = settings if i == 0 else settings_over(settings, data_dir)
        # The model whose thresholds are chosen (not necessarily the package's), over every index.
        answerers.append(Answerer(_open_answerer(over).searcher, over, model=model))
    total = len(questions) * len(answerers)
    with tqdm(total=total, desc="asking", unit="question", file=sys.stderr) as bar:
        got = replies(answerers, questions, progress=lambda i, n: bar.update(1))
    choice = choose(got, answerers[0])
    out = Path(args.output or args.model or SHIPPED_MODEL)
    write_or_explain(
        lambda path: write_model(with_bold(model.spec, choice.thresholds), path), out, "the reader model"
    )
    before = dict(model.thresholds.bold_by_lang)
    summary = {"model": str(out), "questions": len(questions), "indexes": [str(d) for d in dirs]}
    summary |= {**choice.to_json(), "previous": before}
    print(json.dumps(summary, ensure_ascii=False) if args.json else _describe_bold(choice, before, out))
    return 0


def _describe_bold(choice: BoldChoice, before: dict[str, float], out: Path) -> str:
    """One line per question language: the chosen threshold (and the one it replaces) and its support."""
    from index.answer.thresholds import MIN_BOLD_SUPPORT, TARGET_SPAN_PRECISION

    lines = [f"bold thresholds written to {out}:"]
    for lang, shown in sorted(choice.shown.items()):
        t, was = choice.thresholds.get(lang), before.get(lang)
        bold, right = choice.bold[lang], choice.right[lang]
        previously = f" (was {was:.2f})" if was is not None else " (was none)"
        if t is not None:
            lines.append(
                f"  {lang}: from {t:.2f}{previously}: {bold} of {shown} short answers bold, {right} right"
            )
        else:
            lines.append(
                f"  {lang}: none{previously}: {right} of {bold} right with every one bold, never "
                f"{TARGET_SPAN_PRECISION:.2f} with {MIN_BOLD_SUPPORT} or more kept"
            )
    return "\n".join(lines)


def _verifier_plan(args: argparse.Namespace, settings: Settings, out: Path, bar: Any) -> VerifierPlan:
    """Where and over which model the verifier is fine-tuned: beside the reader's file (the package's
    ``verifier.safetensors`` for the package's reader, else ``<model>.verifier.safetensors``)."""
    from index.answer.verifier_training import VerifierPlan

    if args.verifier_output:
        path = Path(args.verifier_output)
    elif out.resolve() == SHIPPED_MODEL.resolve():
        path = SHIPPED_VERIFIER
    else:
        path = out.with_suffix(".verifier.safetensors")

    def progress(step: int, steps: int) -> None:
        bar.total = steps
        bar.update(step - bar.n)

    return VerifierPlan(settings.embedding_model, path, progress=progress)


def _threshold_questions(paths: list[str], fitted: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    """The questions of ``--thresholds-on`` files, moved to the threshold fold whatever fold they name.

    Left out: a test-fold question (the test fold chooses nothing), and one that shares its text or a gold
    release with a ``fitted`` (train or validation) question: the final trees score the threshold set, and
    they have seen those releases, so its scores would be in-sample."""
    from index.answer.training import THRESHOLD_FOLD
    from index.evaluate import load_questions

    seen_text = {str(q.get("question", "")).strip() for q in fitted}
    seen_urls = {u for q in fitted for u in (q.get("gold_urls") or [])}
    kept, dropped = [], 0
    for q in (q for path in paths for q in load_questions(Path(path))):
        if q.get("fold") == "test":
            continue
        if str(q.get("question", "")).strip() in seen_text or seen_urls & set(q.get("gold_urls") or []):
            dropped += 1
            continue
        kept.append({**q, "fold": THRESHOLD_FOLD})
    if dropped:
        log.warning("--thresholds-on: %d questions left out (a trained-on question or gold release)", dropped)
    return kept


def _describe(summary: dict) -> str:  # type: ignore[type-arg]
    v = summary["validation"]
    return (
        f"reader model written to {summary['model']}: {summary['train_questions']} train questions "
        f"({summary['candidate_rows']} candidate sentences); validation: accuracy {v['accuracy']:.2f}, "
        f"wrong answers {v['wrong_rate']:.2f}, unanswerable refused {v['unanswerable_refused']:.2f}, "
        f"answerable refused {v['answerable_refused']:.2f}; thresholds {summary['thresholds']}"
    )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("reader", help="the answer step's reader model")
    rsub = p.add_subparsers(dest="reader_command", metavar="COMMAND", required=True)
    t = rsub.add_parser("train", help="train the reader on question sets with train/validation folds")
    t.add_argument("qa", nargs="+", help="question files (JSONL with a 'fold' per question)")
    t.add_argument("-o", "--output", default=str(SHIPPED_MODEL), help="model file (default: the package's)")
    t.add_argument(
        "--also-index",
        action="append",
        default=[],
        metavar="DATA_DIR",
        help="another index to analyse the same questions over (e.g. the whole archive): the reader learns "
        "from both, and its calibration and thresholds hold at both sizes",
    )
    t.add_argument(
        "--thresholds-on",
        nargs="+",
        default=[],
        metavar="QA",
        help="question files that only choose the thresholds, with the validation fold (never fitted on): "
        "more held-out replies, so that the wrong-answer target holds beyond the validation fold",
    )
    t.add_argument(
        "--verifier",
        action="store_true",
        help="also fine-tune the verifier (a cross-encoder over the question and the quote, on the train "
        "fold; ~17 min on 2 cores) and calibrate the reply's probability with it (not in the shipped "
        "reader: docs/answers.md, 'Stop 28')",
    )
    t.add_argument(
        "--verifier-output",
        default=None,
        metavar="FILE",
        help="where the verifier is written (default: beside the model file)",
    )
    t.add_argument(
        "--seed",
        type=int,
        default=None,
        help="LightGBM's seed for the reader's trees (default: the shipped model's, 15); a reader moves "
        "by ~0.02 between seeds on fresh questions: compare variants over several (docs/answers.md, "
        "'Stop 34')",
    )
    t.add_argument(
        "--search-calibration",
        action="store_true",
        help="also fit the calibration over every measure for replies over a search; replies within one "
        "release keep the thirteen-input one (index/answer/calibration.py; measured at stop 55, not yet in "
        "the shipped reader: docs/answers.md)",
    )
    t.add_argument("--json", action="store_true", help="the summary as one JSON object")
    t.set_defaults(handler=_train)
    b = rsub.add_parser(
        "bold",
        help="choose again when short answers are shown in bold, on questions the model never saw",
        description="The span-model probability, per question language, from which a shown reply's short "
        "answer is in bold (right 0.85 of the time on these questions, at least 20 of them), chosen for a "
        "model as it is and written into its file. The questions must be ones the model was not trained "
        "on (the shipped reader: eval/qa6-9.jsonl over the whole archive); test-fold questions are left "
        "out.",
    )
    b.add_argument("qa", nargs="+", help="question files the model was not trained on")
    b.add_argument("--model", default=None, metavar="FILE", help="the reader model (default: the package's)")
    b.add_argument("-o", "--output", default=None, help="where to write it (default: over --model's file)")
    b.add_argument(
        "--also-index", action="append", default=[], metavar="DATA_DIR", help="another index to ask over"
    )
    b.add_argument("--json", action="store_true", help="the summary as one JSON object")
    b.set_defaults(handler=_bold)
    from index.cli.reader_refusal import register as register_refusal

    register_refusal(rsub)
