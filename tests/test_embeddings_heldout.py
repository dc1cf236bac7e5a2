"""The held-out evaluation sets (embeddings/eval/heldout.yaml, realworld.yaml, realworld2.yaml, realworld3.yaml, realworld4.yaml and
realworld5.yaml of issue 20) are readable, refer to model versions of the demo catalog, and share no case with the development set
(cases.yaml) or with each other; the evaluator reports recall@1/@3/@5 and MRR for several files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from embeddings.errors import InvalidSchema

from embeddings.evaluate import DEFAULT_CASES, DEFAULT_HELDOUT, SHAPES_AS, Case, load_cases, main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "graphcat" / "demo" / "hep-catalog.yaml"
REALWORLD = ROOT / "embeddings" / "eval" / "realworld.yaml"
REALWORLD2 = ROOT / "embeddings" / "eval" / "realworld2.yaml"
REALWORLD3 = ROOT / "embeddings" / "eval" / "realworld3.yaml"
REALWORLD4 = ROOT / "embeddings" / "eval" / "realworld4.yaml"
REALWORLD5 = ROOT / "embeddings" / "eval" / "realworld5.yaml"


def _load(path: Path) -> list[Case]:
    return load_cases(yaml.safe_load(path.read_text(encoding="utf-8")), source=str(path))


def _schema(case: Case) -> tuple[tuple[str, tuple[int | None, ...]], ...]:
    return tuple((col.name, col.shape) for col in case.columns)


def _versions() -> set[str]:
    catalog = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    return {f"{m['id']}@{v['version']}" for m in catalog["models"] for v in m["versions"]}


def test_heldout_cases_are_valid_and_disjoint_from_the_development_set() -> None:
    heldout = load_cases(yaml.safe_load(DEFAULT_HELDOUT.read_text(encoding="utf-8")), source=str(DEFAULT_HELDOUT))
    dev = load_cases(yaml.safe_load(DEFAULT_CASES.read_text(encoding="utf-8")), source=str(DEFAULT_CASES))
    assert len(heldout) >= 10 and len({c.id for c in heldout}) == len(heldout)
    assert not {c.id for c in heldout} & {c.id for c in dev}
    dev_schemas = {tuple((col.name, col.shape) for col in c.columns) for c in dev}
    known = _versions()
    for case in heldout:
        assert tuple((col.name, col.shape) for col in case.columns) not in dev_schemas, case.id
        assert set(case.expected) <= known, case.id
        assert case.expected[0] in case.acceptable_top1 and set(case.acceptable_top1) <= set(case.expected), case.id


def _check_realworld_set(path: Path, others: list[Case], *, min_cases: int, min_whole_file: int) -> list[Case]:
    # Issue 20: enough cases over >= 12 public datasets naming >= 30 catalogued models, half of them
    # with whole-file shapes as a reading library reports them, disjoint from the other sets, with
    # and without a task, and every shapes_as group (and per-event shapes) represented.
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    real = _load(path)
    assert len(real) >= min_cases and len({c.id for c in real}) == len(real)
    assert not {c.id for c in real} & {c.id for c in others}
    seen = {_schema(c) for c in others}
    for case in real:
        assert _schema(case) not in seen, f"{case.id} repeats a schema"
        seen.add(_schema(case))
    assert len({c.dataset for c in real}) >= 12
    assert len({e.split("@")[0] for c in real for e in c.expected}) >= 30
    known = _versions()
    for case, item in zip(real, raw):
        assert set(case.expected) <= known, case.id
        assert case.expected[0] in case.acceptable_top1 and set(case.acceptable_top1) <= set(case.expected), case.id
        assert len(set(case.expected)) == len(case.expected), case.id
        assert item.get("source"), f"{case.id}: no source"
    whole_file = [c for c in real if c.shapes_as in {"h5py", "uproot", "pyarrow"}]
    assert len(whole_file) >= len(real) / 2 and len(whole_file) >= min_whole_file
    for case in real:
        if case.shapes_as in {"h5py", "numpy"}:
            # the event axis comes first and is shared by every array of the file
            leading = {col.shape[0] for col in case.columns if len(col.shape) >= 1 and col.shape[0] and col.shape[0] > 1000}
            assert len(leading) == 1, case.id
        if case.shapes_as in {"uproot", "pyarrow"}:
            assert all(col.shape == () or col.shape[0] is None for col in case.columns), case.id
    assert any(c.task is None for c in real) and any(c.task for c in real)
    assert {"h5py", "uproot", "pyarrow", "numpy", None} <= {c.shapes_as for c in real}
    return real


# Each real-world set is held out from every set written before it (the ranker was tuned on those).
_REALWORLD_SETS = [(REALWORLD, 44, 22), (REALWORLD2, 40, 20), (REALWORLD3, 40, 20), (REALWORLD4, 40, 20), (REALWORLD5, 40, 20)]


@pytest.mark.parametrize("index", range(len(_REALWORLD_SETS)), ids=[p.stem for p, _, _ in _REALWORLD_SETS])
def test_realworld_set_is_new_and_meets_issue_20(index: int) -> None:
    path, min_cases, min_whole_file = _REALWORLD_SETS[index]
    earlier = [_load(DEFAULT_CASES), _load(DEFAULT_HELDOUT)] + [_load(p) for p, _, _ in _REALWORLD_SETS[:index]]
    _check_realworld_set(path, [c for cases in earlier for c in cases], min_cases=min_cases, min_whole_file=min_whole_file)


def test_third_realworld_set_names_analysts_schemas() -> None:
    # realworld3.yaml (issue 20): ATLAS/CMS/Delphes/EDM4hep naming styles and numbered columns are all present.
    names = {col.name for c in _load(REALWORLD3) for col in c.columns}
    for wanted in ("lep_pt", "mjj", "j1_btag", "met_phi", "nMuon", "Muon_pt", "el_pt", "mu_pt", "fjet_clus_pt",
                   "Jet.PT", "Particle.Eta", "0"):
        assert wanted in names, wanted
    assert any("." in n and n.split(".")[0].startswith(("SiTracks", "PandoraClusters", "MCParticles")) for n in names)


def test_shapes_as_must_name_a_reading_library() -> None:
    with pytest.raises(InvalidSchema, match="shapes_as"):
        load_cases([{"id": "x", "columns": ["a"], "expected": ["m@1"], "shapes_as": "pandas"}])
    assert {"h5py", "uproot", "pyarrow"} <= SHAPES_AS


def test_evaluate_cli_reports_both_sets(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    # Two small case files keep the run short; the option must read the second file and report it.
    one = yaml.safe_load(DEFAULT_CASES.read_text(encoding="utf-8"))["cases"][:1]
    two = yaml.safe_load(DEFAULT_HELDOUT.read_text(encoding="utf-8"))["cases"][:2]
    (tmp_path / "a.yaml").write_text(yaml.safe_dump({"cases": one}))
    (tmp_path / "b.yaml").write_text(yaml.safe_dump({"cases": two}))
    assert main(["--catalog", str(DEMO), "--cases", str(tmp_path / "a.yaml"),
                 "--heldout", str(tmp_path / "b.yaml")]) == 0
    out = capsys.readouterr().out
    assert "## cases:" in out and "## held-out:" in out
    assert "1 cases;" in out and "2 cases;" in out


def test_evaluate_cli_reports_recall_at_3_for_several_heldout_files(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    one = yaml.safe_load(DEFAULT_CASES.read_text(encoding="utf-8"))["cases"][:1]
    two = yaml.safe_load(DEFAULT_HELDOUT.read_text(encoding="utf-8"))["cases"][:1]
    three = yaml.safe_load(REALWORLD.read_text(encoding="utf-8"))["cases"]
    three = [next(c for c in three if c.get("shapes_as") == "h5py"), next(c for c in three if "shapes_as" not in c)]
    for name, data in (("a", one), ("b", two), ("c", three)):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump({"cases": data}))
    assert main(["--catalog", str(DEMO), "--cases", str(tmp_path / "a.yaml"),
                 "--heldout", str(tmp_path / "b.yaml"), str(tmp_path / "c.yaml")]) == 0
    out = capsys.readouterr().out
    assert f"## held-out: {tmp_path / 'b.yaml'}" in out and f"## held-out: {tmp_path / 'c.yaml'}" in out
    assert out.count("| method | recall@1 | recall@3 | recall@5 | MRR |") == 3
    # only the set with shapes_as gets the breakdown, one row per method and group
    assert out.count("| method | shapes_as | cases |") == 1
    assert "| full | h5py | 1 | " in out and "| embedding | - | 1 | " in out
