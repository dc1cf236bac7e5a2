"""A synthetic HEP catalog with a realistic shape, written as real catalog files (format version 1).

    .venv/bin/python -m bench.synthetic --versions 100000 --out .graphcat/synthetic-100k [--seed 0]

Shape (all draws from one `random.Random(seed)`, so a seed gives byte-identical files):
- version families: a model family has 1..40 versions, heavy-tailed (a few families hold many);
- fine-tune chains: inside a family a version is fine-tuned from (or quantised / converted from)
  the previous one; the first version of a family is often fine-tuned or distilled from a late
  version of a recent family, so chains run across families and get longer than 10 hops;
- shared datasets: model versions train and evaluate on dataset versions drawn from a Zipf law,
  so a few hub datasets carry thousands of TRAINED_ON / EVALUATED_ON edges (skewed fan-out);
- hub detectors: dataset versions are recorded / simulated with detectors drawn from a Zipf law;
- dataset versions derive (skim, reprocessing, subset) from earlier versions of their family.

Files: `base.json` (experiments, detectors, tasks, owners, publications, datasets) and
`models-NNNN.json` holding whole model families, `--families-per-file` each. Every reference
points to an entity of an earlier file or of the same file, so the files import in name order
with `graphcat import` as well as with `graphcat bulk-import`. Files are streamed to disk one
family at a time: memory stays bounded whatever the size.

At 100k model versions the catalog holds about 0.9M nodes and 1.1M relationships
(`expected_counts` in the manifest written next to the files).
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, TextIO

SIZES = (1_000, 10_000, 100_000)

EXPERIMENTS = [("atlas", "ATLAS"), ("cms", "CMS"), ("lhcb", "LHCb"), ("alice", "ALICE"),
               ("belle2", "Belle II"), ("dune", "DUNE")]
SUBSYSTEMS = [("detector", "general-purpose"), ("tracker", "tracker"), ("ecal", "calorimeter"),
              ("hcal", "calorimeter")]
TASKS = [("classification", "classification", None), ("jet-tagging", "jet tagging", "classification"),
         ("b-tagging", "b-tagging", "jet-tagging"), ("top-tagging", "top tagging", "jet-tagging"),
         ("event-classification", "event classification", "classification"),
         ("regression", "regression", None), ("energy-regression", "energy regression", "regression"),
         ("generation", "generation", None), ("fast-simulation", "fast simulation", "generation"),
         ("reconstruction", "reconstruction", None), ("tracking", "tracking", "reconstruction"),
         ("anomaly-detection", "anomaly detection", None)]
# (family kind, its tasks, feature pool, shape per feature)
PART = ["part_px", "part_py", "part_pz", "part_energy", "part_pt", "part_eta", "part_phi", "part_deta",
        "part_dphi", "part_logptrel", "part_logerel", "part_charge", "part_pid", "part_d0val", "part_dzval"]
JET = ["jet_pt", "jet_eta", "jet_phi", "jet_mass", "jet_energy", "jet_tau21", "jet_tau32", "jet_msd",
       "jet_btag", "jet_nconst", "jet_d2", "jet_c2"]
EVENT = ["lep_pt", "lep_eta", "lep_phi", "met", "met_phi", "ht", "njets", "nbjets", "jet1_pt", "jet2_pt", "mjj", "mbb"]
HITS = ["hit_x", "hit_y", "hit_z", "hit_r", "hit_phi", "hit_layer", "hit_energy"]
CALO = ["voxel_energy", "incident_energy", "layer_energy"]
KINDS = {
    "particle": (["jet-tagging", "top-tagging", "b-tagging"], PART, lambda r: [r.choice([30, 50, 100, 128, None])]),
    "jet": (["jet-tagging", "b-tagging"], JET, lambda r: []),
    "event": (["event-classification", "anomaly-detection"], EVENT, lambda r: []),
    "tracking": (["tracking"], HITS, lambda r: [None]),
    "calo": (["fast-simulation", "energy-regression"], CALO, lambda r: [r.choice([368, 533, 6480])]),
}
WORDS = ["graph", "transformer", "deep-sets", "boosted", "flow", "diffusion", "attention", "lorentz",
         "equivariant", "quantised", "fpga", "fast", "robust", "calibrated", "adapted"]
FRAMEWORKS = ["pytorch", "pytorch", "pytorch", "tensorflow", "keras", "jax", "onnx", "xgboost"]
FORMATS = ["onnx", "onnx", "torchscript", "savedmodel", "h5"]
METRICS = ["auc", "accuracy", "background_rejection@0.3", "loss"]


@dataclass
class Counts:
    """What a generated catalog holds once imported (the importer's node and relationship rows)."""

    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)

    def node(self, kind: str, n: int = 1) -> None:
        self.nodes[kind] = self.nodes.get(kind, 0) + n

    def rel(self, type_: str, n: int = 1) -> None:
        self.relationships[type_] = self.relationships.get(type_, 0) + n

    @property
    def total_nodes(self) -> int:
        return sum(self.nodes.values())

    @property
    def total_relationships(self) -> int:
        return sum(self.relationships.values())


