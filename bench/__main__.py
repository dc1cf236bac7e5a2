"""`make bench` / `python -m bench`: the scale benchmark suite; prints tables, writes docs/benchmarks.md.

    .venv/bin/python -m bench [--sizes 1000 10000 100000] [--skip-recommend]

EMPTIES the catalog of the Neo4j GRAPHCAT_NEO4J_URI names, size after size: point it at a
scratch server. For each size (model versions): generate the synthetic catalog (bench/synthetic.py,
cached under .graphcat/bench/), bulk-import it (bench/import_rate.py), lineage upstream/downstream
at depth 3/5/10 (bench/lineage.py), a GraphQL page of 100 versions with nested fields
(bench/graphql_page.py), FAISS against Neo4j's vector index (bench/vector_index.py), search and
recommendModels over HTTP against `graphcat serve` on that catalog (bench/http_latency.py); then the
recommend and search latency at each size (bench/recommend_search.py). Benchmarks report; the
tests in tests/ assert correctness (no timed tests).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from typing import Any

from bench import graphql_page, http_latency, import_rate, lineage, recommend_search, vector_index
from bench.common import machine, write_section
from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.database import Database


PARTS = ("import", "lineage", "graphql", "vector", "http")


def _say(text: str) -> None:
    print(text, flush=True)


INTRO = """## Scale: 1k / 10k / 100k model versions (bench/, issue 8)

`make bench` (`python -m bench`) runs every part below on the Neo4j of GRAPHCAT_NEO4J_URI (it empties
that catalog: use a scratch server). Catalog: bench/synthetic.py, seed 0 (version families,
fine-tune chains, hub datasets and detectors, Zipf fan-out). Each part states the run it comes
from: the machine, versions, date and command. The machine was a *shared, loaded* 2-core VM
(several engineers' builds, tests and Neo4j servers at the same time; see the load average), so
absolute times are pessimistic and noisy; compare rows of one run. Recommend and search latency
at each size: bench/recommend_search.py, also run by `make bench`, its figures in "Recommend and
search (embeddings/, issue 5)". Scaling past one machine, what was measured and what is on
paper: docs/scaling.md."""


def run_line(info: dict[str, str], argv: list[str]) -> str:
    return (f"Run {info['date']}: `{' '.join(['python -m bench', *argv])}` on {info['cpu']}, {info['memory']}, "
            f"load average {info['load average at start (1 min)']}; Neo4j {info.get('neo4j', '?')} "
            f"(heap / page cache {info.get('neo4j heap / page cache', '?')}), Python {info['python']}, "
            f"neo4j driver {info['neo4j driver']}, faiss {info['faiss']}.")


def save_part(args: argparse.Namespace, key: str, size: int | None, title: str, line: str, body: str) -> None:
    """One docs section per part and size, so a later run of one part and size replaces only that."""
    if args.no_docs:
        return
    write_section("scale", INTRO)
    if size is None:
        write_section(f"scale-{key}", f"### {title}\n\n{line}\n\n{body}")
    else:
        write_section(f"scale-{key}-{size}", f"### {size:,} model versions: {title}\n\n{line}\n\n{body}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--lineage-samples", type=int, default=30)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--vector-queries", type=int, default=200)
    parser.add_argument("--http-queries", type=int, default=200, help="timed rounds of bench/http_latency.py per size")
    parser.add_argument("--max-encode", type=int, default=2_000, help="texts really encoded per size (the rest: noisy copies)")
    parser.add_argument("--skip-recommend", action="store_true", help="skip bench/recommend_search.py")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS),
                        help="parts to run; without `import` the catalog of the (single) size must be loaded already")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    imports: list[dict[str, Any]] = []
    lineages: list[str] = []
    pages: list[tuple[int, dict[str, Any]]] = []
    vectors: list[dict[str, Any]] = []
    with Database(settings) as db:
        migrations.apply(db)
        info = machine(db)
        line = run_line(info, argv)
        _say("\n".join(f"{k}: {v}" for k, v in info.items()))
        enc = vector_index.encoder()
        for size in args.sizes:
            _say(f"\n== {size:,} model versions")
            folder, manifest = import_rate.synthetic_catalog(size)

            if "import" in args.parts:
                imports.append(import_rate.run(db, size))
                _say(import_rate.render(imports[-1:]))
                save_part(args, "import", size, "Bulk import rate (graphcat bulk-import)", line, import_rate.render(imports[-1:]))
            if "lineage" in args.parts:
                rows = lineage.run(db, folder, manifest, samples=args.lineage_samples)
                lineages.append(lineage.render(size, manifest.counts.total_relationships, rows))
                _say(lineages[-1])
                save_part(args, "lineage", size, "Lineage (graphcat.service.lineage), target p95 <= 50 ms at 1M relationships",
                          line, lineages[-1])
            if "graphql" in args.parts:
                pages.append((size, graphql_page.run(settings, pages=args.pages)))
                pages.append((size, graphql_page.run(settings, pages=args.pages, total=False)))
                _say(graphql_page.render(pages[-2:]))
                save_part(args, "graphql", size, "GraphQL: a page of 100 model versions with nested datasets, detectors, evaluations",
                          line, graphql_page.render(pages[-2:]))
            if "vector" in args.parts:
                vectors.append(vector_index.run(db, folder, manifest, enc, max_encode=args.max_encode,
                                                queries=args.vector_queries))
                _say(vector_index.render(vectors[-1:]))
                save_part(args, "vector", size, "FAISS against Neo4j's native vector index (same embeddings, one run)",
                          line, vector_index.render(vectors[-1:]))
            if "http" in args.parts:
                served = http_latency.run(str(size), args.http_queries, warmup=20, load=False)
                _say(served)
                save_part(args, "http", size, "Search and recommendModels over HTTP (bench/http_latency.py)", line, served)
    if not args.skip_recommend:
        _say("\n== recommend and search (bench/recommend_search.py)")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            recommend_search.main(["--sizes", *map(str, args.sizes), "--queries", "100", "--max-encode", str(args.max_encode)])
        _say(out.getvalue())
        save_part(args, "recommend", None, "Recommend and search latency (bench/recommend_search.py, run by this suite)", line,
                  f"`python -m bench.recommend_search --sizes {' '.join(map(str, args.sizes))} --queries 100 "
                  f"--max-encode {args.max_encode}`\n\n" + out.getvalue().strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
