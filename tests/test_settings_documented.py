from __future__ import annotations

from pathlib import Path

import pytest

from graphcat.errors import InvalidSetting
from graphcat.settings import Settings, documented_settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("name,default,doc", documented_settings())
def test_setting_is_documented_in_readme(name: str, default: object, doc: str) -> None:
    assert f"`{name}`" in README, f"{name} is missing from the README's configuration table"
    assert doc.strip(), f"{name} has no documentation line"


def test_environment_overrides_defaults(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("GRAPHCAT_PORT=9000\nGRAPHCAT_NEO4J_USER=fromfile\n")
    s = Settings.from_env({"GRAPHCAT_NEO4J_USER": "fromenv"}, env_file=env_file)
    assert s.port == 9000 and s.neo4j_user == "fromenv"


def test_bad_values_name_the_setting(tmp_path: Path) -> None:
    with pytest.raises(InvalidSetting, match="GRAPHCAT_PORT"):
        Settings.from_env({"GRAPHCAT_PORT": "eighty"}, env_file=tmp_path / "none")
    with pytest.raises(InvalidSetting, match="GRAPHCAT_NEO4J_URI"):
        Settings.from_env({"GRAPHCAT_NEO4J_URI": "http://x"}, env_file=tmp_path / "none")


def test_aura_uri_is_accepted(tmp_path: Path) -> None:
    s = Settings.from_env({"GRAPHCAT_NEO4J_URI": "neo4j+s://abcd.databases.neo4j.io"}, env_file=tmp_path / "none")
    assert not s.neo4j_is_local
