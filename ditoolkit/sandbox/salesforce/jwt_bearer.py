"""The OAuth 2.0 JWT bearer flow: a connected app's certificate and the assertions it signs.

On first start the sandbox makes an RSA key pair in its data dir (the private key is what an
analyst would upload as the connected app's certificate's key; ``sandbox.json`` names it as
``private_key_file``). An assertion is accepted when it is RS256-signed by that key, its
``iss`` is the consumer key, its ``sub`` the sandbox user, and it has not expired.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass(frozen=True)
class JwtCertificate:
    """The connected app's registered key: its private half on disk, its public half in memory."""

    private_key_file: Path
    public_key: rsa.RSAPublicKey

    @classmethod
    def load_or_create(cls, data_dir: Path) -> JwtCertificate:
        path = data_dir / "jwt_private_key.pem"
        if not path.exists():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(private, rsa.RSAPrivateKey)
        return cls(path.resolve(), private.public_key())

    def check(self, assertion: str, *, consumer_key: str, username: str) -> tuple[str, str] | None:
        """``None`` when ``assertion`` is valid, else Salesforce's ``(error, description)``."""
        try:
            claims = jwt.decode(
                assertion,
                self.public_key,
                algorithms=["RS256"],
                options={"verify_aud": False, "require": ["iss", "sub", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            return "invalid_grant", "expired authorization code"
        except jwt.PyJWTError:
            return "invalid_grant", "invalid assertion"
        if claims.get("iss") != consumer_key:
            return "invalid_client_id", "client identifier invalid"
        if str(claims.get("sub", "")).lower() != username.lower():
            return "invalid_grant", "user hasn't approved this consumer"
        return None
