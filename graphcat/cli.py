"""The `graphcat` command: serve, migrate, and manage the local Neo4j server.

Subcommands register themselves through `COMMANDS`; each module adds its own with `command()`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable

from graphcat.errors import GraphcatError
from graphcat.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], int]


def _neo4j(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat import neo4j_launcher

    if args.action == "start":
        if not settings.neo4j_is_local:
            print(f"GRAPHCAT_NEO4J_URI={settings.neo4j_uri} is not a local bolt:// URI; nothing to start.")
            return 0
        state = neo4j_launcher.start(settings)
    elif args.action == "stop":
        state = neo4j_launcher.stop(settings)
    else:
        state = neo4j_launcher.status(settings)
    print(f"neo4j: {state.detail} (home {state.home})")
    return 0 if (state.running or args.action == "stop") else 3


def _keycloak(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat import keycloak_launcher

    action = {"start": keycloak_launcher.start, "stop": keycloak_launcher.stop}.get(args.action, keycloak_launcher.status)
    state = action(settings)
    print(f"keycloak: {state.detail} (home {state.home})")
    return 0 if (state.running or args.action == "stop") else 3


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from graphcat.api.app import create_app

    uvicorn.run(create_app(settings), host=args.host or settings.host, port=args.port or settings.port,
                log_level=settings.log_level)
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.store import migrations
    from graphcat.store.database import Database

    with Database(settings) as db:
        version = migrations.apply(db)
    print(f"schema version {version}")
    return 0


def _schema(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from graphcat.userschema import read_schema
    from graphcat.userschema.render import render_table

    schema = read_schema(args.file, settings, format=args.format, tree=args.tree)
    print(json.dumps(schema.to_dict(), indent=2) if args.json else render_table(schema))
    return 0


def _token(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.store import tokens
    from graphcat.store.database import Database

    with Database(settings) as db:
        if args.action == "create":
            token, secret = tokens.create(db, args.role, args.name)
            print(f"created API token {token.id} ({token.name}, role {token.role})")
            print("secret (shown once, store it now):")
            print(secret)
        elif args.action == "list":
            for t in tokens.list_tokens(db):
                state = f"revoked {t.revoked_at}" if t.revoked else "active"
                print(f"{t.id}  {t.role:<6}  {t.created_at}  {state}  {t.name}")
        else:
            token = tokens.revoke(db, args.id)
            print(f"revoked API token {token.id} ({token.name}) at {token.revoked_at}")
    return 0


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.service import audit
    from graphcat.store.database import Database

    with Database(settings) as db:
        found = audit.changes(db, since=args.since, actor=args.actor, entity=args.entity, first=args.limit)[:args.limit]
    for c in found:
        who = c.actor.subject + (f" (token {c.actor.token_id})" if c.actor.token_id else "")
        print(f"{c.at}  {c.operation:<12} {c.entity}  {who} from {c.actor.address}  "
              f"{(c.before or '-')[:12]} -> {(c.after or '-')[:12]}  {c.source or ''}".rstrip())
    return 0


def _schema_export(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.api.export_schema import export

    path = export(settings, args.output)
    print(f"wrote {path}")
    return 0


def _deploy(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.deploy import commands

    return commands.run(args, settings)


def _catalog(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.catalog import commands

    return commands.run(args, settings)


def _bulk_import(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.catalog import bulk

    return bulk.run(args, settings)


def _import_mlflow(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.interop import commands

    return commands.run(args, settings)


def _import_onnx(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.interop import onnx_folder

    return onnx_folder.run(args, settings)


def _import_card(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.interop import card_commands

    return card_commands.run_import(args, settings)


def _export_card(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.interop import card_commands

    return card_commands.run_export(args, settings)


def _import_croissant(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.interop import commands

    return commands.run_import_croissant(args, settings)


def _export_croissant(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.interop import commands

    return commands.run_export_croissant(args, settings)


def _index(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.service import vector_index
    from graphcat.store import migrations
    from graphcat.store.database import Database

    with Database(settings) as db:
        migrations.apply(db)
        index = vector_index.shared(settings)
        if args.action == "rebuild":
            snap = index.rebuild(db, progress=True)
            print(f"rebuilt {index.path}: {len(snap.view.documents)} documents, fingerprint {snap.fingerprint}")
            return 0
        status = index.status(db)
        print("\n".join(vector_index.iter_status_lines(status)))
        return 0 if status.state == "fresh" else 3


def _recommend(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.service import recommend
    from graphcat.store import migrations
    from graphcat.store.database import Database
    from graphcat.userschema import read_schema

    schema = read_schema(args.file, settings, format=args.format, tree=args.tree)
    with Database(settings) as db:
        migrations.apply(db)
        result = recommend.recommend(db, schema, task=args.task, first=args.first)
    print(recommend.render_table(result, source=schema.source))
    return 0


def _evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.evaluation import commands

    return commands.run(args, settings)


def _sync(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.sync import commands

    return commands.run(args, settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphcat", description="An AI model registry for HEP.")
    sub = parser.add_subparsers(dest="command", required=True)

    neo = sub.add_parser("neo4j", help="start, stop or inspect the local Neo4j server")
    neo.add_argument("action", choices=["start", "stop", "status"])
    neo.set_defaults(handler=_neo4j)

    kc = sub.add_parser("keycloak", help="start, stop or inspect the local Keycloak (OIDC sign-in, dev mode)")
    kc.add_argument("action", choices=["start", "stop", "status"])
    kc.set_defaults(handler=_keycloak)

    serve = sub.add_parser("serve", help="serve the GraphQL API and the page")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(handler=_serve)

    migrate = sub.add_parser("migrate", help="apply the schema migrations to Neo4j")
    migrate.set_defaults(handler=_migrate)

    from graphcat.deploy.cli_args import add_deploy_commands

    add_deploy_commands(sub, _deploy)  # register-onnx, benchmark, fast-models, check-compat

    aud = sub.add_parser("audit", help="the audit trail: changes newest first (who, when, what, from where)")
    aud.add_argument("--since", help="only changes at or after this ISO 8601 date or time (UTC)")
    aud.add_argument("--actor", help="only changes by this subject or API token id")
    aud.add_argument("--entity", help="only changes of this entity (uid, e.g. model_version:x@1)")
    aud.add_argument("--limit", type=int, default=50, help="most changes shown (1-500)")
    aud.set_defaults(handler=_audit)
    token = sub.add_parser("token", help="create, list or revoke API tokens (mutations need one)")
    token_sub = token.add_subparsers(dest="action", required=True)
    create = token_sub.add_parser("create", help="create a token and print its secret once")
    create.add_argument("--role", required=True, choices=["reader", "writer", "admin"])
    create.add_argument("--name", help="a label for the token (default: <role>-<id>)")
    token_sub.add_parser("list", help="list tokens (never their secrets)")
    revoke = token_sub.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id")
    token.set_defaults(handler=_token)

    export_schema = sub.add_parser("schema-export", help="write the GraphQL SDL (default: schema.graphql)")
    export_schema.add_argument("--output", default="schema.graphql")
    export_schema.set_defaults(handler=_schema_export)

    schema = sub.add_parser("schema", help="print the normalised schema of a data file (CSV, Parquet, HDF5, ROOT ...)")
    schema.add_argument("file")
    schema.add_argument("--json", action="store_true", help="print JSON instead of a table")
    schema.add_argument("--format", help="override the format the extension gives (csv, parquet, hdf5, root ...)")
    schema.add_argument("--tree", help="ROOT: the TTree or RNTuple to read (default: the one with most entries)")
    schema.set_defaults(handler=_schema)

    index = sub.add_parser("index", help="rebuild or check the recommender's vector index")
    index.add_argument("action", choices=["rebuild", "status"], help="status exits 3 unless the index is fresh")
    index.set_defaults(handler=_index)

    rec = sub.add_parser("recommend", help="recommend catalog models for a data file, with the column mapping")
    rec.add_argument("file")
    rec.add_argument("--task", help="the task wanted (a task id such as top-tagging, or free text)")
    rec.add_argument("--first", type=int, default=5, help="how many model versions to list (default 5)")
    rec.add_argument("--format", help="override the format the extension gives (csv, parquet, hdf5, root ...)")
    rec.add_argument("--tree", help="ROOT: the TTree or RNTuple to read")
    rec.set_defaults(handler=_recommend)

    from graphcat.evaluation.commands import add_command as add_evaluate

    add_evaluate(sub, _evaluate)  # evaluate MODEL_VERSION FILE --label COLUMN
    from graphcat.monitoring.commands import add_commands as add_monitor

    add_monitor(sub)  # monitor, monitor-threshold MODEL@ALIAS METRIC
    from graphcat.sync.commands import add_command as add_sync

    add_sync(sub, _sync)  # sync --from URL

    imp = sub.add_parser("import", help="import catalog files (YAML/JSON), all-or-nothing")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--replace", action="store_true", help="empty the catalog first (in the same transaction)")
    imp.set_defaults(handler=_catalog)

    exp = sub.add_parser("export", help="export the whole catalog (YAML, or JSON for a .json file)")
    exp.add_argument("-o", "--output", help="file to write (default: standard output)")
    exp.set_defaults(handler=_catalog)

    demo = sub.add_parser("demo", help="demo data")
    demo.add_argument("action", choices=["load"], help="load: import graphcat/demo/hep-catalog.yaml, the demo model card and MLflow registry")
    demo.set_defaults(handler=_catalog)

    mlf = sub.add_parser("import-mlflow", help="import registered models from MLflow (all-or-nothing, re-runnable)")
    mlf.add_argument("--tracking-uri", required=True,
                     help="sqlite:///mlflow.db, a file-store folder, or http://host:5000 (a running mlflow server)")
    mlf.add_argument("--model", action="append", metavar="NAME", help="a registered model to import (repeatable; default: all)")
    mlf.set_defaults(handler=_import_mlflow)

    onx = sub.add_parser("import-onnx", help="register every *.onnx under a folder (optional sidecar YAML per file; "
                                             "all-or-nothing unless --keep-going)")
    onx.add_argument("dir", help="folder searched recursively for *.onnx (model.onnx + optional model.yaml)")
    onx.add_argument("--keep-going", action="store_true",
                     help="import the good files and list the bad ones (exit code 1 if any failed)")
    onx.add_argument("--benchmark", action="store_true", help="also measure p50/p99 latency of each new file")
    onx.set_defaults(handler=_import_onnx)

    card = sub.add_parser("import-card", help="import a Hugging Face model card (README.md with YAML metadata), all-or-nothing")
    card.add_argument("card", metavar="DIR_OR_README", help="the card's folder (its README.md, and an .onnx file if any) or the README.md")
    card.add_argument("--model-id", help="graphcat model id (default: model_name, model-index name, first heading or folder, slugged)")
    card.add_argument("--version", help="graphcat version (default: the card's `version` metadata, else 1)")
    card.set_defaults(handler=_import_card)

    card_out = sub.add_parser("export-card", help="write a model version as a Hugging Face model card (README.md)")
    card_out.add_argument("model", metavar="MODEL_ID[@VERSION]",
                          help="without a version: the one aliased production, else the newest")
    card_out.add_argument("-o", "--output", metavar="DIR", help="folder to write README.md into (default: ./MODEL_ID-VERSION)")
    card_out.set_defaults(handler=_export_card)

    cri = sub.add_parser("import-croissant", help="import an MLCommons Croissant file as a dataset version "
                         "(validated with mlcroissant, all-or-nothing, re-runnable)")
    cri.add_argument("file", metavar="FILE.json")
    cri.add_argument("--id", help="graphcat dataset id (default: a slug of the Croissant name)")
    cri.add_argument("--version", help="dataset version (default: the Croissant version; needed when it has none)")
    cri.set_defaults(handler=_import_croissant)

    cre = sub.add_parser("export-croissant", help="write a dataset version as Croissant JSON-LD")
    cre.add_argument("dataset", metavar="DATASET_ID[@VERSION]", help="the newest version when VERSION is left out")
    cre.add_argument("-o", "--output", help="file to write (default: standard output)")
    cre.add_argument("--base-url", help="the graphcat server's URL, for the page and Croissant links "
                     "(e.g. http://127.0.0.1:8000)")
    cre.set_defaults(handler=_export_croissant)

    bulk = sub.add_parser("bulk-import", help="import large catalogs with bounded memory (batched commits, rollback on failure)")
    bulk.add_argument("files", nargs="*", metavar="FILE")
    bulk.add_argument("--tx-rows", type=int, default=None, help="rows per committed transaction (default 10000)")
    bulk.add_argument("--list", action="store_true", help="list recorded bulk imports")
    bulk.add_argument("--rollback", metavar="ID", help="delete everything the bulk import ID created")
    bulk.set_defaults(handler=_bulk_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("numexpr").setLevel(logging.WARNING)
        return args.handler(args, settings)
    except GraphcatError as exc:
        print(f"graphcat: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
