"""The deployment subcommands (register-onnx, benchmark, fast-models, check-compat): print results."""

from __future__ import annotations

import argparse

from graphcat.deploy.cli_args import parse_mapping
from graphcat.errors import InvalidInput
from graphcat.service import deploy as service
from graphcat.settings import Settings
from graphcat.store.database import Database


def run(args: argparse.Namespace, settings: Settings) -> int:
    with Database(settings) as db:
        action = args.deploy_action
        if action == "register":
            return _register(db, settings, args)
        if action == "benchmark":
            report = service.benchmark_version(db, settings, _version_uid(args.version))
            _print_latency(report)
            return 0
        if action == "fast":
            rows = service.versions_within_latency(db, max_p99_ms=args.max_p99_ms, task=args.task, batch=args.batch)
            for r in rows:
                print(f"{r['model_id']}@{r['version']}  p50 {r['p50_ms']:.4f} ms  p99 {r['p99_ms']:.4f} ms  "
                      f"batch {r['batch']}  {r['threads']} thread(s)  {r['cpu_model']} ({r['cores']} cores)")
            print(f"{len(rows)} version(s) with p99 <= {args.max_p99_ms} ms at batch {args.batch}")
            return 0
        report = service.check_compatibility(db, settings, args.data, _version_uid(args.version),
                                             mapping=parse_mapping(args.map), events=args.events)
        for name, cols in report.mapping.items():
            print(f"input {name} <- {', '.join(cols)}  shape {report.input_shapes.get(name)}")
        for problem in report.problems:
            print(f"cannot build {problem}")
        if report.error:
            print(f"the model failed on the built inputs: {report.error}")
        if report.ok:
            print(f"compatible: ran on {report.events} event(s), outputs {report.output_shapes}")
        return 0 if report.ok else 1


def _register(db: Database, settings: Settings, args: argparse.Namespace) -> int:
    reg = service.register_onnx(
        db, settings, args.file, model_id=args.model, version=args.version, task=args.task, name=args.name,
        description=args.description, license=args.license, benchmark=args.benchmark,
        quantize_int8=args.quantize, quantized_version=args.quantized_version,
    )
    for measured in (reg.original, reg.quantized):
        if measured is None:
            continue
        sig = measured.signature
        print(f"registered {args.model}@{measured.version}  opset {sig.opset}  "
              f"sha256 {measured.artifact.sha256}  {measured.artifact.size_bytes} bytes")
        print(f"  artifact {measured.artifact.uri}")
        for role, specs in (("input", sig.inputs), ("output", sig.outputs)):
            for t in specs:
                print(f"  {role:<6} {t.name}: {t.dtype} {t.shape} (onnx {t.onnx_shape})")
        s = measured.smoke
        print(f"  smoke test: {'ok' if s.ok else 'FAILED'} at batch {s.batch}"
              + (f", outputs {s.output_shapes}" if s.ok else f": {s.error}"))
        if measured.latency is not None:
            _print_latency(measured.latency)
        for note in measured.notes:
            print(f"  note: {note}")
    if reg.agreement is not None:
        a = reg.agreement
        argmax = "n/a" if a.argmax_agreement is None else f"{a.argmax_agreement:.4f}"
        print(f"int8 vs float on {a.events} events: max |diff| {a.max_abs_diff:.6f}, argmax agreement {argmax}")
    for note in reg.notes:
        print(f"note: {note}")
    return 0 if reg.original.smoke.ok else 1


def _print_latency(report: service.latency.LatencyReport) -> None:
    hw = report.hardware
    for r in report.results:
        print(f"  latency batch {r.batch:>3}: p50 {r.p50_ms:.4f} ms  p99 {r.p99_ms:.4f} ms  "
              f"({r.runs} runs, {r.threads} thread(s), {hw.cpu_model}, {hw.cores} cores)")
    for batch, why in report.skipped.items():
        print(f"  latency batch {batch:>3}: not measured, {why}")


def _version_uid(text: str) -> str:
    model, sep, version = text.partition("@")
    if not sep or not model or not version:
        raise InvalidInput(f"expected model@version, got {text!r}", path="version")
    return service.version_uid(model, version)
