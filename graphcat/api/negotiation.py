"""Content negotiation for GraphQL over HTTP (the Accept header).

The GraphQL-over-HTTP spec defines two response media types: application/graphql-response+json
(whose status codes tell request errors from results) and the legacy application/json (always
200 for a well-formed request). A missing Accept header means application/json; `*/*` and
`application/*` choose application/json too, since legacy clients send them.
"""

from __future__ import annotations

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def _parse(accept: str) -> list[tuple[str, float]]:
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def choose(accept: str | None) -> str | None:
    """The response media type for this Accept header, or None when it accepts neither (406)."""
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for media, q in _parse(accept):
        if q <= 0:
            continue
        if media == GRAPHQL_RESPONSE_JSON:
            candidate = (q, 2, GRAPHQL_RESPONSE_JSON)  # preferred on a tie: it is the spec's
        elif media == JSON:
            candidate = (q, 1, JSON)
        elif media in ("*/*", "application/*"):
            candidate = (q, 0, JSON)
        else:
            continue
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None
