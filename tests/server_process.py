"""A server process a test module starts for real (an S3 server, an MLflow tracking server):
its output in a log file, ready once a URL answers, its whole process group stopped afterwards.
A server that exits or does not answer in time is an error naming its log, never a skip."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path


def _answers(url: str, any_status: bool) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return any_status  # it answered, with an error status
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def server_process(argv: Sequence[str], folder: Path, *, name: str, ready_url: str, timeout: float,
                   any_status: bool = False, env: Mapping[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """Run `argv` in `folder` until the block ends; ready when `ready_url` answers 200 (or any HTTP
    status when `any_status`)."""
    log = folder / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT, cwd=folder,
                                env=dict(env if env is not None else os.environ), start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not _answers(ready_url, any_status):
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; log {log}:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer {ready_url} in {timeout:.0f} s; log {log}")
            time.sleep(0.3)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
