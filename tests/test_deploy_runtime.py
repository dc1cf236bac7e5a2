"""graphcat.deploy without the catalog: inspection, artifact store, smoke, latency, quantisation.

Every model is a real ONNX file built by tests/onnx_factory.py and run by the real onnxruntime.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import onnx_factory
from graphcat.deploy import latency, onnx_inspect, quantize, runtime, smoke
from graphcat.deploy.artifacts import ArtifactStore
from graphcat.errors import GraphcatError, InvalidInput, NotFound


@pytest.fixture()
def mlp(tmp_path: Path) -> Path:
    return onnx_factory.mlp_classifier(tmp_path / "mlp.onnx")


@pytest.fixture()
def per_object(tmp_path: Path) -> Path:
    return onnx_factory.per_object_model(tmp_path / "per_object.onnx")


# -- inspection --------------------------------------------------------------------------------


def test_mlp_signature_has_batch_axis_removed(mlp: Path) -> None:
    sig = onnx_inspect.inspect(mlp)
    assert sig.opset == onnx_factory.OPSET and sig.opsets == {"ai.onnx": onnx_factory.OPSET}
    assert sig.producer == "graphcat-tests"
    assert sig.input_features() == [{"name": "features", "dtype": "float32", "shape": [8]}]
    assert sig.output_features() == [{"name": "scores", "dtype": "float32", "shape": [3]}]
    assert sig.inputs[0].onnx_shape == ["N", 8] and sig.inputs[0].dynamic_batch
    # Weights are initializers, never inputs.
    assert [t.name for t in sig.inputs] == ["features"]


def test_symbolic_per_object_axis_keeps_its_name_and_matches_as_variable(per_object: Path) -> None:
    sig = onnx_inspect.inspect(per_object)
    assert sig.input_features() == [
        {"name": "constituents", "dtype": "float32", "shape": ["n_constituents", 4]},
        {"name": "n_valid", "dtype": "int64", "shape": []},
    ]
    assert sig.inputs[0].shape == [None, 4]  # what matching sees
    assert sig.inputs[0].onnx_shape == ["batch", "n_constituents", 4]


def test_fixed_batch_is_reported(tmp_path: Path) -> None:
    sig = onnx_inspect.inspect(onnx_factory.fixed_batch_model(tmp_path / "fixed.onnx"))
    assert not sig.inputs[0].dynamic_batch and sig.inputs[0].fixed_batch == 1
    assert sig.inputs[0].shape == [8]
    assert runtime.batch_size_for(sig, 64) == 1


def test_broken_file_is_invalid_input_naming_the_file(tmp_path: Path) -> None:
    bad = onnx_factory.broken_file(tmp_path / "broken.onnx")
    with pytest.raises(InvalidInput) as info:
        onnx_inspect.inspect(bad)
    assert info.value.path == str(bad) and "not a valid ONNX model" in info.value.message


def test_checker_rejects_a_graph_that_uses_an_undefined_value(tmp_path: Path) -> None:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["nowhere"], ["y"])],
        "dangling",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])],
    )
    path = tmp_path / "dangling.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    with pytest.raises(InvalidInput, match="nowhere"):
        onnx_inspect.inspect(path)


def test_unsupported_element_type_names_the_input(tmp_path: Path) -> None:
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "complex",
        [helper.make_tensor_value_info("x", TensorProto.BFLOAT16, ["N", 2])],
        [helper.make_tensor_value_info("y", TensorProto.BFLOAT16, ["N", 2])],
    )
    path = tmp_path / "bf16.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    with pytest.raises(InvalidInput) as info:
        onnx_inspect.inspect(path)
    assert "input 'x'" in str(info.value) and "BFLOAT16" in info.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such ONNX file"):
        onnx_inspect.inspect(tmp_path / "absent.onnx")


# -- artifact store ----------------------------------------------------------------------------


def test_artifact_store_is_content_addressed_and_idempotent(tmp_path: Path, mlp: Path, per_object: Path) -> None:
    store = ArtifactStore(tmp_path / "artifacts")
    first = store.put(mlp)
    expected = hashlib.sha256(mlp.read_bytes()).hexdigest()
    assert first.sha256 == expected and first.size_bytes == mlp.stat().st_size
    assert first.uri.startswith("file://") and first.uri.endswith(f"{expected}.onnx")
    assert first.path.read_bytes() == mlp.read_bytes()
    again = store.put(mlp)
    assert again == first
    assert len(list((tmp_path / "artifacts").rglob("*.onnx"))) == 1
    other = store.put(per_object)
    assert other.sha256 != first.sha256 and other.uri != first.uri
    assert store.verify(first.uri, first.sha256) == first.path
    assert not list((tmp_path / "artifacts").rglob(".incoming-*"))


def test_artifact_store_detects_damage_and_foreign_uris(tmp_path: Path, mlp: Path) -> None:
    store = ArtifactStore(tmp_path / "artifacts")
    stored = store.put(mlp)
    stored.path.write_bytes(b"tampered")
    with pytest.raises(GraphcatError, match="the catalog recorded"):
        store.verify(stored.uri, stored.sha256)
    with pytest.raises(GraphcatError, match="corrupt"):
        store.put(mlp)
    with pytest.raises(InvalidInput, match="outside the artifact store"):
        store.resolve(mlp.resolve().as_uri())
    with pytest.raises(InvalidInput, match="not a file:// URI"):
        store.resolve("https://example.org/model.onnx")
    stored.path.unlink()
    with pytest.raises(NotFound):
        store.resolve(stored.uri)


# -- smoke inference ---------------------------------------------------------------------------


def test_smoke_runs_generated_inputs(mlp: Path, per_object: Path) -> None:
    result = smoke.smoke_test(mlp, onnx_inspect.inspect(mlp), batch=5)
    assert result.ok and result.error is None and result.output_shapes == {"scores": [5, 3]}
    result = smoke.smoke_test(per_object, onnx_inspect.inspect(per_object), batch=3, dynamic_size=7)
    assert result.ok and result.output_shapes == {"jet_score": [3, 1]}


def test_generated_inputs_fill_dynamic_axes(per_object: Path) -> None:
    feeds = runtime.generate_inputs(onnx_inspect.inspect(per_object), 3, dynamic_size=7)
    assert feeds["constituents"].shape == (3, 7, 4) and feeds["constituents"].dtype == np.float32
    assert feeds["n_valid"].shape == (3,) and feeds["n_valid"].dtype == np.int64


def test_smoke_failure_is_recorded_not_raised(tmp_path: Path) -> None:
    path = onnx_factory.failing_model(tmp_path / "failing.onnx")
    result = smoke.smoke_test(path, onnx_inspect.inspect(path))
    assert not result.ok
    assert result.error is not None and "Reshape" in result.error
    assert result.output_shapes == {}


# -- latency -----------------------------------------------------------------------------------


def test_latency_at_batch_1_and_64(mlp: Path) -> None:
    report = latency.measure(mlp, onnx_inspect.inspect(mlp), runs=30, warmup=3, threads=1)
    assert [r.batch for r in report.results] == [1, 64] and report.skipped == {}
    for r in report.results:
        assert 0 < r.min_ms <= r.p50_ms <= r.p99_ms
        assert r.runs == 30 and r.warmup == 3 and r.threads == 1 and r.provider == "CPUExecutionProvider"
    assert report.hardware.cores >= 1 and report.hardware.cpu_model


def test_latency_skips_batches_a_fixed_batch_model_cannot_take(tmp_path: Path) -> None:
    path = onnx_factory.fixed_batch_model(tmp_path / "fixed.onnx")
    report = latency.measure(path, onnx_inspect.inspect(path), runs=5, warmup=1)
    assert [r.batch for r in report.results] == [1]
    assert "fixed at 1" in report.skipped[64]


def test_hardware_from_cpuinfo_counts_physical_cores() -> None:
    block = "processor\t: {p}\nmodel name\t: Intel(R) Xeon(R) Gold 6248\nphysical id\t: {s}\ncore id\t: {c}\n"
    text = "\n".join(block.format(p=p, s=p // 4, c=(p % 4) // 2) for p in range(8))
    hw = latency.hardware_from_cpuinfo(text)
    assert hw.cpu_model == "Intel(R) Xeon(R) Gold 6248"
    assert hw.logical_cpus == 8 and hw.cores == 4
    assert hw.id.startswith("cpu-intel-r-xeon-r-gold-6248-4c-")


# -- quantisation ------------------------------------------------------------------------------


def test_dynamic_int8_quantisation_and_agreement(tmp_path: Path, mlp: Path) -> None:
    quantized = quantize.quantize_int8(mlp, tmp_path / "mlp.int8.onnx")
    ops = {node.op_type for node in onnx.load(str(quantized)).graph.node}
    assert ops & {"MatMulInteger", "DynamicQuantizeLinear", "DynamicQuantizeMatMul"}, ops
    sig = onnx_inspect.inspect(quantized)
    assert sig.input_features() == onnx_inspect.inspect(mlp).input_features()
    result = quantize.agreement(mlp, quantized, sig, events=128)
    assert result.events == 128
    [scores] = result.outputs
    assert 0 < scores.max_abs_diff < 0.5  # int8 weights move the softmax scores a little, not wholesale
    assert scores.argmax_agreement is not None and 0 <= scores.argmax_agreement <= 1
    # The same model against itself agrees exactly: the metric measures the quantisation.
    same = quantize.agreement(mlp, mlp, sig, events=16)
    assert same.max_abs_diff == 0.0 and same.argmax_agreement == 1.0


def test_agreement_without_class_scores(tmp_path: Path, per_object: Path) -> None:
    quantized = quantize.quantize_int8(per_object, tmp_path / "po.int8.onnx")
    result = quantize.agreement(per_object, quantized, onnx_inspect.inspect(per_object), events=32)
    assert result.argmax_agreement is None and result.max_abs_diff >= 0
