"""`graphcat sync --from URL [--token T] [--batch N] [--overlap S]`, and `graphcat sync --peers`."""

from __future__ import annotations

import argparse
import os
from typing import Callable

from graphcat.settings import Settings

TOKEN_ENV = "GRAPHCAT_SYNC_TOKEN"


def add_command(sub: "argparse._SubParsersAction[argparse.ArgumentParser]",
                handler: Callable[[argparse.Namespace, Settings], int]) -> None:
    from graphcat.sync.pull import BATCH, OVERLAP_SECONDS

    cmd = sub.add_parser("sync", help="pull another site's catalog entities changed since the last sync "
                                      "(a transaction per batch, idempotent, conflicts reported, never overwritten)")
    cmd.add_argument("--from", dest="peer", metavar="URL", help="the other site's GraphQL URL (https://host/graphql)")
    cmd.add_argument("--token", help=f"bearer token for the other site (default: ${TOKEN_ENV})")
    cmd.add_argument("--batch", type=int, default=BATCH, help=f"entities per transaction (default {BATCH})")
    cmd.add_argument("--overlap", type=float, default=OVERLAP_SECONDS,
                     help=f"seconds of the peer's changes before the cursor read again (default {OVERLAP_SECONDS:.0f})")
    cmd.add_argument("--peers", action="store_true", help="list the sites synced from and their cursors")
    cmd.set_defaults(handler=handler)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.service import vector_index
    from graphcat.store import migrations
    from graphcat.store.database import Database
    from graphcat.sync import status
    from graphcat.sync.client import Peer, SyncFailed
    from graphcat.sync.pull import sync

    if not args.peers and not args.peer:
        raise SyncFailed("graphcat sync needs --from URL (the other site's GraphQL endpoint) or --peers")
    with Database(settings) as db:
        migrations.apply(db)
        if args.peers:
            for p in status.peers(db):
                print(f"{p.site}\tlast change {p.last_change or '-'} at {p.last_change_at or '-'}")
            return 0
        peer = Peer(args.peer, token=args.token or os.environ.get(TOKEN_ENV))
        report = sync(db, peer, batch=args.batch, overlap=args.overlap)
        print(f"sync from {report.site}: {report.summary()}")
        for conflict in report.conflicts:
            print(f"conflict: {conflict}")
        for kept in report.kept:
            print(f"deleted at the peer, kept here: {kept}")
        index = vector_index.after_write(db)
        if index is not None:
            print(f"vector index: {index}")
    return 1 if report.conflicts else 0