@dataclass
class Manifest:
    seed: int
    model_versions: int
    files: list[str]
    counts: Counts
    longest_chain: int  # model-lineage hops of the longest fine-tune chain
    hub_datasets: list[str]  # most used dataset versions (TRAINED_ON), most used first
    hub_detectors: list[str]
    chain_tips: list[str]  # model versions at the end of the longest chains (lineage start points)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1.0 / (i + 1) ** s for i in range(n)]


class _Writer:
    """Streams one catalog file: sections of entries, written as they come."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh: TextIO = path.open("w", encoding="utf-8")
        self.fh.write('{"graphcat_catalog": 1')
        self.section: str | None = None
        self.first = True

    def entry(self, section: str, value: dict[str, Any]) -> None:
        if section != self.section:
            if self.section is not None:
                self.fh.write("\n]")
            self.fh.write(f',\n"{section}": [\n')
            self.section, self.first = section, True
        if not self.first:
            self.fh.write(",\n")
        self.fh.write(json.dumps(value, separators=(",", ":")))
        self.first = False

    def close(self) -> None:
        if self.section is not None:
            self.fh.write("\n]")
        self.fh.write("}\n")
        self.fh.close()


class Generator:
    def __init__(self, model_versions: int, seed: int = 0) -> None:
        if model_versions < 10:
            raise ValueError("a synthetic catalog needs at least 10 model versions")
        self.n = model_versions
        self.rng = random.Random(seed)
        self.seed = seed
        self.counts = Counts()
        n = model_versions
        self.n_owners = max(10, n // 200)
        self.n_publications = max(10, n // 100)
        self.n_datasets = max(12, n // 50)
        self.detectors: list[str] = []
        self.dataset_versions: list[str] = []  # catalog ids "<dataset>@<version>", in creation order
        self.dataset_kind: dict[str, str] = {}
        self.chain: dict[str, int] = {}  # model version id -> model-lineage hops below it
        self.family_tails: list[str] = []  # the last version of each family so far
        self.trained: dict[str, int] = {}
        self.detector_use: dict[str, int] = {}

    # -- reference data --------------------------------------------------------------------------

    def base(self, w: _Writer) -> None:
        r, c = self.rng, self.counts
        for ident, name in EXPERIMENTS:
            w.entry("experiments", {"id": ident, "name": name, "description": f"{name} experiment"})
            c.node("experiment")
        for exp, name in EXPERIMENTS:
            for sub, kind in SUBSYSTEMS:
                ident = f"{exp}-{sub}"
                w.entry("detectors", {"id": ident, "name": f"{name} {sub}", "experiment": exp, "kind": kind})
                self.detectors.append(ident)
                c.node("detector")
                c.rel("PART_OF")
        # Hub detectors: the Zipf order is a fixed shuffle, so the hubs are not all of one experiment.
        r.shuffle(self.detectors)
        for ident, name, parent in TASKS:
            w.entry("tasks", {"id": ident, "name": name, "parent": parent})
            c.node("task")
            if parent:
                c.rel("SUBTASK_OF")
        for i in range(self.n_owners):
            kind = "team" if i % 3 == 0 else "person"
            w.entry("owners", {"id": f"owner-{i:05d}", "name": f"{kind.title()} {i}", "kind": kind})
            c.node("owner")
        for i in range(self.n_publications):
            w.entry("publications", {"id": f"pub-{i:05d}", "title": f"A {r.choice(WORDS)} study {i}",
                                     "authors": [f"Author {r.randrange(1000)}"], "year": 2015 + i % 10,
                                     "arxiv": f"{18 + i % 7}{i % 12 + 1:02d}.{i:05d}"})
            c.node("publication")
        for i in range(self.n_datasets):
            w.entry("datasets", self.dataset(i))

    def dataset(self, i: int) -> dict[str, Any]:
        r, c = self.rng, self.counts
        kind = r.choice(list(KINDS))
        tasks, pool, shape = KINDS[kind]
        ident = f"ds-{kind}-{i:05d}"
        entry: dict[str, Any] = {"id": ident, "name": f"{kind} dataset {i}", "tasks": [r.choice(tasks)],
                                 "owner": f"owner-{r.randrange(self.n_owners):05d}", "tags": [kind],
                                 "versions": []}
        c.node("dataset")
        c.rel("FOR_TASK")
        c.rel("OWNED_BY")
        if r.random() < 0.3:
            entry["described_in"] = [f"pub-{r.randrange(self.n_publications):05d}"]
            c.rel("DESCRIBED_IN")
        n_versions = min(6, 1 + int(r.expovariate(0.8)))
        features = r.sample(pool, min(len(pool), r.randint(4, 10)))
        fshape = shape(r)
        for v in range(n_versions):
            version = f"{v + 1}.0"
            vid = f"{ident}@{version}"
            data_type = "simulation" if r.random() < 0.8 else "data"
            detector = r.choices(self.detectors, weights=zipf_weights(len(self.detectors), 1.3))[0]
            self.detector_use[detector] = self.detector_use.get(detector, 0) + 1
            body: dict[str, Any] = {
                "version": version, "created_at": f"{2016 + v % 8}-0{1 + v % 9}-1{v % 10}", "format": r.choice(["root", "hdf5", "parquet"]),
                "data_type": data_type, "num_events": r.randrange(10_000, 50_000_000),
                "conditions": {"sqrt_s_tev": r.choice([7, 8, 13, 13.6, 14]), "pileup_mean": r.choice([0, 20, 50, 140])},
                ("simulated_with" if data_type == "simulation" else "recorded_with"): [detector],
                "features": [{"name": f, "dtype": "float32", "shape": fshape} for f in features],
            }
            c.rel("SIMULATED_WITH" if data_type == "simulation" else "RECORDED_WITH")
            if v > 0:
                body["derived_from"] = [{"dataset": f"{ident}@{v}.0", "kind": r.choice(["skim", "reprocessing", "subset"])}]
                c.rel("DERIVED_FROM")
            elif self.dataset_versions and r.random() < 0.2:
                body["derived_from"] = [{"dataset": r.choice(self.dataset_versions), "kind": "conversion"}]
                c.rel("DERIVED_FROM")
            entry["versions"].append(body)
            self.dataset_versions.append(vid)
            self.dataset_kind[vid] = kind
            c.node("dataset_version")
            c.rel("HAS_VERSION")
            c.node("feature", len(features))
            c.rel("PROVIDES", len(features))
        return entry

    # -- models ------------------------------------------------------------------------------------

    def family_sizes(self) -> Iterator[int]:
        """Versions per family, heavy-tailed (Pareto), until the total is reached exactly."""
        left = self.n
        while left > 0:
            size = min(left, 40, int(self.rng.paretovariate(1.3)))
            yield size
            left -= size

    def model(self, i: int, n_versions: int) -> dict[str, Any]:
        r, c = self.rng, self.counts
        kind = r.choice(list(KINDS))
        tasks, pool, shape = KINDS[kind]
        words = r.sample(WORDS, 2)
        ident = f"{kind}-{words[0]}-{i:06d}"
        task_list = sorted(set(r.sample(tasks, 1 + (r.random() < 0.3 and len(tasks) > 1))))
        entry: dict[str, Any] = {"id": ident, "name": f"{words[0]} {words[1]} {kind} model {i}",
                                 "description": f"A {words[0]} {words[1]} network for {', '.join(task_list)}",
                                 "tasks": task_list, "owner": f"owner-{int(r.paretovariate(1.2)) % self.n_owners:05d}",
                                 "tags": [kind, words[0]], "versions": []}
        c.node("model")
        c.rel("SOLVES", len(task_list))
        c.rel("OWNED_BY")
        if r.random() < 0.2:
            entry["described_in"] = [f"pub-{r.randrange(self.n_publications):05d}"]
            c.rel("DESCRIBED_IN")
        candidates = [d for d in self.dataset_versions if self.dataset_kind[d] == kind] or self.dataset_versions
        weights = zipf_weights(len(candidates))
        inputs = r.sample(pool, min(len(pool), r.randint(3, 6)))
        fshape = shape(r)
        previous: str | None = None
        for v in range(n_versions):
            version = f"{1 + v // 5}.{v % 5}.0"
            vid = f"{ident}@{version}"
            trained = sorted(set(r.choices(candidates, weights=weights, k=r.choice([1, 1, 2, 3]))))
            for d in trained:
                self.trained[d] = self.trained.get(d, 0) + 1
            body: dict[str, Any] = {
                "version": version, "created_at": f"{2018 + v % 7}-{1 + v % 12:02d}-15",
                "description": f"{words[0]} {kind} model, release {version}",
                "framework": r.choice(FRAMEWORKS), "format": r.choice(FORMATS), "license": "MIT",
                "inputs": [{"name": f, "dtype": "float32", "shape": fshape} for f in inputs],
                "outputs": [{"name": "score", "dtype": "float32", "shape": [2]}],
                "hyperparameters": {"learning_rate": r.choice([1e-3, 3e-4, 1e-4]), "batch_size": r.choice([128, 256, 512]),
                                    "epochs": r.randint(5, 60), "optimizer": r.choice(["adam", "adamw", "sgd"])},
                "trained_on": trained,
            }
            c.node("model_version")
            c.rel("HAS_VERSION")
            c.node("feature", len(inputs) + 1)
            c.rel("HAS_INPUT", len(inputs))
            c.rel("HAS_OUTPUT")
            c.rel("TRAINED_ON", len(trained))
            parent, link = self.parent(previous)
            if parent is not None:
                body["lineage"] = [{"type": link, "from": parent}]
                c.rel(link)
                self.chain[vid] = self.chain[parent] + 1
            else:
                self.chain[vid] = 0
            evaluations = []
            for d in sorted(set(r.choices(candidates, weights=weights, k=r.choice([0, 0, 1, 1, 2])))):
                evaluations.append({"dataset": d, "metric": r.choice(METRICS), "value": round(r.random(), 4)})
            if evaluations:
                body["evaluations"] = evaluations
                c.node("evaluation", len(evaluations))
                c.rel("EVALUATES", len(evaluations))
                c.rel("EVALUATED_ON", len(evaluations))
            entry["versions"].append(body)
            previous = vid
        if r.random() < 0.3:
            entry["versions"][-1]["aliases"] = ["production"]
        if n_versions > 2 and r.random() < 0.2:
            entry["versions"][0]["deprecated"] = {"reason": "superseded"}
        self.family_tails.append(previous or "")
        return entry

    def parent(self, previous: str | None) -> tuple[str | None, str]:
        """The model version a new version derives from, and how (None: trained from scratch)."""
        r = self.rng
        if previous is not None:
            roll = r.random()
            if roll < 0.65:
                return previous, "FINE_TUNED_FROM"
            if roll < 0.72:
                return previous, r.choice(["QUANTIZED_FROM", "CONVERTED_FROM"])
            return None, ""
        if self.family_tails and r.random() < 0.4:
            # Preferential to recent families: chains compound across families.
            recent = self.family_tails[-50:]
            return recent[int(r.random() ** 2 * len(recent))], r.choice(["FINE_TUNED_FROM", "FINE_TUNED_FROM", "DISTILLED_FROM"])
        return None, ""

    # -- files -----------------------------------------------------------------------------------------

    def write(self, out: Path, families_per_file: int = 2_000) -> Manifest:
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.json"):
            old.unlink()
        files = ["base.json"]
        w = _Writer(out / "base.json")
        self.base(w)
        w.close()
        w = None
        family = 0
        for size in self.family_sizes():
            if family % families_per_file == 0:
                if w is not None:
                    w.close()
                name = f"models-{family // families_per_file:04d}.json"
                files.append(name)
                w = _Writer(out / name)
            assert w is not None
            w.entry("models", self.model(family, size))
            family += 1
        if w is not None:
            w.close()
        tips = sorted(self.chain, key=lambda v: (-self.chain[v], v))[:20]
        manifest = Manifest(
            seed=self.seed, model_versions=self.n, files=files, counts=self.counts,
            longest_chain=max(self.chain.values()),
            hub_datasets=sorted(self.trained, key=lambda d: (-self.trained[d], d))[:10],
            hub_detectors=sorted(self.detector_use, key=lambda d: (-self.detector_use[d], d))[:5],
            chain_tips=tips)
        (out / "manifest.txt").write_text(json.dumps(manifest.to_json(), indent=2) + "\n", encoding="utf-8")
        return manifest


def generate(model_versions: int, out: Path, seed: int = 0, families_per_file: int = 2_000) -> Manifest:
    """Write a synthetic catalog of `model_versions` model versions to `out` (JSON catalog files)."""
    return Generator(model_versions, seed).write(out, families_per_file)


def read_manifest(out: Path) -> Manifest:
    data = json.loads((out / "manifest.txt").read_text(encoding="utf-8"))
    data["counts"] = Counts(**data["counts"])
    return Manifest(**data)


def catalog_files(out: Path) -> list[Path]:
    return [out / name for name in read_manifest(out).files]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synthetic", description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=1_000, help="model versions (1000, 10000, 100000 ...)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the catalog files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--families-per-file", type=int, default=2_000)
    args = parser.parse_args(argv)
    m = generate(args.versions, args.out, args.seed, args.families_per_file)
    print(f"wrote {len(m.files)} files to {args.out}: {m.counts.total_nodes:,} nodes, "
          f"{m.counts.total_relationships:,} relationships, longest fine-tune chain {m.longest_chain} hops")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
