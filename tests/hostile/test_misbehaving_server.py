"""The clients against a misbehaving HTTPS server of this test (starlette + uvicorn, trustme).

Every misbehaviour must end in a clear ditoolkit error, quickly (never a hang), never in a
reported success.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ditoolkit.errors import DitoolkitError
from ditoolkit.systems.dialoginsight.client import DialogInsightClient
from ditoolkit.systems.salesforce import SalesforceSystem

MODE: dict[str, str] = {"now": "ok"}
HUGE = 50 * 1024 * 1024


async def _answer(request: Request) -> Response:
    mode = MODE["now"]
    if mode == "truncated":
        return Response('{"Success": true, "Records": [{"id', media_type="application/json")
    if mode == "html":
        return Response("<html><body>Maintenance</body></html>", media_type="text/html")
    if mode == "empty":
        return Response(b"", media_type="application/json")
    if mode == "wrong_type":
        return Response('{"Success": true}', media_type="image/png")
    if mode == "slow":
        await asyncio.sleep(5)
        return JSONResponse({"Success": True})
    if mode == "huge":
        return Response(
            b'{"Success": true, "x": "' + b"x" * HUGE + b'"}', media_type="application/json"
        )
    if mode == "no_error_code":
        return JSONResponse({"Success": False})
    if mode == "sf_list":
        return JSONResponse({"totalSize": 3, "done": True, "records": []})
    return JSONResponse({"Success": True})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("misbehaving")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    ca_path, cert_path = folder / "ca.pem", folder / "server.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_path))
    app = Starlette(routes=[Route("/{path:path}", _answer, methods=["GET", "POST", "PATCH"])])
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        ssl_certfile=str(cert_path),
        log_level="error",
        timeout_graceful_shutdown=1,
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    while not uv.started:
        time.sleep(0.05)
    port = uv.servers[0].sockets[0].getsockname()[1]
    yield {"base": f"https://127.0.0.1:{port}", "ca": str(ca_path)}
    uv.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def resetting() -> Iterator[str]:
    """A port whose server resets every connection (SO_LINGER 0)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=2)
    listener.close()


def _di(base: str, ca: str) -> DialogInsightClient:
    return DialogInsightClient(
        base_url=f"{base}/webservices/ofc4/",
        id_key=1,
        key="k-secret-1234567890",
        ca_bundle=ca,
        timeout=1.0,
        attempts=2,
        retry_wait=0.01,
        retry_max_wait=0.02,
    )


MODES = ["truncated", "html", "empty", "slow", "no_error_code"]


@pytest.mark.parametrize("mode", MODES)
def test_dialoginsight_client_raises_clearly(server: dict[str, str], mode: str) -> None:
    MODE["now"] = mode
    client = _di(server["base"], server["ca"])
    started = time.monotonic()
    try:
        with pytest.raises(DitoolkitError) as info:
            client.call("contacts", "Get", {"idProject": 1001})
    finally:
        client.close()
        MODE["now"] = "ok"
    assert time.monotonic() - started < 30, "the client waited far past its timeout"
    text = str(info.value)
    assert "dialoginsight" in text.lower() and "contacts" in text.lower(), text
    assert "k-secret-1234567890" not in text


def test_dialoginsight_client_connection_reset(resetting: str, server: dict[str, str]) -> None:
    client = _di(resetting, server["ca"])
    try:
        with pytest.raises(DitoolkitError) as info:
            client.call("contacts", "Get", {"idProject": 1001})
    finally:
        client.close()
    assert "contacts" in str(info.value).lower()


def _sf(base: str, ca: str) -> SalesforceSystem:
    return SalesforceSystem.connect(
        auth="session",
        session_id="00Dxx!session-secret-123",
        instance_url=base,
        ca_bundle=ca,
        api_version="59.0",
    )


@pytest.mark.parametrize("mode", ["truncated", "html", "empty", "wrong_type", "sf_list"])
def test_salesforce_read_raises_clearly(server: dict[str, str], mode: str) -> None:
    MODE["now"] = mode
    started = time.monotonic()
    try:
        with pytest.raises(DitoolkitError) as info:
            system = _sf(server["base"], server["ca"])
            frame: Any = system.read("Contact", columns=["Id"])
            pytest.fail(f"read returned {frame!r}")
    finally:
        MODE["now"] = "ok"
    assert time.monotonic() - started < 120, "the client hung"
    text = str(info.value)
    assert "salesforce" in text.lower(), text
    assert "session-secret-123" not in text


def test_salesforce_connection_reset(resetting: str, server: dict[str, str]) -> None:
    with pytest.raises(DitoolkitError):
        _sf(resetting, server["ca"]).read("Contact", columns=["Id"])


def test_server_answers_when_behaving(server: dict[str, str]) -> None:
    client = _di(server["base"], server["ca"])
    try:
        assert client.call("contacts", "Get", {"idProject": 1001})["Success"] is True
    finally:
        client.close()
    assert Path(server["ca"]).exists()
