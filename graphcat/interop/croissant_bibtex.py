"""Croissant's `citeAs` (BibTeX text) <-> graphcat publications, both directions.

Only what a publication holds is read: title, author, year, eprint (arXiv), doi, url. Several
entries in one citeAs are several publications. Text that is not BibTeX is one publication whose
title is the text.
"""

from __future__ import annotations

import re
from typing import Any

from graphcat import domain
from graphcat.interop.mlflow_mapping import slug

_ENTRY = re.compile(r"@\w+\s*\{")
_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")


def bibtex_entries(text: str) -> list[str]:
    """The entries of a BibTeX text ([] when it has none)."""
    starts = [m.start() for m in _ENTRY.finditer(text)]
    return [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)])]


def bibtex_fields(entry: str) -> dict[str, str]:
    """field -> value of one BibTeX entry (braces or quotes, nested braces dropped, whitespace folded)."""
    out: dict[str, str] = {}
    for match in re.finditer(r"(\w+)\s*=\s*", entry):
        start = match.end()
        if start >= len(entry):
            break
        if entry[start] == "{":
            depth, i = 0, start
            while i < len(entry):
                depth += {"{": 1, "}": -1}.get(entry[i], 0)
                if depth == 0:
                    break
                i += 1
            value = entry[start + 1:i]
        elif entry[start] == '"':
            end = entry.find('"', start + 1)
            value = entry[start + 1:end if end >= 0 else len(entry)]
        else:
            value = re.match(r"[^,}\s]*", entry[start:]).group(0)  # type: ignore[union-attr]
        out.setdefault(match.group(1).lower(), re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")).strip())
    return out


def citation_publications(text: str, dataset_id: str, ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Publication entries for a citeAs text. `ids` (graphcat's export lists them, in entry order)
    name the publications; otherwise arxiv-<eprint>, doi-<doi>, or <dataset>-citation[-n]."""
    entries = bibtex_entries(text) or [text]
    found = []
    for k, entry in enumerate(entries):
        bib = bibtex_fields(entry) if _ENTRY.match(entry) else {}
        arxiv, doi, year = bib.get("eprint") or bib.get("arxiv"), bib.get("doi"), bib.get("year", "")
        given = ids[k] if ids and len(ids) == len(entries) and _SLUG.fullmatch(ids[k]) else None
        fallback = f"{dataset_id}-citation" + (f"-{k + 1}" if len(entries) > 1 else "")
        ident = given or (f"arxiv-{arxiv}" if arxiv else f"doi-{doi}" if doi else fallback)
        found.append({"id": slug(ident), "title": bib.get("title") or entry.strip(),
                      "authors": [a.strip() for a in bib["author"].split(" and ")] if bib.get("author") else [],
                      "year": int(year) if year.isdigit() else None, "arxiv": arxiv, "doi": doi, "url": bib.get("url")})
    return found


def bibtex(p: domain.Publication) -> str:
    """One BibTeX entry for the publication (citation_publications reads it back)."""
    fields = [("title", p.title), ("author", " and ".join(p.authors) or None),
              ("year", str(p.year) if p.year else None), ("eprint", p.arxiv), ("doi", p.doi), ("url", p.url)]
    body = ", ".join(f"{k} = {{{v}}}" for k, v in fields if v)
    return f"@misc{{{p.id}, {body}}}"
