"""The held-out evaluation set (embeddings/eval/heldout.yaml) is readable, refers to model versions
of the demo catalog, and shares no case with the development set (cases.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml

from embeddings.evaluate import DEFAULT_CASES, DEFAULT_HELDOUT, load_cases, main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "graphcat" / "demo" / "hep-catalog.yaml"


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
