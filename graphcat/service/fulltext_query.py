"""The user's search text as a safe Lucene query for the catalog_fulltext index.

Whatever is typed, the result parses: every Lucene special character is escaped here, in Python,
before the query reaches Neo4j (as a parameter, never as Cypher text), so `pT > 500 && "b-tag`
searches for pT, 500 and b-tag instead of failing on a dangling quote. Each typed word is
required (a search box narrows as you type), and a plain word also matches as a prefix and
inside longer words (`tagg` finds "b-tagging" and "btagger"), because the index's analyzer
splits on punctuation and the embedding ranking cannot help with fragments.
"""

from __future__ import annotations

import re

# Lucene classic query syntax: + - && || ! ( ) { } [ ] ^ " ~ * ? : \ /  (& and | escaped singly
# covers && and ||). AND/OR/NOT are operators only in upper case; words are lowercased below.
_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_PLAIN_WORD = re.compile(r"[^\W_]+")  # letters and digits only: safe inside a wildcard term
_HAS_WORD = re.compile(r"[^\W_]")
MAX_WORDS = 32  # Lucene refuses queries past 1024 clauses; each word adds three


def escape(text: str) -> str:
    """`text` with every Lucene special character backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def lucene_query(text: str) -> str | None:
    """A Lucene query requiring every word of `text`, or None when no word could match anything.

    Chunks without a letter or digit (`>`, `&&`) analyse to nothing; as required clauses they
    would match nothing at all, so they are dropped.
    """
    clauses = []
    for chunk in text.lower().split()[:MAX_WORDS]:
        if not _HAS_WORD.search(chunk):
            continue
        if _PLAIN_WORD.fullmatch(chunk):
            # Wildcard terms bypass the analyzer, which is why only plain lowercased words get them.
            parts = [f"{chunk}^3"]
            if len(chunk) >= 2:
                parts.append(f"{chunk}*^2")
            if len(chunk) >= 3:
                parts.append(f"*{chunk}*")
            clauses.append("+(" + " ".join(parts) + ")")
        else:
            clauses.append(f"+({escape(chunk)})")
    return " ".join(clauses) if clauses else None
