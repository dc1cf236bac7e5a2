"""`graphcat monitor` (cron: exit 0 ok, 1 alert, 2 error) and `graphcat monitor-threshold MODEL@ALIAS METRIC
[--min X] [--max Y] [--delete]` (docs/evaluation.md, "Monitoring")."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from graphcat.settings import Settings


def add_commands(sub: Any) -> None:
    mon = sub.add_parser("monitor", help="check the monitored series (versions carrying an alias) against their "
                         "expected band; POST new alerts to GRAPHCAT_MONITOR_WEBHOOK_URL; exit 0 ok, 1 alert, 2 error")
    mon.set_defaults(handler=run)
    thr = sub.add_parser("monitor-threshold", help="configure the expected band of a metric for the version of a "
                         "model carrying an alias (it follows the alias), or remove it")
    thr.add_argument("alias", metavar="MODEL@ALIAS", help="e.g. tagger@production")
    thr.add_argument("metric", help="the metric's name as evaluations record it (auc, accuracy ...)")
    thr.add_argument("--min", type=float, help="alert below this value")
    thr.add_argument("--max", type=float, help="alert above this value")
    thr.add_argument("--delete", action="store_true", help="remove the configured band")
    thr.set_defaults(handler=threshold)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.monitoring import notify
    from graphcat.store import migrations
    from graphcat.store.database import Database

    with Database(settings) as db:
        migrations.apply(db)
        report = notify.run(db, settings)
    print(notify.render(report))
    return report.exit_code


def threshold(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.monitoring import service
    from graphcat.store import migrations
    from graphcat.store.database import Database

    with Database(settings) as db:
        migrations.apply(db)
        if args.delete:
            if args.min is not None or args.max is not None:
                print("graphcat: error: --delete takes no --min or --max", file=sys.stderr)
                return 2
            found = service.delete_threshold(db, alias=args.alias, metric=args.metric)
            print(f"{args.alias} {args.metric}: band {'removed' if found else 'was not configured'}")
            return 0
        band = service.set_threshold(db, alias=args.alias, metric=args.metric, low=args.min, high=args.max)
    print(f"{args.alias} {args.metric}: expected in [{'-inf' if band.low is None else band.low}, "
          f"{'inf' if band.high is None else band.high}]")
    return 0
