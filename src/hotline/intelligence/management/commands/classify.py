"""`hotline classify train|predict|evaluate`: text classification of appeals (see docs/intelligence.md)."""
from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.intelligence import labelled
from hotline.intelligence.classifier import ModelFileError, TextClassifier, document
from hotline.intelligence.text import words_dictionary


class Command(BaseCommand):
    help = "Train, apply and evaluate the appeal text classifier"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="train|predict|evaluate")
        train = sub.add_parser("train", help="train a model from a labelled CSV (text,label[,title]) or from closed cases")
        train.add_argument("--input", help="UTF-8 CSV with a header and columns text,label (optional title)")
        train.add_argument("--model", help="where to write the model file (default for --from-cases: the data dir)")
        train.add_argument("--from-cases", action="store_true", help="learn from the city's closed cases")
        train.add_argument("--target", choices=["category", "unit"], help="with --from-cases: what to learn")
        train.add_argument("--since", help="with --from-cases: only cases received on or after YYYY-MM-DD")
        train.add_argument("--until", help="with --from-cases: only cases received before YYYY-MM-DD")
        predict = sub.add_parser("predict", help="label a CSV (id,text[,title]) -> CSV (id,label,score)")
        predict.add_argument("--model", required=True)
        predict.add_argument("--input", required=True)
        predict.add_argument("--output", required=True)
        evaluate = sub.add_parser("evaluate", help="accuracy and macro-F1 by stratified k-fold over distinct texts")
        evaluate.add_argument("--input", required=True)
        evaluate.add_argument("--folds", type=int, default=5)
        evaluate.add_argument("--holdout", type=float, help="instead of folds: one stratified held-out share, e.g. 0.1")
        evaluate.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except (labelled.InputFileError, ModelFileError) as exc:
            raise CommandError(str(exc)) from None

    def _train(self, o: dict[str, Any]) -> None:
        if o["from_cases"]:
            from hotline.intelligence.services import CaseTrainingError, train_from_cases

            if not o["target"]:
                raise CommandError("--from-cases needs --target category|unit")
            try:
                result = train_from_cases(target=o["target"], path=Path(o["model"]) if o["model"] else None,
                                          since=o["since"], until=o["until"])
            except CaseTrainingError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{result.rows} closed cases, {result.labels} {o['target']} labels; "
                              f"trained in {result.seconds:.1f} s; model written to {result.path}")
            return
        if not o["input"] or not o["model"]:
            raise CommandError("train needs --input FILE.csv and --model PATH (or --from-cases --target ...)")
        started, cpu = time.perf_counter(), time.process_time()
        rows = labelled.read_rows(Path(o["input"]), need=["text", "label"])
        model = labelled.train(rows, meta={"source": Path(o["input"]).name, "rows": len(rows)})
        model.save(Path(o["model"]))
        self.stdout.write(f"{len(rows)} rows, {len(model.labels)} labels; trained in "
                          f"{time.perf_counter() - started:.1f} s (CPU {time.process_time() - cpu:.1f} s); "
                          f"model written to {o['model']}")

    def _predict(self, o: dict[str, Any]) -> None:
        loading = time.perf_counter()
        model = TextClassifier.load(Path(o["model"]))
        rows = labelled.read_rows(Path(o["input"]), need=["id", "text"])
        # Once per process, as in a server: the word dictionary and the first call's imports (about a second).
        # They are timed apart, so the rate printed is the steady one.
        words_dictionary()
        model.top([document("预热")], k=1)
        loading = time.perf_counter() - loading
        started, cpu = time.perf_counter(), time.process_time()
        best = model.top([document(r.text, r.title) for r in rows], k=1)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        try:
            with Path(o["output"]).open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["id", "label", "score"])
                for row, top in zip(rows, best):
                    writer.writerow([row.key, top[0][0], f"{top[0][1]:.4f}"])
        except OSError as exc:
            raise CommandError(f"{o['output']}: cannot write ({exc.strerror or exc})") from None
        rate = len(rows) / seconds if seconds else 0
        cpu_rate = len(rows) / cpu if cpu else 0
        self.stdout.write(f"{len(rows)} rows labelled in {seconds:.2f} s ({rate:.0f}/s; CPU {cpu:.2f} s = "
                          f"{cpu_rate:.0f}/s of one core; loading the model and dictionary before: "
                          f"{loading:.2f} s); written to {o['output']}")

    def _evaluate(self, o: dict[str, Any]) -> None:
        if o["holdout"] is None and o["folds"] < 2:
            raise CommandError("--folds must be at least 2")
        if o["holdout"] is not None and not 0 < o["holdout"] < 1:
            raise CommandError("--holdout must be between 0 and 1, e.g. 0.1")
        rows = labelled.deduplicated(labelled.read_rows(Path(o["input"]), need=["text", "label"]))
        pairs = labelled.splits(rows, folds=o["folds"], holdout=o["holdout"], seed=o["seed"])
        scores = []
        for number, (train_idx, test_idx) in enumerate(pairs, start=1):
            started = time.perf_counter()
            score = labelled.evaluate(rows, train_idx, test_idx)
            scores.append(score)
            name = "held-out" if o["holdout"] is not None else f"fold {number}/{len(pairs)}"
            self.stdout.write(f"{name}: train {len(train_idx)}, test {score.test_rows}: accuracy {score.accuracy}, "
                              f"macro-F1 {score.macro_f1} ({time.perf_counter() - started:.1f} s)")
        if len(scores) > 1:
            accuracy, macro = labelled.mean(scores)
            self.stdout.write(f"mean over {len(scores)} folds ({len(rows)} distinct texts): accuracy {accuracy}, "
                              f"macro-F1 {macro}")
