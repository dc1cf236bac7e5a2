"""The size and column caps: checked before and while reading, so a huge file fails fast."""

from __future__ import annotations

from graphcat.errors import InvalidInput
from graphcat.settings import Settings
from graphcat.userschema.model import SchemaFeature


def mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def check_size(source: str, size: int, settings: Settings) -> None:
    if size > settings.max_upload_bytes:
        raise InvalidInput(
            f"file is {mib(size)}; the limit is {mib(settings.max_upload_bytes)} (GRAPHCAT_MAX_UPLOAD_BYTES)",
            path=source,
        )


class Features:
    """Collects features in file order, failing as soon as the column cap is passed."""

    def __init__(self, label: str, source: str, settings: Settings) -> None:
        self.label = label
        self.source = source
        self.max_columns = settings.max_columns
        self.items: list[SchemaFeature] = []
        self.skipped: list[str] = []

    def check_count(self, count: int) -> None:
        """Fail early when a header already announces more columns than allowed."""
        if count > self.max_columns:
            raise InvalidInput(
                f"{self.label}: {count} columns; the limit is {self.max_columns} (GRAPHCAT_MAX_COLUMNS)",
                path=self.source,
            )

    def add(self, feature: SchemaFeature) -> None:
        self.items.append(feature)
        self.check_count(len(self.items))

    def skip(self, what: str, why: str) -> None:
        self.skipped.append(f"{what}: {why}")

    def unique(self) -> list[SchemaFeature]:
        """The features, with names made unique by their path where two share a name."""
        counts: dict[str, int] = {}
        for feat in self.items:
            counts[feat.name] = counts.get(feat.name, 0) + 1
        result: list[SchemaFeature] = []
        seen: set[str] = set()
        for feat in self.items:
            name = feat.name
            if counts[name] > 1 and feat.path:
                name = feat.path.lstrip("/")
            base, n = name, 2
            while name in seen:
                name, n = f"{base}#{n}", n + 1
            seen.add(name)
            result.append(feat if name == feat.name else SchemaFeature(
                name, feat.dtype, feat.shape, feat.unit, feat.description, feat.path))
        return result
