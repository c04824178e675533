"""TLS for the sandboxes: a local certificate authority made on first start, kept in the data dir.

The clients trust ``DIR/ca.pem`` and nothing else, so TLS verification stays on end to end.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the CA bundle the clients trust and the server's certificate chain and key."""

    ca_pem: Path
    cert_pem: Path
    key_pem: Path


def ensure_certificates(data_dir: Path, *, hosts: tuple[str, ...]) -> TlsFiles:
    """Create the CA and a server certificate for ``hosts`` unless they already exist.

    The files are reused on restart so that a client holding ``ca.pem`` keeps working; the
    server certificate is remade when the set of hosts changes.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(data_dir / "ca.pem", data_dir / "server.pem", data_dir / "server.key")
    hosts_file = data_dir / "server.hosts"
    wanted = "\n".join(sorted(set(hosts)))
    current = hosts_file.read_text() if hosts_file.exists() else None
    if files.ca_pem.exists() and files.cert_pem.exists() and current == wanted:
        return files
    ca = trustme.CA(organization_name="ditoolkit sandbox")
    cert = ca.issue_cert(*sorted(set(hosts)))
    ca.cert_pem.write_to_path(str(files.ca_pem))
    cert.private_key_pem.write_to_path(str(files.key_pem))
    os.chmod(files.key_pem, 0o600)
    with open(files.cert_pem, "wb") as out:
        for blob in cert.cert_chain_pems:
            out.write(blob.bytes())
    hosts_file.write_text(wanted)
    return files
