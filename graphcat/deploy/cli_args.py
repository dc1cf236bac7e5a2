"""Arguments of the deployment subcommands. Kept free of heavy imports: the parser is built on
every `graphcat` call, onnxruntime is only imported when a deployment command runs."""

from __future__ import annotations

from typing import Any, Callable

from graphcat.errors import InvalidInput


def add_deploy_commands(sub: Any, handler: Callable[..., int]) -> None:
    reg = sub.add_parser(
        "register-onnx",
        help="register an ONNX file as a model version: signature, artifact, smoke test [, latency, int8]",
    )
    reg.add_argument("file")
    reg.add_argument("--model", required=True, help="model id (created when new)")
    reg.add_argument("--version", required=True, help="version name, e.g. 1.0.0")
    reg.add_argument("--task", help="task id the model solves (added to the model's tasks)")
    reg.add_argument("--name", help="model name (default: the existing name, or the id)")
    reg.add_argument("--description", help="version description")
    reg.add_argument("--license")
    reg.add_argument("--benchmark", action="store_true", help="measure p50/p99 at batch 1 and 64 on this CPU")
    reg.add_argument("--quantize", action="store_true", help="also register a dynamic int8 version (QUANTIZED_FROM)")
    reg.add_argument("--quantized-version", help="version name of the int8 model (default: <version>-int8)")
    reg.set_defaults(handler=handler, deploy_action="register")

    bench = sub.add_parser("benchmark", help="benchmark a registered ONNX version again on this CPU")
    bench.add_argument("version", help="model@version")
    bench.set_defaults(handler=handler, deploy_action="benchmark")

    fast = sub.add_parser("fast-models", help="model versions whose p99 latency at a batch size is within a bound")
    fast.add_argument("--max-p99-ms", type=float, required=True)
    fast.add_argument("--task", help="task id (its subtasks count too)")
    fast.add_argument("--batch", type=int, default=1)
    fast.set_defaults(handler=handler, deploy_action="fast")

    comp = sub.add_parser("check-compat", help="run a registered model on the first events of a data file")
    comp.add_argument("data")
    comp.add_argument("--version", required=True, help="model@version")
    comp.add_argument("--map", action="append", default=[], metavar="INPUT=COL[,COL...]",
                      help="column mapping for one model input (repeatable); default: match by name")
    comp.add_argument("--events", type=int, default=16)
    comp.set_defaults(handler=handler, deploy_action="compat")


def parse_mapping(items: list[str]) -> dict[str, str | list[str]]:
    mapping: dict[str, str | list[str]] = {}
    for item in items:
        name, sep, cols = item.partition("=")
        if not sep or not name or not cols:
            raise InvalidInput(f"expected INPUT=COLUMN or INPUT=COL1,COL2,..., got {item!r}", path="--map")
        parts = [c for c in cols.split(",") if c]
        mapping[name] = parts[0] if len(parts) == 1 else parts
    return mapping
