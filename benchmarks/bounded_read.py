"""What the answer-size bound costs: read one large JSON answer with and without it.

A local HTTPS server (trustme certificate) serves the same answer to a plain ``requests``
session and to one with :class:`~ditoolkit.systems.http.BoundedAdapter` mounted; both run in
this process, alternating, and the script prints the median seconds and the peak Python memory
(tracemalloc) of each, and their ratios.

Usage: ``.venv/bin/python benchmarks/bounded_read.py [--mib 32] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import ssl
import statistics
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
import trustme

from ditoolkit.systems.http import BoundedAdapter, mebibytes


def serve(body: bytes, folder: Path) -> tuple[ThreadingHTTPServer, str, str]:
    """A server answering every GET with ``body``; (server, url, CA file)."""
    ca = trustme.CA()
    ca_path = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"https://127.0.0.1:{server.server_address[1]}/", str(ca_path)


def measure(read: Callable[[], int], repeats: int) -> tuple[float, int]:
    """(median seconds, largest peak bytes) of ``repeats`` reads."""
    times, peaks = [], []
    for _ in range(repeats):
        tracemalloc.start()
        started = time.perf_counter()
        size = read()
        times.append(time.perf_counter() - started)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert size > 0
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=32, help="answer size in MiB")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    body = b'{"Success": true, "x": "' + b"x" * mebibytes(args.mib) + b'"}'
    with tempfile.TemporaryDirectory() as folder:
        server, url, ca = serve(body, Path(folder))
        plain = requests.Session()
        bounded = requests.Session()
        bounded.mount(
            "https://",
            BoundedAdapter(system="bench", timeout=60, max_bytes=mebibytes(args.mib + 1)),
        )
        results = {}
        for name, session in (("plain requests", plain), ("bounded", bounded)):
            results[name] = measure(
                lambda s=session: len(s.get(url, verify=ca, timeout=60).content), args.repeats
            )
        server.shutdown()
    base_s, base_peak = results["plain requests"]
    print(f"answer of {args.mib} MiB, median of {args.repeats} reads")
    print(f"{'session':<16} {'seconds':>8} {'peak MiB':>9} {'time ×':>7} {'memory ×':>9}")
    for name, (seconds, peak) in results.items():
        print(
            f"{name:<16} {seconds:>8.3f} {peak / 2**20:>9.1f} "
            f"{seconds / base_s:>7.2f} {peak / base_peak:>9.2f}"
        )


if __name__ == "__main__":
    main()
