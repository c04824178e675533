"""Run both sandboxes over HTTPS in one process and publish how to reach them.

``python -m ditoolkit sandbox start`` lands here. Each sandbox package
(:mod:`ditoolkit.sandbox.salesforce`, :mod:`ditoolkit.sandbox.dialoginsight`) provides
``build_service(data_dir, *, seed) -> SandboxService``; this module serves their ASGI apps on
loopback with the local CA's certificate and writes ``DIR/sandbox.json`` atomically once both
accept connections. SIGTERM and SIGINT stop both cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import os
import signal
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import uvicorn

from ditoolkit.sandbox.tls import TlsFiles, ensure_certificates

log = logging.getLogger(__name__)

#: sandbox.json key → module providing ``build_service``.
SERVICES = {
    "salesforce": "ditoolkit.sandbox.salesforce",
    "dialoginsight": "ditoolkit.sandbox.dialoginsight",
}
SEEDS = ("demo", "empty")


class SandboxService(Protocol):
    """What a sandbox package hands the runner."""

    app: Any  # an ASGI application

    def connection_info(self, *, base_url: str, ca_bundle: str) -> dict[str, Any]:
        """The ``sandbox.json`` section for this service."""
        ...


@dataclass
class _Bound:
    name: str
    service: SandboxService
    sock: socket.socket
    server: uvicorn.Server

    @property
    def base_url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"https://{host}:{port}"


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the runner (two servers, one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` to ``path`` so that readers see the old file or the whole new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(payload, out, indent=2)
    os.chmod(tmp, 0o600)  # it holds the sandbox's credentials
    os.replace(tmp, path)


def _load_services(data_dir: Path, seed: str) -> dict[str, SandboxService]:
    services: dict[str, SandboxService] = {}
    for name, module_name in SERVICES.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            log.warning("the %s sandbox is not built yet; serving the others", name)
            continue
        if not hasattr(module, "build_service"):
            log.warning("the %s sandbox has no build_service yet; serving the others", name)
            continue
        services[name] = module.build_service(data_dir / name, seed=seed)
    return services


async def serve(
    data_dir: Path,
    *,
    seed: str = "demo",
    host: str = "127.0.0.1",
    ports: dict[str, int] | None = None,
) -> None:
    """Serve both sandboxes until SIGTERM/SIGINT; write ``sandbox.json`` once both are up."""
    if seed not in SEEDS:
        raise ValueError(f"unknown seed {seed!r}; choose one of {', '.join(SEEDS)}")
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    info_path = data_dir / "sandbox.json"
    info_path.unlink(missing_ok=True)
    tls: TlsFiles = ensure_certificates(data_dir, hosts=(host, "localhost", "127.0.0.1"))
    services = _load_services(data_dir, seed)
    bound: list[_Bound] = []
    for name, service in services.items():
        sock = _bind(host, (ports or {}).get(name, 0))
        config = uvicorn.Config(
            service.app,
            ssl_certfile=str(tls.cert_pem),
            ssl_keyfile=str(tls.key_pem),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
            timeout_graceful_shutdown=2,
        )
        bound.append(_Bound(name, service, sock, _Server(config)))

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(
            sig, lambda: [b.server.__setattr__("should_exit", True) for b in bound]
        )

    tasks = [asyncio.create_task(b.server.serve(sockets=[b.sock])) for b in bound]
    while not all(b.server.started for b in bound):
        if any(t.done() for t in tasks):
            break
        await asyncio.sleep(0.02)
    if all(b.server.started for b in bound):
        payload = {
            b.name: b.service.connection_info(base_url=b.base_url, ca_bundle=str(tls.ca_pem))
            for b in bound
        }
        write_json_atomically(info_path, payload)
        print(f"sandbox ready: {info_path}", flush=True)
        for b in bound:
            print(f"  {b.name}: {b.base_url}", flush=True)
    try:
        await asyncio.gather(*tasks)
    finally:
        info_path.unlink(missing_ok=True)
        for b in bound:
            close = getattr(b.service, "close", None)
            if close is not None:
                close()
