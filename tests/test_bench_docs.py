"""bench.common.write_section: each benchmark replaces its own section of docs/benchmarks.md only."""

from __future__ import annotations

from pathlib import Path

from bench.common import table, write_section


def test_sections_are_replaced_in_place_and_others_kept(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Someone else's section\n\nTheir table.\n")
    write_section("scale-import-1000", "### import\n\nfirst run", doc)
    write_section("scale-lineage-1000", "### lineage\n\nrun", doc)
    write_section("scale-import-1000", "### import\n\nsecond run", doc)
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\n## Someone else's section\n\nTheir table.\n")
    assert "first run" not in text and text.count("second run") == 1
    assert text.index("second run") < text.index("### lineage")


def test_table_renders_markdown() -> None:
    assert table(["a", "b"], [[1, "x"]]) == "| a | b |\n|---|---|\n| 1 | x |"
