"""A local certificate authority for rehearsals, made with ``cryptography`` only.

Leaves carry a non-critical subjectAltName and the usual server extensions, so that both
sslyze (``CertificateInfoExtraArgument(custom_ca_file=ca.pem)``) and httpx
(``verify=ssl.create_default_context(cafile=ca.pem)``) validate them. trustme is not used:
it marks the SAN critical, which sslyze rejects.

Broken leaves for negative tests come from the same place: expired, expiring soon, issued for
the wrong hostname, or self-signed without any CA.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KeyType = Literal["ec", "rsa"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

DEFAULT_HOSTNAMES: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
#: Mozilla recommends 90-day leaves (and allows at most 366).
LEAF_LIFETIME = timedelta(days=90)
#: An "expires soon" leaf is valid now but ends before any window end plus the 7-day margin.
EXPIRES_SOON = timedelta(days=3)
WRONG_HOSTNAMES: tuple[str, ...] = ("wrong-host.invalid",)
# Backdating absorbs clock skew between the harness and the tools that validate.
_BACKDATE = timedelta(hours=1)


@dataclass(frozen=True)
class LeafCert:
    """A server certificate on disk.

    ``cert_path`` holds the leaf alone (what servers present: the CA is the trust anchor and is
    not sent); ``chain_path`` holds the leaf followed by its issuer (for tools that want a full
    chain; for a self-signed leaf it equals the leaf); ``key_path`` is the unencrypted key (0600).
    """

    cert_path: Path
    key_path: Path
    chain_path: Path


@dataclass(frozen=True)
class LocalCA:
    """A self-signed root CA stored as ``ca.pem`` and ``ca.key`` (0600) in ``directory``."""

    directory: Path
    certificate: x509.Certificate
    key: PrivateKey

    @property
    def cert_path(self) -> Path:
        """The CA certificate in PEM: what clients trust (``cafile=``, ``custom_ca_file=``)."""
        return self.directory / "ca.pem"

    @property
    def key_path(self) -> Path:
        return self.directory / "ca.key"

    @classmethod
    def create(cls, directory: Path, *, name: str = "prepcheck rehearsal CA") -> LocalCA:
        """Create a CA in ``directory``, or load the one already there (idempotent)."""
        directory.mkdir(parents=True, exist_ok=True)
        if (directory / "ca.pem").is_file() and (directory / "ca.key").is_file():
            return cls.load(directory)
        key = _new_key("ec")
        certificate = _build_ca_certificate(key, name)
        _write_key(directory / "ca.key", key)
        _write_pem(directory / "ca.pem", [certificate])
        return cls(directory, certificate, key)

    @classmethod
    def load(cls, directory: Path) -> LocalCA:
        """Load an existing CA from ``directory``; raises ``FileNotFoundError`` if absent."""
        certificate = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
        key = serialization.load_pem_private_key((directory / "ca.key").read_bytes(), None)
        if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            raise ValueError(f"{directory / 'ca.key'}: unsupported CA key type")
        return cls(directory, certificate, key)

    def issue_leaf(
        self,
        directory: Path,
        hostnames: Sequence[str] = DEFAULT_HOSTNAMES,
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        key_type: KeyType = "ec",
    ) -> LeafCert:
        """Issue a server certificate for ``hostnames`` (DNS names or IP literals).

        Writes ``leaf.pem``, ``leaf.key`` and ``chain.pem`` into ``directory`` (overwriting).
        Validity defaults to one hour ago until ``LEAF_LIFETIME`` from now.
        """
        key = _new_key(key_type)
        start, end = _validity(not_before, not_after)
        builder = _leaf_builder(key, hostnames, start, end)
        builder = builder.issuer_name(self.certificate.subject).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
            critical=False,
        )
        leaf = builder.sign(self.key, hashes.SHA256())
        return _write_leaf(directory, key, leaf, issuer=self.certificate)


def self_signed_leaf(
    directory: Path,
    hostnames: Sequence[str] = DEFAULT_HOSTNAMES,
    *,
    key_type: KeyType = "ec",
) -> LeafCert:
    """A server certificate signed by its own key: valid dates and names, but no trusted CA."""
    key = _new_key(key_type)
    start, end = _validity(None, None)
    builder = _leaf_builder(key, hostnames, start, end).issuer_name(_name(hostnames[0]))
    leaf = builder.sign(key, hashes.SHA256())
    return _write_leaf(directory, key, leaf, issuer=None)


def expired_validity(now: datetime | None = None) -> tuple[datetime, datetime]:
    """``(not_before, not_after)`` of a leaf that expired a day ago."""
    now = now or datetime.now(UTC)
    return now - timedelta(days=60), now - timedelta(days=1)


def expires_soon_validity(now: datetime | None = None) -> tuple[datetime, datetime]:
    """``(not_before, not_after)`` of a leaf valid now that ends ``EXPIRES_SOON`` from now."""
    now = now or datetime.now(UTC)
    return now - timedelta(days=30), now + EXPIRES_SOON


def _new_key(key_type: KeyType) -> PrivateKey:
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"unknown key type {key_type!r} (expected 'ec' or 'rsa')")


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "prepcheck"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _validity(not_before: datetime | None, not_after: datetime | None) -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return not_before or now - _BACKDATE, not_after or now + LEAF_LIFETIME


def _build_ca_certificate(key: PrivateKey, name: str) -> x509.Certificate:
    now = datetime.now(UTC)
    subject = _name(name)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _leaf_builder(
    key: PrivateKey, hostnames: Sequence[str], start: datetime, end: datetime
) -> x509.CertificateBuilder:
    if not hostnames:
        raise ValueError("a leaf certificate needs at least one hostname")
    return (
        x509.CertificateBuilder()
        .subject_name(_name(hostnames[0]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False, rsa=isinstance(key, rsa.RSAPrivateKey)), True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        # Not critical: RFC 5280 allows critical only with an empty subject; sslyze enforces it.
        .add_extension(x509.SubjectAlternativeName(list(_san(hostnames))), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _key_usage(*, cert_sign: bool, rsa: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        # RSA key exchange (the weak-cipher variants) encrypts the premaster with the leaf key.
        key_encipherment=rsa,
        content_commitment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _san(hostnames: Iterable[str]) -> Iterable[x509.GeneralName]:
    for host in hostnames:
        try:
            yield x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            yield x509.DNSName(host)


def _write_leaf(
    directory: Path, key: PrivateKey, leaf: x509.Certificate, *, issuer: x509.Certificate | None
) -> LeafCert:
    directory.mkdir(parents=True, exist_ok=True)
    paths = LeafCert(directory / "leaf.pem", directory / "leaf.key", directory / "chain.pem")
    _write_key(paths.key_path, key)
    _write_pem(paths.cert_path, [leaf])
    _write_pem(paths.chain_path, [leaf] if issuer is None else [leaf, issuer])
    return paths


def _write_pem(path: Path, certificates: Sequence[x509.Certificate]) -> None:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates))


def _write_key(path: Path, key: PrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to a file that already existed
