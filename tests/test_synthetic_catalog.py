"""bench/synthetic.py: deterministic, valid catalog files with the shape the scale benchmarks need.

The shape is measured here from the files themselves, independently of the generator's own counts.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic import catalog_files, generate, read_manifest
from graphcat.catalog.files import read_document, schema_problems
from graphcat.catalog.plan import build_plan


@pytest.fixture(scope="module")
def catalog_1k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic-1k")
    generate(1_000, out, seed=7, families_per_file=150)
    return out


def documents(out: Path) -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in catalog_files(out):
        data, problems = read_document(path)
        assert problems == []
        docs.append((str(path), data))
    return docs


def test_same_seed_same_bytes_other_seed_other_catalog(catalog_1k: Path, tmp_path: Path) -> None:
    again = generate(1_000, tmp_path / "again", seed=7, families_per_file=150)
    for name in again.files:
        assert (tmp_path / "again" / name).read_bytes() == (catalog_1k / name).read_bytes(), name
    other = generate(1_000, tmp_path / "other", seed=8, families_per_file=150)
    assert (tmp_path / "other" / other.files[1]).read_bytes() != (catalog_1k / other.files[1]).read_bytes()


def test_every_file_validates_against_the_json_schema_and_plans_without_problems(catalog_1k: Path) -> None:
    docs = documents(catalog_1k)
    assert len(docs) >= 3, "1k versions at 150 families per file span several files"
    for name, doc in docs:
        assert schema_problems(name, doc) == [], name
    plan = build_plan(docs)
    assert plan.problems == []
    # Every reference resolves inside the generated files: they import into an empty catalog.
    assert {ref.target for ref in plan.references} <= set(plan.defined)


def test_counts_match_what_the_files_hold(catalog_1k: Path) -> None:
    manifest = read_manifest(catalog_1k)
    plan = build_plan(documents(catalog_1k))
    nodes = Counter(n.kind for n in plan.nodes)
    edges = Counter(e.type for e in plan.edges)
    assert nodes["model_version"] == 1_000
    assert dict(nodes) == manifest.counts.nodes
    assert dict(edges) == manifest.counts.relationships
    # ~10 relationships per model version: ~1M at the 100k size.
    assert 8 <= sum(edges.values()) / 1_000 <= 14


def test_fan_out_is_skewed_families_vary_and_chains_are_long(catalog_1k: Path) -> None:
    docs = documents(catalog_1k)
    trained: Counter[str] = Counter()
    detectors: Counter[str] = Counter()
    family_sizes = []
    parent: dict[str, str] = {}
    for _, doc in docs:
        for d in doc.get("datasets") or []:
            for v in d["versions"]:
                detectors.update(v.get("simulated_with", []) + v.get("recorded_with", []))
        for m in doc.get("models") or []:
            family_sizes.append(len(m["versions"]))
            for v in m["versions"]:
                trained.update(v["trained_on"])
                for link in v.get("lineage", []):
                    parent[f"{m['id']}@{v['version']}"] = link["from"]
    # Hub datasets: the most used dataset version carries far more than the median one.
    counts = sorted(trained.values(), reverse=True)
    assert counts[0] >= 4 * statistics.median(counts)
    top = counts[: max(1, len(counts) // 10)]
    assert sum(top) >= 0.25 * sum(counts), "the top 10% of dataset versions carry a quarter of the training edges"
    assert detectors.most_common(1)[0][1] >= 4 * statistics.median(detectors.values())
    # Version families: many single versions, a few large families.
    assert family_sizes.count(1) >= len(family_sizes) // 3 and max(family_sizes) >= 10

    def hops(v: str) -> int:
        n = 0
        while v in parent:
            v, n = parent[v], n + 1
        return n

    longest = max(hops(v) for v in parent)
    assert longest >= 10, "lineage at depth 10 needs chains of 10 hops"
    assert longest == read_manifest(catalog_1k).longest_chain
    tip = read_manifest(catalog_1k).chain_tips[0]
    assert hops(tip) == longest


def test_manifest_lists_the_files_in_import_order(catalog_1k: Path) -> None:
    manifest = read_manifest(catalog_1k)
    assert manifest.files[0] == "base.json"
    assert sorted(p.name for p in catalog_1k.glob("*.json")) == sorted(manifest.files)
    json.loads((catalog_1k / "manifest.txt").read_text())
