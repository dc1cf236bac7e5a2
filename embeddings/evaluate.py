"""Recommendation quality: recall@1, recall@3, recall@5 and MRR of the full ranker and two baselines.

    python -m embeddings.evaluate --catalog graphcat/demo/hep-catalog.yaml \
        [--cases embeddings/eval/cases.yaml] [--heldout [embeddings/eval/heldout.yaml ...]]

`--heldout` also runs held-out sets (schemas no ranker change was made after looking at): one or
several files (none given: heldout.yaml), each reported under its own heading after the first.

A case is a real dataset's schema and the model versions that should come first:
    cases:
      - id: jetclass
        dataset: JetClass (arXiv:2202.03772)
        task: jet-tagging            # optional
        columns: [{name: part_px, dtype: float32, shape: [null]}, ...]   # or bare names
        expected: [particle-transformer-jetclass@1.0.0]
A case may say `shapes_as: h5py|uproot|pyarrow|numpy` (its shapes are what that library reports
for the whole file); a set with such cases also gets a per-`shapes_as` table.
A case may list `acceptable_top1`: every version that is a correct first answer (default: the
first expected). Metrics, per case then averaged: recall@1 = 1 when rank 1 is acceptable;
recall@k = |expected ∩ top k| / min(k, |expected|) for k > 1; reciprocal rank = 1 / rank of the
first expected or acceptable model (0 when none is ranked).
Ties are broken by model id, the same for every method.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import yaml

from embeddings.encoder import Encoder
from embeddings.errors import InvalidSchema
from embeddings.lifecycle import build_index
from embeddings.ranker import Recommender, embedding_scores, name_overlap_scores
from embeddings.schema import CatalogView, Column, catalog_from_dicts, columns_from_dicts

DEFAULT_CASES = Path(__file__).resolve().parent / "eval" / "cases.yaml"
DEFAULT_HELDOUT = Path(__file__).resolve().parent / "eval" / "heldout.yaml"
METHODS = ("full", "name-overlap", "embedding")
SHAPES_AS = frozenset({"h5py", "uproot", "pyarrow", "numpy"})
KS = (1, 3, 5)


@dataclass(frozen=True)
class Case:
    id: str
    columns: list[Column]
    expected: list[str]
    acceptable_top1: list[str]  # every correct first answer (expected[0] among them)
    task: str | None = None
    dataset: str | None = None
    description: str | None = None
    shapes_as: str | None = None  # library whose whole-file shapes the case copies
    source: str | None = None  # where the schema is documented


@dataclass(frozen=True)
class Outcome:
    case: Case
    method: str
    ranking: list[str]

    def rank(self) -> int | None:
        relevant = set(self.case.expected) | set(self.case.acceptable_top1)
        for pos, model_id in enumerate(self.ranking, start=1):
            if model_id in relevant:
                return pos
        return None

    def recall(self, k: int) -> float:
        if k == 1:
            return 1.0 if self.ranking[:1] and self.ranking[0] in self.case.acceptable_top1 else 0.0
        hits = len(set(self.ranking[:k]) & set(self.case.expected))
        return hits / min(k, len(self.case.expected))

    def reciprocal_rank(self) -> float:
        rank = self.rank()
        return 1.0 / rank if rank else 0.0


def load_cases(data: Any, *, source: str = "cases") -> list[Case]:
    items = data.get("cases") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise InvalidSchema("expected a list of cases (or a mapping with 'cases')", path=source)
    cases = []
    for i, item in enumerate(items):
        path = f"{source}[{i}]"
        if not isinstance(item, Mapping):
            raise InvalidSchema("a case is a mapping", path=path)
        expected = item.get("expected") or item.get("expect") or item.get("relevant")
        if isinstance(expected, str):
            expected = [expected]
        if not expected:
            raise InvalidSchema("missing 'expected' (model@version ids)", path=path)
        columns = item.get("columns") or item.get("features")
        if not columns:
            raise InvalidSchema("missing 'columns'", path=path)
        shapes_as = item.get("shapes_as")
        if shapes_as is not None and shapes_as not in SHAPES_AS:
            raise InvalidSchema(f"shapes_as {shapes_as!r}: expected one of {sorted(SHAPES_AS)}", path=f"{path}.shapes_as")
        cases.append(Case(
            id=str(item.get("id") or item.get("name") or i),
            columns=columns_from_dicts(columns, path=f"{path}.columns"),
            expected=[str(e) for e in expected],
            acceptable_top1=[str(e) for e in (item.get("acceptable_top1") or [])] or [str(expected[0])],
            task=item.get("task"),
            dataset=item.get("dataset") or item.get("source"),
            description=item.get("description"),
            shapes_as=shapes_as,
            source=item.get("source"),
        ))
    return cases


def evaluate(view: CatalogView, cases: Sequence[Case], encoder: Encoder, *,
             use_task: bool = True) -> dict[str, list[Outcome]]:
    known = {c.id for c in view.models}
    for case in cases:
        missing = [e for e in case.expected + case.acceptable_top1 if e not in known]
        if missing:
            raise InvalidSchema(f"expected models not in the catalog: {missing}", path=f"case {case.id}")
    documents = [d for d in view.documents if d.kind == "model"]
    index = build_index(documents, encoder)
    n = len(view.models)
    ranker = Recommender(encoder, index, {c.id: c for c in view.models}, dict(view.task_parents), candidates=n)
    methods: dict[str, Callable[[Case], list[str]]] = {
        "full": lambda c: [r.model_id for r in ranker.recommend(c.columns, task=c.task if use_task else None, k=n)],
        "name-overlap": lambda c: [m for m, _ in name_overlap_scores(c.columns, view.models)],
        "embedding": lambda c: [m for m, _ in embedding_scores(encoder, index, c.columns,
                                                               task=c.task if use_task else None, k=n)],
    }
    return {name: [Outcome(case, name, fn(case)) for case in cases] for name, fn in methods.items()}


def summary(outcomes: Sequence[Outcome]) -> dict[str, float]:
    n = len(outcomes) or 1
    out = {f"recall@{k}": sum(o.recall(k) for o in outcomes) / n for k in KS}
    out["mrr"] = sum(o.reciprocal_rank() for o in outcomes) / n
    return out


def _row(s: Mapping[str, float]) -> str:
    return " | ".join(f"{s[f'recall@{k}']:.3f}" for k in KS) + f" | {s['mrr']:.3f} |"


def report(results: Mapping[str, list[Outcome]], *, command: str) -> str:
    n = len(next(iter(results.values())))
    lines = [f"{n} cases; command: `{command}`", "",
             "| method | recall@1 | recall@3 | recall@5 | MRR |", "|---|---|---|---|---|"]
    for name, outcomes in results.items():
        lines.append(f"| {name} | " + _row(summary(outcomes)))
    groups = sorted({o.case.shapes_as or "-" for o in results["full"]})
    if groups != ["-"]:
        lines += ["", "By `shapes_as` (- = per-event shapes as typed):", "",
                  "| method | shapes_as | cases | recall@1 | recall@3 | recall@5 | MRR |", "|---|---|---|---|---|---|---|"]
        for name, outcomes in results.items():
            for g in groups:
                part = [o for o in outcomes if (o.case.shapes_as or "-") == g]
                lines.append(f"| {name} | {g} | {len(part)} | " + _row(summary(part)))
    wrong = [o for o in results["full"] if o.recall(1) < 1.0]
    lines += ["", f"Cases the full ranker gets wrong at rank 1: {len(wrong)}", ""]
    if wrong:
        lines += ["| case | expected | rank of first expected | ranked first |", "|---|---|---|---|"]
        for o in wrong:
            lines.append(f"| {o.case.id} | {', '.join(o.case.expected)} | {o.rank() or '-'} | "
                         f"{o.ranking[0] if o.ranking else '-'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embeddings.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--catalog", nargs="+", required=True, help="catalog YAML/JSON file(s)")
    parser.add_argument("--cases", default=str(DEFAULT_CASES))
    parser.add_argument("--heldout", nargs="*", default=None,
                        help=f"also evaluate held-out case file(s) (none given: {DEFAULT_HELDOUT.name})")
    parser.add_argument("--model", default=None, help="sentence-transformers folder (default: bundled MiniLM)")
    parser.add_argument("--backend", choices=["torch", "onnx"], default="torch")
    parser.add_argument("--no-task", action="store_true", help="ignore the cases' task (schema only)")
    parser.add_argument("--verbose", action="store_true", help="print each case's top 3 per method")
    parser.add_argument("--exclude", nargs="+", default=(), metavar="ID",
                        help="leave these case ids out (held-out cases that turned out to be seen)")
    args = parser.parse_args(argv)
    view = catalog_from_dicts([yaml.safe_load(Path(p).read_text()) for p in args.catalog])
    heldout = [] if args.heldout is None else (args.heldout or [str(DEFAULT_HELDOUT)])
    sets = [("cases", args.cases)] + [("held-out", path) for path in heldout]
    encoder = Encoder(args.model, backend=args.backend)
    command = "python -m embeddings.evaluate " + " ".join(argv if argv is not None else sys.argv[1:])
    for label, path in sets:
        cases = load_cases(yaml.safe_load(Path(path).read_text()), source=path)
        left_out = [c.id for c in cases if c.id in set(args.exclude)]
        cases = [c for c in cases if c.id not in set(args.exclude)]
        if left_out:
            print(f"(left out of {label}: {', '.join(left_out)})")
        results = evaluate(view, cases, encoder, use_task=not args.no_task)
        if args.verbose:
            for name, outcomes in results.items():
                for o in outcomes:
                    print(f"{name:13s} {o.case.id:30s} rank={o.rank()} top3={o.ranking[:3]}")
        print(f"## {label}: {path}\n")
        print(report(results, command=command.strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
