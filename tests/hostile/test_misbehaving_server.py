"""The clients against a misbehaving HTTPS server of this test (starlette + uvicorn, trustme).

Every misbehaviour must end in a clear ditoolkit error, quickly (never a hang), never in a
reported success.
"""

from __future__ import annotations

import asyncio
import gzip
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
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ditoolkit.errors import DitoolkitError, RejectedError
from ditoolkit.port import RowStatus
from ditoolkit.systems.dialoginsight import DialogInsightSystem
from ditoolkit.systems.dialoginsight.client import DialogInsightClient
from ditoolkit.systems.http import TOO_LARGE
from ditoolkit.systems.salesforce import SalesforceSystem

MODE: dict[str, str] = {"now": "ok"}
MIB = 1024 * 1024
#: Past both clients' default bound (64 MiB) for JSON answers.
HUGE = 80 * MIB


def _huge_body() -> bytes:
    return b'{"Success": true, "x": "' + b"x" * HUGE + b'"}'


def _endless_chunks() -> Iterator[bytes]:
    """A JSON answer without Content-Length that would go on past any bound."""
    yield b'{"Success": true, "x": "'
    block = b"x" * MIB
    for _ in range(HUGE // MIB):
        yield block
    yield b'"}'


def _gzip_bomb() -> Response:
    """A few hundred KiB on the wire that decode to more than ``HUGE`` bytes."""
    packed = gzip.compress(_huge_body(), compresslevel=9)
    return Response(packed, media_type="application/json", headers={"Content-Encoding": "gzip"})


async def _merge_answer(request: Request, mode: str) -> Response:
    """A Merge answer that misreports its records (see :data:`MERGE_MODES`)."""
    sent = (await request.json())["Records"]
    answers = [
        {"ID": record["ID"], "IdRecord": 900 + i, "Status": "Created", "ValidationResult": "OK"}
        for i, record in enumerate(sent)
    ]
    if mode == "merge_short":  # only the first half answered
        answers = answers[: len(answers) // 2]
    elif mode == "merge_reordered":  # all answered, in reverse order
        answers = answers[::-1]
    elif mode == "merge_extra":  # one answered twice, one foreign key, the last one missing
        answers = [answers[1], *answers[:-1], {**answers[0], "ID": {"key_order_id": "X-9"}}]
    elif mode == "merge_no_ids":  # fewer answers than records, none naming its key
        answers = [{k: v for k, v in a.items() if k != "ID"} for a in answers[1:]]
    elif mode == "merge_no_records":
        return JSONResponse({"Success": True})
    return JSONResponse({"Success": True, "Records": answers})


#: A Contact as describe shows it, just enough for a write.
CONTACT_DESCRIBE = {
    "name": "Contact",
    "fields": [
        {"name": "Id", "type": "id", "nillable": False},
        {"name": "LastName", "type": "string", "length": 80, "createable": True},
    ],
}


def _writes_answered_huge(request: Request) -> Response:
    """Describe and limits answer sensibly; a write's answer is past every bound."""
    path = request.url.path
    if path.endswith("/describe"):
        return JSONResponse(CONTACT_DESCRIBE)
    if path.rstrip("/").endswith("/limits"):
        return JSONResponse({"DailyApiRequests": {"Max": 15000, "Remaining": 15000}})
    return Response(_huge_body(), media_type="application/json")


async def _answer(request: Request) -> Response:
    mode = MODE["now"]
    if mode == "huge_writes":
        return _writes_answered_huge(request)
    if mode.startswith("merge_"):
        return await _merge_answer(request, mode)
    if mode == "endless":
        return StreamingResponse(_endless_chunks(), media_type="application/json")
    if mode == "gzip_bomb":
        return _gzip_bomb()
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
        return Response(_huge_body(), media_type="application/json")
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


def _di(base: str, ca: str, *, timeout: float = 1.0) -> DialogInsightClient:
    return DialogInsightClient(
        base_url=f"{base}/webservices/ofc4/",
        id_key=1,
        key="k-secret-1234567890",
        ca_bundle=ca,
        timeout=timeout,
        attempts=2,
        retry_wait=0.01,
        retry_max_wait=0.02,
    )


MODES = ["truncated", "html", "empty", "slow", "no_error_code"]


def _failing_di_call(
    server: dict[str, str],
    mode: str,
    *,
    expected: type[DitoolkitError] = DitoolkitError,
    timeout: float = 1.0,
) -> tuple[DitoolkitError, DialogInsightClient]:
    """The error of one ``contacts.Get`` answered in ``mode``, and the client that made it."""
    MODE["now"] = mode
    client = _di(server["base"], server["ca"], timeout=timeout)
    try:
        with pytest.raises(expected) as info:
            client.call("contacts", "Get", {"idProject": 1001})
    finally:
        client.close()
        MODE["now"] = "ok"
    return info.value, client


@pytest.mark.parametrize("mode", MODES)
def test_dialoginsight_client_raises_clearly(server: dict[str, str], mode: str) -> None:
    started = time.monotonic()
    error, _ = _failing_di_call(server, mode)
    assert time.monotonic() - started < 30, "the client waited far past its timeout"
    text = str(error)
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


SIZE_MODES = ["huge", "endless", "gzip_bomb"]


@pytest.mark.parametrize("mode", SIZE_MODES)
def test_dialoginsight_client_refuses_oversized_answers(server: dict[str, str], mode: str) -> None:
    """Past the default bound, whether declared, streamed or compressed: refused, unread."""
    # a roomy timeout: the shared test server may still be pushing the previous test's answer
    error, client = _failing_di_call(server, mode, expected=RejectedError, timeout=30)
    assert isinstance(error, RejectedError) and error.code == TOO_LARGE
    assert client.calls["contacts.Get"] == 1, "an oversized answer was asked for again"
    text = str(error)
    assert "contacts.Get" in text and "64.0 MiB" in text and "max_response_mb" in text, text


@pytest.mark.parametrize("mode", SIZE_MODES)
def test_salesforce_refuses_oversized_answers(server: dict[str, str], mode: str) -> None:
    MODE["now"] = mode
    try:
        with pytest.raises(RejectedError) as info:
            _sf(server["base"], server["ca"]).read("Contact", columns=["Id"])
    finally:
        MODE["now"] = "ok"
    assert info.value.code == TOO_LARGE and info.value.system == "salesforce"
    assert "/services/data/" in str(info.value) and "session-secret-123" not in str(info.value)


def test_answer_bound_follows_the_setting(server: dict[str, str]) -> None:
    """A bound raised past the answer lets it through; a lower one refuses a smaller one."""
    MODE["now"] = "huge"
    roomy = DialogInsightClient(
        base_url=f"{server['base']}/webservices/ofc4/",
        id_key=1,
        key="k-secret-1234567890",
        ca_bundle=server["ca"],
        max_response_mb=100,
    )
    try:
        answer = roomy.call("contacts", "Get", {"idProject": 1001})
        assert len(answer["x"]) == HUGE
        MODE["now"] = "ok"
        tight = SalesforceSystem.connect(
            auth="session",
            session_id="00Dxx!session-secret-123",
            instance_url=server["base"],
            ca_bundle=server["ca"],
            max_response_mb=0.00001,  # ten bytes: even a small JSON answer is past it
        )
        with pytest.raises(RejectedError) as info:
            tight.read("Contact", columns=["Id"])
        assert info.value.code == TOO_LARGE
    finally:
        roomy.close()
        MODE["now"] = "ok"


MERGE_MODES = ["merge_short", "merge_reordered", "merge_extra", "merge_no_ids", "merge_no_records"]


def _orders_system(server: dict[str, str]) -> DialogInsightSystem:
    return DialogInsightSystem(
        base_url=f"{server['base']}/webservices/ofc4/",
        id_key=1,
        key="k-secret-1234567890",
        ca_bundle=server["ca"],
        attempts=1,
        tables=[
            {
                "idTable": 2001,
                "code": "Orders",
                "idProject": 1001,
                "key": "order_id",
                "fields": {"order_id": "string", "amount": "decimal"},
            }
        ],
    )


@pytest.mark.parametrize("mode", MERGE_MODES)
def test_dialoginsight_merge_results_that_misreport(server: dict[str, str], mode: str) -> None:
    """Every sent row gets exactly its own result; a row the answer does not name fails."""
    import pandas as pd

    frame = pd.DataFrame({"order_id": [f"O-{i}" for i in range(6)], "amount": [1.5] * 6})
    MODE["now"] = mode
    system = _orders_system(server)
    try:
        result = system.write("Orders", frame, operation="upsert", key="order_id")
    finally:
        system.client.close()
        MODE["now"] = "ok"
    rows = result.frame
    assert list(rows["row"]) == list(range(6)), "one result per input row, in input order"
    assert list(rows["key"]) == list(frame["order_id"])
    answered = {
        "merge_short": {0, 1, 2},
        "merge_reordered": set(range(6)),
        "merge_extra": {0, 1, 2, 3, 4},
        "merge_no_ids": set(),
        "merge_no_records": set(),
    }[mode]
    for row in rows.itertuples():
        if row.row in answered:
            assert row.status == RowStatus.CREATED.value, row
            assert row.id == str(900 + row.row), "a result was given to another row"
        else:
            assert row.status == RowStatus.FAILED.value and row.error_code == "NoResult", row


def test_salesforce_write_answered_past_the_bound_is_outcome_unknown(
    server: dict[str, str],
) -> None:
    """The rows were sent and the answer not read: never reported written, never plain failed."""
    import pandas as pd

    MODE["now"] = "huge_writes"
    try:
        result = _sf(server["base"], server["ca"]).write(
            "Contact", pd.DataFrame({"LastName": ["Tremblay", "Roy"]}), operation="insert"
        )
    finally:
        MODE["now"] = "ok"
    rows = result.frame
    assert list(rows["status"]) == [RowStatus.FAILED.value] * 2
    assert set(rows["error_code"]) == {"OUTCOME_UNKNOWN"}
    assert all("re-read before retrying" in m and "MiB" in m for m in rows["message"])
