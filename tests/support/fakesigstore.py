#!/usr/bin/env python3
"""fakesigstore: an independent, offline Cosign/Sigstore signer for verdict's tests.

It mints a private test PKI (a Fulcio-like CA, a CT log, a Rekor log), signs blobs
into Sigstore bundles (v0.1/v0.2/v0.3, message signatures and DSSE attestations),
and signs / attests container images in an OCI registry the way `cosign sign` /
`cosign attest` do with the legacy tag scheme (`sha256-<hex>.sig` / `.att`).

Every artefact has the shape real cosign / Sigstore produce: see README.md beside
this file for the formats and for what each fault knob produces.

Depends only on the Python standard library and `cryptography`. Python 3.9+.
Every command prints a one-line JSON summary on stdout; errors go to stderr with
exit status 2.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

try:  # POSIX advisory locks keep parallel test processes from corrupting the log.
    import fcntl
except ImportError:  # pragma: no cover - non-POSIX
    fcntl = None

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

VERSION = "1"

DEFAULT_IDENTITY = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"
DEFAULT_ISSUER = "https://token.actions.githubusercontent.com"

BUNDLE_MEDIA_TYPES = {
    "0.1": "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "0.2": "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "0.3": "application/vnd.dev.sigstore.bundle.v0.3+json",
}
TRUSTED_ROOT_MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPES = {"v1": "https://in-toto.io/Statement/v1", "v0.1": "https://in-toto.io/Statement/v0.1"}

# cosign's OCI vocabulary (pkg/oci/static, pkg/types)
SIMPLESIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"
DSSE_LAYER_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json"
OCI_MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
ANN_SIGNATURE = "dev.cosignproject.cosign/signature"
ANN_CERTIFICATE = "dev.sigstore.cosign/certificate"
ANN_CHAIN = "dev.sigstore.cosign/chain"
ANN_BUNDLE = "dev.sigstore.cosign/bundle"
ANN_PREDICATE_TYPE = "predicateType"
SIMPLESIGNING_TYPE = "cosign container image signature"

PREDICATE_TYPES = {
    # cosign attest --type NAME -> predicateType URI
    "slsaprovenance1": "https://slsa.dev/provenance/v1",
    "slsaprovenance02": "https://slsa.dev/provenance/v0.2",
    "cyclonedx": "https://cyclonedx.org/bom",
    "spdxjson": "https://spdx.dev/Document",
    "spdx": "https://spdx.dev/Document",
    "vuln": "https://cosign.sigstore.dev/attestation/vuln/v1",
    "custom": "https://cosign.sigstore.dev/attestation/v1",
}

# Fulcio certificate extensions (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md)
OID_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1"  # raw bytes (deprecated, still written by Fulcio)
OID_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8"  # DER UTF8String
OID_SCT_LIST = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")

SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class Fail(Exception):
    """A user-facing error: printed on stderr, exit status 2."""


# --------------------------------------------------------------------------- helpers


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(obj) -> bytes:
    """RFC 8785 (JCS) for the values used here: objects, arrays, ASCII-keyed strings, integers."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def go_json(obj) -> bytes:
    """encoding/json.Marshal style: compact, insertion order kept, HTML characters escaped."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")


def rfc3339(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc)


def now_ts() -> int:
    return int(dt.datetime.now(tz=dt.timezone.utc).timestamp())


def parse_when(text: str | None) -> int:
    """UNIX seconds, a relative offset from now ('-2d', '+3h', '-90m', '-30s', '-1w'), or ISO 8601."""
    if text is None or text == "" or text == "now":
        return now_ts()
    t = text.strip()
    if re.fullmatch(r"\d+", t):
        return int(t)
    m = re.fullmatch(r"([+-])(\d+)([smhdw])", t)
    if m:
        delta = int(m.group(2)) * SECONDS[m.group(3)]
        return now_ts() + (delta if m.group(1) == "+" else -delta)
    try:
        parsed = dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        raise Fail(f"--signed-at {text!r}: expected UNIX seconds, a relative time like -2d/+3h/-90m/-30s, or ISO 8601")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return int(parsed.timestamp())


def der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    out = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(out)]) + out


def der_utf8(text: str) -> bytes:
    raw = text.encode("utf-8")
    return b"\x0c" + der_len(len(raw)) + raw


def der_octet_string(raw: bytes) -> bytes:
    return b"\x04" + der_len(len(raw)) + raw


def pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def der_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def spki_der(pub) -> bytes:
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def spki_pem(pub) -> bytes:
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(pub) -> bytes:
    """RFC 6962 log ID / Sigstore key ID: SHA-256 of the DER SubjectPublicKeyInfo."""
    return sha256(spki_der(pub))


def write_private_key(path: Path, key) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    try:
        path.chmod(0o600)
    except OSError:
        pass


def load_private_key(path: Path):
    try:
        data = path.read_bytes()
    except OSError as e:
        raise Fail(f"cannot read private key {path}: {e.strerror}")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as e:
        raise Fail(f"{path}: not an unencrypted PEM private key ({e})")
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise Fail(f"{path}: only ECDSA keys are supported")
    return key


def load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def flip_last_bit(data: bytes) -> bytes:
    if not data:
        return b"\x01"
    return data[:-1] + bytes([data[-1] ^ 0x01])


def emit(summary: dict) -> None:
    sys.stdout.write(json.dumps(summary, separators=(",", ":"), sort_keys=False) + "\n")
    sys.stdout.flush()


@contextmanager
def locked(path: Path):
    """An exclusive advisory lock (one lock file per log), so parallel signers append safely."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        if fcntl is not None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- PKI


class Authority:
    """One Sigstore instance of the test PKI: DIR/trusted or DIR/other."""

    def __init__(self, base: Path, name: str):
        self.name = name
        self.dir = base / name
        if not (self.dir / "trusted_root.json").is_file():
            raise Fail(f"{self.dir}: not a fakesigstore PKI (run `fakesigstore.py init {base}` first)")
        meta = json.loads((self.dir / "instance.json").read_text())
        self.meta = meta
        self.root_cert = load_cert(self.dir / "root.crt.pem")
        self.intermediate_cert = load_cert(self.dir / "intermediate.crt.pem")
        self.intermediate_key = load_private_key(self.dir / "intermediate.key")
        self.ctlog_key = load_private_key(self.dir / "ctlog.key")
        self.rekor_key = load_private_key(self.dir / "rekor.key")
        self.rekor_host = meta["rekor_host"]

    @property
    def log(self) -> "RekorLog":
        return RekorLog(self)


def _name(org: str, cn: str) -> x509.Name:
    """Go's crypto/x509 encodes these as PrintableString; so does Fulcio's CA."""
    asn1 = getattr(getattr(x509, "name", None), "_ASN1Type", None)  # private in cryptography
    kw = {"_type": asn1.PrintableString} if asn1 is not None else {}
    return x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org, **kw), x509.NameAttribute(NameOID.COMMON_NAME, cn, **kw)]
    )


def make_ca(org: str, not_before: dt.datetime, not_after: dt.datetime):
    """A Fulcio-shaped CA: self-signed P-384 root and P-384 intermediate (EKU codeSigning)."""
    root_key = ec.generate_private_key(ec.SECP384R1())
    root_name = _name(org, "sigstore")
    root_ski = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(root_ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False)
        .sign(root_key, hashes.SHA384())
    )
    inter_key = ec.generate_private_key(ec.SECP384R1())
    inter = (
        x509.CertificateBuilder()
        .subject_name(_name(org, "sigstore-intermediate"))
        .issuer_name(root_name)
        .public_key(inter_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(inter_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False)
        .sign(root_key, hashes.SHA384())
    )
    return root_key, root, inter_key, inter


def init_instance(base: Path, name: str, domain: str, org: str, start: dt.datetime, end: dt.datetime) -> dict:
    d = base / name
    d.mkdir(parents=True, exist_ok=True)
    root_key, root, inter_key, inter = make_ca(org, start, end)
    ctlog_key = ec.generate_private_key(ec.SECP256R1())
    rekor_key = ec.generate_private_key(ec.SECP256R1())
    write_private_key(d / "root.key", root_key)
    write_private_key(d / "intermediate.key", inter_key)
    write_private_key(d / "ctlog.key", ctlog_key)
    write_private_key(d / "rekor.key", rekor_key)
    (d / "root.crt.pem").write_bytes(pem_cert(root))
    (d / "intermediate.crt.pem").write_bytes(pem_cert(inter))
    (d / "chain.pem").write_bytes(pem_cert(inter) + pem_cert(root))
    (d / "ctlog.pub").write_bytes(spki_pem(ctlog_key.public_key()))
    (d / "rekor.pub").write_bytes(spki_pem(rekor_key.public_key()))
    rekor_host = f"rekor.{domain}"
    valid_for = {"start": rfc3339(start)}
    trusted_root = {
        "mediaType": TRUSTED_ROOT_MEDIA_TYPE,
        "tlogs": [
            {
                "baseUrl": f"https://{rekor_host}",
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": b64(spki_der(rekor_key.public_key())),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": valid_for,
                },
                "logId": {"keyId": b64(key_id(rekor_key.public_key()))},
            }
        ],
        "certificateAuthorities": [
            {
                "subject": {"organization": org, "commonName": "sigstore"},
                "uri": f"https://fulcio.{domain}",
                "certChain": {"certificates": [{"rawBytes": b64(der_cert(inter))}, {"rawBytes": b64(der_cert(root))}]},
                "validFor": valid_for,
            }
        ],
        "ctlogs": [
            {
                "baseUrl": f"https://ctfe.{domain}/test",
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": b64(spki_der(ctlog_key.public_key())),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": valid_for,
                },
                "logId": {"keyId": b64(key_id(ctlog_key.public_key()))},
            }
        ],
        "timestampAuthorities": [],
    }
    (d / "trusted_root.json").write_text(json.dumps(trusted_root, indent=2) + "\n")
    signing_config = {
        "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
        "caUrls": [{"url": f"https://fulcio.{domain}", "majorApiVersion": 1, "validFor": valid_for, "operator": domain}],
        "oidcUrls": [{"url": f"https://oauth2.{domain}/auth", "majorApiVersion": 1, "validFor": valid_for, "operator": domain}],
        "rekorTlogUrls": [{"url": f"https://{rekor_host}", "majorApiVersion": 1, "validFor": valid_for, "operator": domain}],
        "tsaUrls": [],
        "rekorTlogConfig": {"selector": "ANY"},
        "tsaConfig": {"selector": "ANY"},
    }
    (d / "trust_config.json").write_text(
        json.dumps(
            {
                "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
                "trustedRoot": trusted_root,
                "signingConfig": signing_config,
            },
            indent=2,
        )
        + "\n"
    )
    # Rekor v1 origins look like "rekor.sigstore.dev - 2605736670972794746" (host - Trillian tree ID);
    # the global log index of a shard is offset from the tree-local index of the inclusion proof.
    tree_id = secrets.randbits(62) | (1 << 60)
    meta = {
        "name": name,
        "rekor_host": rekor_host,
        "tree_id": tree_id,
        "origin": f"{rekor_host} - {tree_id}",
        "index_offset": 1000 if name == "trusted" else 5000,
        "rekor_log_id": key_id(rekor_key.public_key()).hex(),
        "ctlog_log_id": key_id(ctlog_key.public_key()).hex(),
    }
    (d / "instance.json").write_text(json.dumps(meta, indent=2) + "\n")
    atomic_write(d / "rekor-log.json", json.dumps({"entries": []}).encode())
    return meta


def cmd_init(args) -> dict:
    base = Path(args.dir)
    if base.exists() and (base / "trusted" / "trusted_root.json").exists() and not args.force:
        raise Fail(f"{base}: already holds a PKI (use --force to replace it)")
    base.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)
    start = (now - dt.timedelta(days=args.valid_days_back)).replace(hour=0, minute=0, second=0)
    end = now + dt.timedelta(days=3650)
    trusted = init_instance(base, "trusted", "fakesigstore.test", "fakesigstore.test", start, end)
    other = init_instance(base, "other", "other.fakesigstore.test", "other.fakesigstore.test", start, end)
    keys = base / "keys"
    keys.mkdir(exist_ok=True)
    for stem in ("cosign", "other"):
        k = ec.generate_private_key(ec.SECP256R1())
        write_private_key(keys / f"{stem}.key", k)
        (keys / f"{stem}.pub").write_bytes(spki_pem(k.public_key()))
    pki = {
        "fakesigstore": VERSION,
        "identity": args.identity,
        "issuer": args.issuer,
        "created": rfc3339(now),
        "valid_from": rfc3339(start),
    }
    (base / "pki.json").write_text(json.dumps(pki, indent=2) + "\n")
    return {
        "dir": str(base),
        "trusted_root": str(base / "trusted" / "trusted_root.json"),
        "other_trusted_root": str(base / "other" / "trusted_root.json"),
        "identity": args.identity,
        "issuer": args.issuer,
        "rekor_log_id": trusted["rekor_log_id"],
        "origin": trusted["origin"],
        "other_rekor_log_id": other["rekor_log_id"],
    }


def load_pki(base: Path) -> dict:
    try:
        return json.loads((base / "pki.json").read_text())
    except OSError:
        raise Fail(f"{base}: not a fakesigstore PKI directory (no pki.json; run `fakesigstore.py init {base}`)")


# --------------------------------------------------------------------------- Fulcio


def github_claims(identity: str, issuer: str) -> list[tuple[str, bytes]]:
    """The GitHub Actions extensions Fulcio adds (1.2-1.6 raw, 1.9-1.22 DER UTF8String)."""
    m = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)/(\.github/workflows/[^@]+)@(refs/.+)", identity)
    if issuer != DEFAULT_ISSUER or not m:
        return []
    owner, repo, path, ref = m.groups()
    sha = hashlib.sha1(identity.encode()).hexdigest()
    repo_uri = f"https://github.com/{owner}/{repo}"
    num = lambda s: str(int(hashlib.sha256(s.encode()).hexdigest()[:8], 16))  # noqa: E731
    raw = {
        "1.3.6.1.4.1.57264.1.2": "push",
        "1.3.6.1.4.1.57264.1.3": sha,
        "1.3.6.1.4.1.57264.1.4": Path(path).stem,
        "1.3.6.1.4.1.57264.1.5": f"{owner}/{repo}",
        "1.3.6.1.4.1.57264.1.6": ref,
    }
    utf8 = {
        "1.3.6.1.4.1.57264.1.9": identity,
        "1.3.6.1.4.1.57264.1.10": sha,
        "1.3.6.1.4.1.57264.1.11": "github-hosted",
        "1.3.6.1.4.1.57264.1.12": repo_uri,
        "1.3.6.1.4.1.57264.1.13": sha,
        "1.3.6.1.4.1.57264.1.14": ref,
        "1.3.6.1.4.1.57264.1.15": num(repo_uri),
        "1.3.6.1.4.1.57264.1.16": f"https://github.com/{owner}",
        "1.3.6.1.4.1.57264.1.17": num(owner),
        "1.3.6.1.4.1.57264.1.18": identity,
        "1.3.6.1.4.1.57264.1.19": sha,
        "1.3.6.1.4.1.57264.1.20": "push",
        "1.3.6.1.4.1.57264.1.21": f"{repo_uri}/actions/runs/{num(identity)}/attempts/1",
        "1.3.6.1.4.1.57264.1.22": "public",
    }
    return [(k, v.encode()) for k, v in raw.items()] + [(k, der_utf8(v)) for k, v in utf8.items()]


def encode_sct_list(scts: list[bytes]) -> bytes:
    body = b"".join(struct.pack("!H", len(s)) + s for s in scts)
    return struct.pack("!H", len(body)) + body


def make_sct(ctlog_key, issuer_cert: x509.Certificate, tbs_precert: bytes, timestamp_ms: int) -> bytes:
    """An RFC 6962 v1 SCT for a precertificate entry, signed by the CT log key."""
    issuer_key_hash = key_id(issuer_cert.public_key())
    extensions = b""
    signed = (
        struct.pack("!BBQH", 0, 0, timestamp_ms, 1)  # v1, certificate_timestamp, timestamp, precert_entry
        + issuer_key_hash
        + struct.pack("!I", len(tbs_precert))[1:]  # uint24 length
        + tbs_precert
        + struct.pack("!H", len(extensions))
        + extensions
    )
    sig = ctlog_key.sign(signed, ec.ECDSA(hashes.SHA256()))
    return (
        struct.pack("!B", 0)
        + key_id(ctlog_key.public_key())
        + struct.pack("!Q", timestamp_ms)
        + struct.pack("!H", len(extensions))
        + extensions
        + struct.pack("!BBH", 4, 3, len(sig))  # sha256, ecdsa
        + sig
    )


def mint_leaf(
    auth: Authority,
    pub,
    identity: str,
    issuer: str,
    not_before: int,
    validity_s: int,
    issuer_ext: str,
    sct: bool,
    extra_claims: list[tuple[str, str]],
) -> x509.Certificate:
    """A Fulcio-shaped code-signing leaf with an embedded precertificate SCT."""
    nb = utc(not_before)
    na = utc(not_before + validity_s)
    if "@" in identity and "://" not in identity:
        san = x509.RFC822Name(identity)
    else:
        san = x509.UniformResourceIdentifier(identity)
    exts: list[tuple[x509.ExtensionType, bool]] = [
        (x509.KeyUsage(True, False, False, False, False, False, False, False, False), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), False),
        (x509.SubjectKeyIdentifier.from_public_key(pub), False),
        (
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                auth.intermediate_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            ),
            False,
        ),
        (x509.SubjectAlternativeName([san]), True),
    ]
    claims: dict[str, bytes] = {}
    if issuer_ext in ("v1", "both"):
        claims[OID_ISSUER_V1] = issuer.encode()
    for oid, value in github_claims(identity, issuer):
        claims[oid] = value
    if issuer_ext in ("v2", "both"):
        claims[OID_ISSUER_V2] = der_utf8(issuer)
    for oid, value in extra_claims:
        last = int(oid.rsplit(".", 1)[1]) if oid.startswith("1.3.6.1.4.1.57264.1.") else 99
        claims[oid] = value.encode() if last <= 6 else der_utf8(value)
    ordered = sorted(claims.items(), key=lambda kv: [int(p) for p in kv[0].split(".")])
    for oid, value in ordered:
        exts.append((x509.UnrecognizedExtension(ObjectIdentifier(oid), value), False))

    serial = x509.random_serial_number()

    def builder(extensions):
        b = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([]))
            .issuer_name(auth.intermediate_cert.subject)
            .public_key(pub)
            .serial_number(serial)
            .not_valid_before(nb)
            .not_valid_after(na)
        )
        for ext, critical in extensions:
            b = b.add_extension(ext, critical=critical)
        return b

    if not sct:
        return builder(exts).sign(auth.intermediate_key, hashes.SHA384())
    # Fulcio: issue a precertificate (poison extension), log it in CT, then issue the final
    # certificate with the SCT list appended. The SCT signs the TBS without the SCT extension,
    # which is exactly the TBS of a certificate built from the same fields minus that extension.
    tbs_precert = builder(exts).sign(auth.intermediate_key, hashes.SHA384()).tbs_certificate_bytes
    sct_bytes = make_sct(auth.ctlog_key, auth.intermediate_cert, tbs_precert, not_before * 1000)
    sct_ext = x509.UnrecognizedExtension(OID_SCT_LIST, der_octet_string(encode_sct_list([sct_bytes])))
    cert = builder(exts + [(sct_ext, False)]).sign(auth.intermediate_key, hashes.SHA384())
    if cert.tbs_precertificate_bytes != tbs_precert:  # pragma: no cover - self-check
        raise Fail("internal error: precertificate TBS mismatch")
    return cert


# --------------------------------------------------------------------------- Rekor


def leaf_hash(body: bytes) -> bytes:
    return sha256(b"\x00" + body)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 Merkle Tree Hash over leaf hashes."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def inclusion_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 6962 PATH(m, D[n]), ordered from the leaf's sibling up to the root's child."""
    n = len(leaves)
    if n <= 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return inclusion_path(m, leaves[:k]) + [mth(leaves[k:])]
    return inclusion_path(m - k, leaves[k:]) + [mth(leaves[:k])]


def verify_inclusion(index: int, size: int, leaf: bytes, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2 verification (used as a self-check)."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


class RekorLog:
    """A persistent append-only Rekor v1 log: DIR/<instance>/rekor-log.json."""

    def __init__(self, auth: Authority):
        self.auth = auth
        self.path = auth.dir / "rekor-log.json"
        self.lock_path = auth.dir / "rekor-log.lock"

    def _load(self) -> dict:
        return json.loads(self.path.read_text())

    def append(self, body: bytes, integrated_time: int, signer_key=None, log_id: bytes | None = None) -> dict:
        """Append an entry; returns the Rekor API style entry with SET and inclusion proof.

        signer_key / log_id override the log's key and claimed ID (fault injection)."""
        with locked(self.lock_path):
            state = self._load()
            entries = state["entries"]
            entries.append({"body": b64(body), "integratedTime": integrated_time, "leaf": leaf_hash(body).hex()})
            atomic_write(self.path, json.dumps(state).encode())
            leaves = [bytes.fromhex(e["leaf"]) for e in entries]
        tree_index = len(leaves) - 1
        return self._entry(tree_index, leaves, entries[tree_index], signer_key, log_id)

    def find(self, body: bytes | None = None, uuid: str | None = None, log_index: int | None = None) -> dict | None:
        state = self._load()
        entries = state["entries"]
        leaves = [bytes.fromhex(e["leaf"]) for e in entries]
        want = None
        if body is not None:
            want = leaf_hash(body).hex()
        elif uuid is not None:
            want = uuid[-64:].lower()
        for i, e in enumerate(entries):
            if (want is not None and e["leaf"] == want) or (log_index is not None and i + self.offset == log_index):
                return self._entry(i, leaves, e, None, None, current=True)
        return None

    @property
    def offset(self) -> int:
        return int(self.auth.meta["index_offset"])

    def _entry(self, tree_index, leaves, rec, signer_key, log_id, current=False) -> dict:
        key = signer_key or self.auth.rekor_key
        lid = log_id or key_id(self.auth.rekor_key.public_key())
        # A fresh entry is proven against the tree that includes it (size index+1), as Rekor
        # answers right after integration; a lookup proves against the current tree.
        size = len(leaves) if current else tree_index + 1
        tree = leaves[:size]
        root = mth(tree)
        path = inclusion_path(tree_index, tree)
        assert verify_inclusion(tree_index, size, tree[tree_index], path, root)
        body_b64 = rec["body"]
        log_index = tree_index + self.offset
        set_payload = {
            "body": body_b64,
            "integratedTime": rec["integratedTime"],
            "logID": lid.hex(),
            "logIndex": log_index,
        }
        set_sig = key.sign(canonical_json(set_payload), ec.ECDSA(hashes.SHA256()))
        note = f"{self.auth.meta['origin']}\n{size}\n{b64(root)}\n"
        hint = key_id(key.public_key())[:4]
        note_sig = key.sign(note.encode(), ec.ECDSA(hashes.SHA256()))
        checkpoint = f"{note}\n\u2014 {self.auth.rekor_host} {b64(hint + note_sig)}\n"
        return {
            "uuid": rec["leaf"],
            "body": body_b64,
            "integratedTime": rec["integratedTime"],
            "logID": lid.hex(),
            "logIndex": log_index,
            "treeIndex": tree_index,
            "treeSize": size,
            "rootHash": root,
            "hashes": path,
            "checkpoint": checkpoint,
            "signedEntryTimestamp": set_sig,
        }


def rekor_api_form(e: dict) -> dict:
    """The entry as Rekor's GET /api/v1/log/entries/{uuid} returns it (hex hashes)."""
    return {
        e["uuid"]: {
            "body": e["body"],
            "integratedTime": e["integratedTime"],
            "logID": e["logID"],
            "logIndex": e["logIndex"],
            "verification": {
                "inclusionProof": {
                    "checkpoint": e["checkpoint"],
                    "hashes": [h.hex() for h in e["hashes"]],
                    "logIndex": e["treeIndex"],
                    "rootHash": e["rootHash"].hex(),
                    "treeSize": e["treeSize"],
                },
                "signedEntryTimestamp": b64(e["signedEntryTimestamp"]),
            },
        }
    }


def hashedrekord_body(digest: bytes, sig: bytes, verifier_pem: bytes) -> bytes:
    return canonical_json(
        {
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
                "signature": {"content": b64(sig), "publicKey": {"content": b64(verifier_pem)}},
            },
        }
    )


def dsse_body(envelope_json: bytes, payload: bytes, sigs: list[bytes], verifier_pem: bytes) -> bytes:
    """Rekor dsse v0.0.1 canonicalized body (envelopeHash over the submitted envelope JSON)."""
    return canonical_json(
        {
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {
                "envelopeHash": {"algorithm": "sha256", "value": sha256_hex(envelope_json)},
                "payloadHash": {"algorithm": "sha256", "value": sha256_hex(payload)},
                "signatures": [{"signature": b64(s), "verifier": b64(verifier_pem)} for s in sigs],
            },
        }
    )


def intoto_body(envelope_json: bytes, payload_type: str, payload: bytes, sig: bytes, verifier_pem: bytes) -> bytes:
    """Rekor intoto v0.0.2 canonicalized body as cosign 2.x produces it: the envelope's payload
    is dropped by Rekor's canonicalization, sig is base64 of the base64 signature, publicKey is
    base64 of the PEM, hash is the SHA-256 of the submitted envelope JSON."""
    return canonical_json(
        {
            "apiVersion": "0.0.2",
            "kind": "intoto",
            "spec": {
                "content": {
                    "envelope": {
                        "payloadType": payload_type,
                        "signatures": [{"publicKey": b64(verifier_pem), "sig": b64(b64(sig).encode())}],
                    },
                    "hash": {"algorithm": "sha256", "value": sha256_hex(envelope_json)},
                    "payloadHash": {"algorithm": "sha256", "value": sha256_hex(payload)},
                }
            },
        }
    )


# --------------------------------------------------------------------------- signing core


class Signer:
    """Resolves identity options (keyless via the fake Fulcio, or a managed key) and the log."""

    def __init__(self, args, base: Path):
        self.base = base
        self.pki = load_pki(base)
        self.args = args
        self.signed_at = parse_when(args.signed_at)
        self.log_time = parse_when(args.log_time) if args.log_time else self.signed_at
        self.trusted = Authority(base, "trusted")
        self.ca = Authority(base, args.root) if args.root != "trusted" else self.trusted
        self.log_auth = Authority(base, args.log) if args.log != "trusted" else self.trusted
        self.cert = None
        self.chain: list[x509.Certificate] = []
        if args.key:
            self.key = load_private_key(Path(args.key))
            self.verifier_pem = spki_pem(self.key.public_key())
            self.identity = None
            self.issuer = None
        else:
            self.key = ec.generate_private_key(ec.SECP256R1())  # ephemeral, as cosign keyless
            self.identity = args.identity or self.pki["identity"]
            self.issuer = args.issuer or self.pki["issuer"]
            claims = []
            for c in args.claim or []:
                if "=" not in c:
                    raise Fail(f"--claim {c!r}: expected OID=VALUE")
                oid, value = c.split("=", 1)
                if not re.fullmatch(r"\d+(\.\d+)+", oid):
                    raise Fail(f"--claim {c!r}: {oid!r} is not a dotted OID")
                claims.append((oid, value))
            self.cert = mint_leaf(
                self.ca,
                self.key.public_key(),
                self.identity,
                self.issuer,
                self.signed_at - 5,
                args.cert_validity * 60,
                args.issuer_ext,
                not args.no_sct,
                claims,
            )
            self.chain = [self.ca.intermediate_cert, self.ca.root_cert]
            self.verifier_pem = pem_cert(self.cert)

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    def log(self, body: bytes) -> dict | None:
        if self.args.no_tlog:
            return None
        signer_key = None
        log_id = None
        if self.args.wrong_log_key:
            # A forged promise: claims the log's identity, signed by a key not in the trusted root.
            other = Authority(self.base, "other" if self.log_auth.name == "trusted" else "trusted")
            signer_key = other.rekor_key
            log_id = key_id(self.log_auth.rekor_key.public_key())
        return self.log_auth.log.append(body, self.log_time, signer_key, log_id)

    def summary(self) -> dict:
        s = {"signed_at": self.signed_at}
        if self.cert is not None:
            s.update(
                identity=self.identity,
                issuer=self.issuer,
                not_before=rfc3339(self.cert.not_valid_before_utc),
                not_after=rfc3339(self.cert.not_valid_after_utc),
                root=self.ca.name,
            )
        else:
            s.update(key=str(self.args.key), key_hint=b64(key_id(self.key.public_key())))
        return s


def tlog_entry_json(e: dict, kind: str, version: str, promise: bool, proof: bool) -> dict:
    out: dict = {
        "logIndex": str(e["logIndex"]),
        "logId": {"keyId": b64(bytes.fromhex(e["logID"]))},
        "kindVersion": {"kind": kind, "version": version},
        "integratedTime": str(e["integratedTime"]),
    }
    if promise:
        out["inclusionPromise"] = {"signedEntryTimestamp": b64(e["signedEntryTimestamp"])}
    if proof:
        out["inclusionProof"] = {
            "logIndex": str(e["treeIndex"]),
            "rootHash": b64(e["rootHash"]),
            "treeSize": str(e["treeSize"]),
            "hashes": [b64(h) for h in e["hashes"]],
            "checkpoint": {"envelope": e["checkpoint"]},
        }
    out["canonicalizedBody"] = e["body"]
    return out


def verification_material(signer: Signer, version: str, entries: list[dict]) -> dict:
    vm: dict = {}
    if signer.cert is None:
        vm["publicKey"] = {"hint": b64(key_id(signer.key.public_key()))}
    elif version == "0.3":
        vm["certificate"] = {"rawBytes": b64(der_cert(signer.cert))}
    else:
        vm["x509CertificateChain"] = {"certificates": [{"rawBytes": b64(der_cert(signer.cert))}]}
    vm["tlogEntries"] = entries
    return vm


def rekor_bundle_annotation(e: dict) -> dict:
    """cosign's RekorBundle (pkg/cosign/bundle/rekor.go), Go field order."""
    return {
        "SignedEntryTimestamp": b64(e["signedEntryTimestamp"]),
        "Payload": {
            "body": e["body"],
            "integratedTime": e["integratedTime"],
            "logIndex": e["logIndex"],
            "logID": e["logID"],
        },
    }


def make_statement(stmt_version: str, subjects: list[dict], predicate_type: str, predicate) -> bytes:
    return go_json(
        {
            "_type": STATEMENT_TYPES[stmt_version],
            "predicateType": predicate_type,
            "subject": subjects,
            "predicate": predicate,
        }
    )


def read_predicate(path: str):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise Fail(f"cannot read predicate {path}: {e.strerror}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise Fail(f"{path}:{e.lineno}:{e.colno}: predicate is not JSON: {e.msg}")


def resolve_predicate_type(value: str) -> str:
    return PREDICATE_TYPES.get(value, value)


# --------------------------------------------------------------------------- sign-blob


def cmd_sign_blob(args) -> dict:
    base = Path(args.pki)
    outputs = [args.bundle, args.output_signature, args.output_certificate, args.legacy_bundle]
    if not any(outputs):
        raise Fail("sign-blob: name at least one output: --bundle, --output-signature, --output-certificate or --legacy-bundle")
    if args.dsse and not (args.predicate_type and args.predicate):
        raise Fail("--dsse needs --predicate-type and --predicate")
    if args.no_inclusion_proof and args.no_inclusion_promise:
        raise Fail("--no-inclusion-proof and --no-inclusion-promise together leave no tlog evidence; use --no-tlog")
    try:
        content = Path(args.file).read_bytes()
    except OSError as e:
        raise Fail(f"cannot read {args.file}: {e.strerror}")
    signer = Signer(args, base)
    version = args.bundle_version
    summary = {"file": args.file}
    sig_for_detached = None

    if not args.dsse:
        signed_content = flip_last_bit(content) if args.tamper else content
        digest = sha256(signed_content)
        sig = signer.sign(signed_content)
        sig_for_detached = sig
        body = hashedrekord_body(digest, sig, signer.verifier_pem)
        entry = signer.log(body)
        kind, kver = "hashedrekord", "0.0.1"
        content_json = {"messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": b64(digest)}, "signature": b64(sig)}}
        summary["digest"] = "sha256:" + digest.hex()
    else:
        predicate_type = resolve_predicate_type(args.predicate_type)
        predicate = read_predicate(args.predicate)
        subject = [{"name": Path(args.file).name, "digest": {"sha256": sha256_hex(content)}}]
        payload = make_statement(args.statement, subject, predicate_type, predicate)
        sig = signer.sign(pae(INTOTO_PAYLOAD_TYPE, payload))
        envelope = {"payload": b64(payload), "payloadType": INTOTO_PAYLOAD_TYPE, "signatures": [{"sig": b64(sig)}]}
        envelope_json = json.dumps(envelope, separators=(",", ":")).encode()
        if args.rekor_kind == "intoto":
            kind, kver = "intoto", "0.0.2"
            body = intoto_body(envelope_json, INTOTO_PAYLOAD_TYPE, payload, sig, signer.verifier_pem)
        else:
            kind, kver = "dsse", "0.0.1"
            body = dsse_body(envelope_json, payload, [sig], signer.verifier_pem)
        entry = signer.log(body)
        if args.tamper:
            # The payload is swapped after signing and logging: the subject digest no longer
            # matches what was signed (and what the log recorded).
            forged = make_statement(
                args.statement,
                [{"name": Path(args.file).name, "digest": {"sha256": sha256_hex(flip_last_bit(content))}}],
                predicate_type,
                predicate,
            )
            envelope["payload"] = b64(forged)
        content_json = {"dsseEnvelope": envelope}
        summary["predicate_type"] = predicate_type
        summary["subject_digest"] = "sha256:" + sha256_hex(content)

    entries = []
    if entry is not None:
        entries.append(
            tlog_entry_json(entry, kind, kver, promise=not args.no_inclusion_promise, proof=not args.no_inclusion_proof)
        )
        summary.update(log_index=entry["logIndex"], log_id=entry["logID"], integrated_time=entry["integratedTime"])
    summary["kind"] = f"{kind}/{kver}"

    if args.bundle:
        bundle = {"mediaType": BUNDLE_MEDIA_TYPES[version], "verificationMaterial": verification_material(signer, version, entries)}
        bundle.update(content_json)
        Path(args.bundle).write_text(json.dumps(bundle, separators=(",", ":")) + "\n")
        summary["bundle"] = args.bundle
        summary["bundle_version"] = version
    if args.output_signature:
        if args.dsse:
            # cosign attest-blob --output-signature writes the whole DSSE envelope.
            Path(args.output_signature).write_text(json.dumps(content_json["dsseEnvelope"], separators=(",", ":")))
        else:
            Path(args.output_signature).write_text(b64(sig_for_detached))
        summary["signature"] = args.output_signature
    if args.output_certificate:
        if signer.cert is None:
            raise Fail("--output-certificate needs keyless signing (no --key)")
        Path(args.output_certificate).write_bytes(pem_cert(signer.cert))
        summary["certificate"] = args.output_certificate
    if args.legacy_bundle:
        if args.dsse:
            raise Fail("--legacy-bundle is cosign's sign-blob format for message signatures; not with --dsse")
        legacy: dict = {"base64Signature": b64(sig_for_detached)}
        if signer.cert is not None:
            legacy["cert"] = b64(pem_cert(signer.cert))
        if entry is not None:
            legacy["rekorBundle"] = rekor_bundle_annotation(entry)
        Path(args.legacy_bundle).write_text(json.dumps(legacy, separators=(",", ":")))
        summary["legacy_bundle"] = args.legacy_bundle
    summary.update(signer.summary())
    summary["faults"] = faults_of(args)
    return summary


def faults_of(args) -> list[str]:
    out = []
    for name in ("no_tlog", "tamper", "wrong_log_key", "no_sct", "no_inclusion_proof", "no_inclusion_promise"):
        if getattr(args, name, False):
            out.append(name.replace("_", "-"))
    if getattr(args, "root", "trusted") != "trusted":
        out.append(f"root={args.root}")
    if getattr(args, "log", "trusted") != "trusted":
        out.append(f"log={args.log}")
    if getattr(args, "signed_at", None):
        out.append(f"signed-at={args.signed_at}")
    if getattr(args, "log_time", None):
        out.append(f"log-time={args.log_time}")
    if getattr(args, "for_digest", None):
        out.append(f"for-digest={args.for_digest}")
    return out


# --------------------------------------------------------------------------- OCI registry


class Registry:
    """A minimal OCI distribution client (plain HTTP by default, no auth)."""

    def __init__(self, registry: str, repo: str):
        if "://" in registry:
            self.base = registry.rstrip("/")
            self.host = urllib.parse.urlparse(registry).netloc
        else:
            self.base = f"http://{registry}"
            self.host = registry
        self.repo = repo

    def _req(self, method: str, url: str, data: bytes | None = None, headers: dict | None = None):
        if not url.startswith("http"):
            url = self.base + url
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()
        except urllib.error.URLError as e:
            raise Fail(f"registry {self.base} unreachable: {e.reason}")

    def blob_exists(self, digest: str) -> bool:
        status, _, _ = self._req("HEAD", f"/v2/{self.repo}/blobs/{digest}")
        return status == 200

    def get_blob(self, digest: str) -> bytes:
        status, _, body = self._req("GET", f"/v2/{self.repo}/blobs/{digest}")
        if status != 200:
            raise Fail(f"GET blob {digest}: HTTP {status}: {body[:200]!r}")
        return body

    def put_blob(self, data: bytes) -> str:
        digest = "sha256:" + sha256_hex(data)
        if self.blob_exists(digest):
            return digest
        status, headers, body = self._req("POST", f"/v2/{self.repo}/blobs/uploads/", b"", {"Content-Length": "0"})
        if status != 202:
            raise Fail(f"POST blob upload: HTTP {status}: {body[:200]!r}")
        location = headers.get("Location") or headers.get("location")
        if not location:
            raise Fail("POST blob upload: no Location header")
        sep = "&" if "?" in location else "?"
        url = f"{location}{sep}digest={urllib.parse.quote(digest)}"
        status, _, body = self._req(
            "PUT", url, data, {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))}
        )
        if status != 201:
            raise Fail(f"PUT blob {digest}: HTTP {status}: {body[:200]!r}")
        return digest

    def get_manifest(self, ref: str):
        status, headers, body = self._req(
            "GET",
            f"/v2/{self.repo}/manifests/{ref}",
            headers={
                "Accept": ",".join(
                    [
                        OCI_MANIFEST_MEDIA_TYPE,
                        "application/vnd.oci.image.index.v1+json",
                        "application/vnd.docker.distribution.manifest.v2+json",
                        "application/vnd.docker.distribution.manifest.list.v2+json",
                    ]
                )
            },
        )
        if status == 404:
            return None
        if status != 200:
            raise Fail(f"GET manifest {self.repo}:{ref}: HTTP {status}: {body[:200]!r}")
        return body

    def put_manifest(self, ref: str, manifest: bytes, media_type: str = OCI_MANIFEST_MEDIA_TYPE) -> str:
        status, headers, body = self._req(
            "PUT", f"/v2/{self.repo}/manifests/{ref}", manifest, {"Content-Type": media_type}
        )
        if status != 201:
            raise Fail(f"PUT manifest {self.repo}:{ref}: HTTP {status}: {body[:300]!r}")
        return headers.get("Docker-Content-Digest") or "sha256:" + sha256_hex(manifest)


def build_image_layout(layout: Path, tag: str, seed: str) -> tuple[str, int]:
    """A tiny valid OCI image (config + one gzip tar layer) as an OCI image layout."""
    blobs = layout / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)

    def put(data: bytes) -> str:
        h = sha256_hex(data)
        (blobs / h).write_bytes(data)
        return "sha256:" + h

    content = f"fakesigstore test image\nseed: {seed}\n".encode()
    tar_buf = io.BytesIO()
    with tarfile.open(fileobj=tar_buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        d = tarfile.TarInfo("app")
        d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, 0
        tf.addfile(d)
        f = tarfile.TarInfo("app/seed.txt")
        f.size, f.mode, f.mtime = len(content), 0o644, 0
        tf.addfile(f, io.BytesIO(content))
    tar = tar_buf.getvalue()
    gz_buf = io.BytesIO()
    with gzip.GzipFile(fileobj=gz_buf, mode="wb", mtime=0) as gz:
        gz.write(tar)
    layer = gz_buf.getvalue()
    layer_digest = put(layer)
    config = go_json(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Cmd": ["/app/seed.txt"], "Labels": {"dev.fakesigstore.seed": seed}},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha256_hex(tar)]},
            "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "fakesigstore push-image"}],
        }
    )
    config_digest = put(config)
    manifest = go_json(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST_MEDIA_TYPE,
            "config": {"mediaType": OCI_CONFIG_MEDIA_TYPE, "digest": config_digest, "size": len(config)},
            "layers": [{"mediaType": OCI_LAYER_GZIP_MEDIA_TYPE, "digest": layer_digest, "size": len(layer)}],
        }
    )
    manifest_digest = put(manifest)
    (layout / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {
                "mediaType": OCI_MANIFEST_MEDIA_TYPE,
                "digest": manifest_digest,
                "size": len(manifest),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }
        ],
    }
    (layout / "index.json").write_text(json.dumps(index, separators=(",", ":")))
    return manifest_digest, len(manifest)


def cmd_push_image(args) -> dict:
    skopeo = shutil.which("skopeo")
    if not skopeo:
        raise Fail("skopeo not found on PATH (apt-get install -y skopeo)")
    tmp = Path(tempfile.mkdtemp(prefix="fakesigstore-oci-"))
    try:
        layout = tmp / "layout"
        digest, _ = build_image_layout(layout, args.tag, args.seed)
        digest_file = tmp / "digest"
        cmd = [
            skopeo,
            "--insecure-policy",
            "copy",
            "--quiet",
            "--dest-tls-verify=false",
            "--preserve-digests",
            "--digestfile",
            str(digest_file),
            f"oci:{layout}:{args.tag}",
            f"docker://{args.registry}/{args.repo}:{args.tag}",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise Fail(f"skopeo copy failed ({proc.returncode}): {proc.stderr.strip()}")
        pushed = digest_file.read_text().strip() if digest_file.exists() else digest
        if pushed != digest:
            raise Fail(f"skopeo pushed {pushed}, expected {digest}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "digest": digest,
        "reference": f"{args.registry}/{args.repo}@{digest}",
        "tag": f"{args.registry}/{args.repo}:{args.tag}",
    }


def check_digest(value: str, flag: str) -> str:
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", value or ""):
        raise Fail(f"{flag} {value!r}: expected sha256:<64 lowercase hex>")
    return value


def signature_config(diff_ids: list[str], created: str = "0001-01-01T00:00:00Z") -> bytes:
    """The config blob of a cosign signature image: go-containerregistry's ConfigFile with
    one diff_id (= the layer digest, layers are not compressed) and one history entry per layer.
    cosign 2.x leaves `created` at the zero time unless --record-creation-timestamp."""
    return go_json(
        {
            "architecture": "",
            "created": created,
            "history": [{"created": "0001-01-01T00:00:00Z"} for _ in diff_ids],
            "os": "",
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "config": {},
        }
    )


def signature_manifest(config: bytes, layers: list[dict]) -> bytes:
    """The OCI manifest of a cosign signature image, serialized as go-containerregistry does."""
    return go_json(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST_MEDIA_TYPE,
            "config": {"mediaType": OCI_CONFIG_MEDIA_TYPE, "size": len(config), "digest": "sha256:" + sha256_hex(config)},
            "layers": layers,
        }
    )


def signature_layer(layer: bytes, media_type: str, annotations: dict) -> dict:
    return {
        "mediaType": media_type,
        "size": len(layer),
        "digest": "sha256:" + sha256_hex(layer),
        "annotations": {k: annotations[k] for k in sorted(annotations)},  # Go sorts map keys
    }


def attach(reg: Registry, tag: str, layer: bytes, media_type: str, annotations: dict) -> dict:
    """Append a layer to the cosign signature image at `tag` (create it if absent), as
    cosign's mutate.AttachSignatureToEntity + remote.Write do."""
    existing = reg.get_manifest(tag)
    layers: list[dict] = []
    if existing is not None:
        old = json.loads(existing)
        if old.get("mediaType", OCI_MANIFEST_MEDIA_TYPE) != OCI_MANIFEST_MEDIA_TYPE:
            raise Fail(f"{reg.repo}:{tag} exists but is not an OCI image manifest")
        layers = old.get("layers", [])
    reg.put_blob(layer)
    layers.append(signature_layer(layer, media_type, annotations))
    config = signature_config([l["digest"] for l in layers])
    reg.put_blob(config)
    manifest = signature_manifest(config, layers)
    manifest_digest = reg.put_manifest(tag, manifest)
    return {
        "tag": f"{reg.host}/{reg.repo}:{tag}",
        "manifest_digest": manifest_digest,
        "layer_digest": layers[-1]["digest"],
        "layer_size": len(layer),
        "layers": len(layers),
    }


def image_common(args):
    check_digest(args.digest, "--digest")
    if args.for_digest:
        check_digest(args.for_digest, "--for-digest")
    reg = Registry(args.registry, args.repo)
    if not args.no_check_image and reg.get_manifest(args.digest) is None:
        raise Fail(f"{reg.host}/{args.repo}@{args.digest}: no such manifest in the registry (or pass --no-check-image)")
    signer = Signer(args, Path(args.pki))
    return reg, signer


def cert_annotations(signer: Signer) -> dict:
    if signer.cert is None:
        return {}
    return {
        ANN_CERTIFICATE: pem_cert(signer.cert).decode(),
        ANN_CHAIN: b"".join(pem_cert(c) for c in signer.chain).decode(),
    }


def cmd_sign_image(args) -> dict:
    reg, signer = image_common(args)
    docker_ref = f"{reg.host}/{args.repo}"
    named = args.for_digest or args.digest
    optional = None
    if args.annotation:
        bad = [a for a in args.annotation if "=" not in a]
        if bad:
            raise Fail(f"-a/--annotation {bad[0]!r}: expected KEY=VALUE")
        optional = dict(a.split("=", 1) for a in args.annotation)
    payload = go_json(
        {
            "critical": {
                "identity": {"docker-reference": docker_ref},
                "image": {"docker-manifest-digest": named},
                "type": SIMPLESIGNING_TYPE,
            },
            "optional": optional,
        }
    )
    sig = signer.sign(payload)
    entry = signer.log(hashedrekord_body(sha256(payload), sig, signer.verifier_pem))
    annotations = {ANN_SIGNATURE: b64(sig)}
    annotations.update(cert_annotations(signer))
    if entry is not None:
        annotations[ANN_BUNDLE] = go_json(rekor_bundle_annotation(entry)).decode()
    layer = payload
    if args.tamper:
        # The payload is replaced after signing: the signature no longer matches the layer.
        layer = payload.replace(b'"type":"', b'"type":"tampered ', 1)
    tag = args.digest.replace(":", "-") + ".sig"
    out = attach(reg, tag, layer, SIMPLESIGNING_MEDIA_TYPE, annotations)
    out.update(payload_digest="sha256:" + sha256_hex(payload), signed_digest=named, docker_reference=docker_ref)
    if entry is not None:
        out.update(log_index=entry["logIndex"], log_id=entry["logID"], integrated_time=entry["integratedTime"])
    out.update(signer.summary())
    out["faults"] = faults_of(args)
    return out


def cmd_attest_image(args) -> dict:
    reg, signer = image_common(args)
    predicate_type = resolve_predicate_type(args.predicate_type)
    predicate = read_predicate(args.predicate)
    named = args.for_digest or args.digest
    subject = [{"name": f"{reg.host}/{args.repo}", "digest": {"sha256": named.split(":", 1)[1]}}]
    payload = make_statement(args.statement, subject, predicate_type, predicate)
    sig = signer.sign(pae(INTOTO_PAYLOAD_TYPE, payload))
    # go-securesystemslib dsse.Envelope marshalled by encoding/json (what cosign stores).
    envelope = {"payloadType": INTOTO_PAYLOAD_TYPE, "payload": b64(payload), "signatures": [{"keyid": "", "sig": b64(sig)}]}
    envelope_json = go_json(envelope)
    if args.rekor_kind == "dsse":
        body = dsse_body(envelope_json, payload, [sig], signer.verifier_pem)
        kind = "dsse/0.0.1"
    else:
        body = intoto_body(envelope_json, INTOTO_PAYLOAD_TYPE, payload, sig, signer.verifier_pem)
        kind = "intoto/0.0.2"
    entry = signer.log(body)
    layer = envelope_json
    if args.tamper:
        forged = payload.replace(named.split(":", 1)[1].encode(), ("0" * 64).encode())
        envelope["payload"] = b64(forged)
        layer = go_json(envelope)
    annotations = {ANN_SIGNATURE: "", ANN_PREDICATE_TYPE: predicate_type}
    annotations.update(cert_annotations(signer))
    if entry is not None:
        annotations[ANN_BUNDLE] = go_json(rekor_bundle_annotation(entry)).decode()
    tag = args.digest.replace(":", "-") + ".att"
    out = attach(reg, tag, layer, DSSE_LAYER_MEDIA_TYPE, annotations)
    out.update(predicate_type=predicate_type, kind=kind, subject_digest=named)
    if entry is not None:
        out.update(log_index=entry["logIndex"], log_id=entry["logID"], integrated_time=entry["integratedTime"])
    out.update(signer.summary())
    out["faults"] = faults_of(args)
    return out


# --------------------------------------------------------------------------- log-entry


def cmd_log_entry(args) -> dict:
    auth = Authority(Path(args.pki), args.log)
    log = auth.log
    if args.body:
        e = log.find(body=unb64(args.body))
    elif args.uuid:
        e = log.find(uuid=args.uuid)
    elif args.log_index is not None:
        e = log.find(log_index=args.log_index)
    else:
        raise Fail("log-entry: give --body, --uuid or --log-index")
    if e is None:
        raise Fail("log-entry: no such entry in the log")
    return rekor_api_form(e)


# --------------------------------------------------------------------------- CLI


def add_identity_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("identity")
    g.add_argument("--pki", required=True, metavar="DIR", help="the directory made by `init`")
    g.add_argument("--key", metavar="PATH", help="sign with this managed key (PKCS#8 PEM) instead of keyless")
    g.add_argument("--identity", metavar="URI|EMAIL", help="keyless: the certificate SAN (default: the PKI's)")
    g.add_argument("--issuer", metavar="URL", help="keyless: the OIDC issuer extension (default: the PKI's)")
    g.add_argument("--root", choices=["trusted", "other"], default="trusted", help="keyless: which CA (and CT log) issues the leaf")
    g.add_argument("--issuer-ext", choices=["both", "v1", "v2"], default="both", help="which issuer extensions (1.1 raw / 1.8 UTF8String) the leaf carries")
    g.add_argument("--claim", action="append", metavar="OID=VALUE", help="add/override a Fulcio extension (repeatable)")
    g.add_argument("--cert-validity", type=int, default=10, metavar="MINUTES", help="leaf validity (default 10)")
    f = p.add_argument_group("faults")
    f.add_argument("--no-tlog", action="store_true", help="no Rekor entry at all")
    f.add_argument("--signed-at", metavar="WHEN", help="signing time: UNIX seconds, -2d/+3h/-90m/-30s, or ISO 8601 (default now)")
    f.add_argument("--log-time", metavar="WHEN", help="the integratedTime the log records (default: the signing time)")
    f.add_argument("--tamper", action="store_true", help="change the signed content after signing")
    f.add_argument("--wrong-log-key", action="store_true", help="SET and checkpoint signed by a key not in the trusted root (log ID unchanged)")
    f.add_argument("--log", choices=["trusted", "other"], default="trusted", help="which Rekor instance logs the entry")
    f.add_argument("--no-sct", action="store_true", help="keyless: leaf without an embedded SCT")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fakesigstore.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", action="version", version=f"fakesigstore {VERSION}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("init", help="create a test PKI (trusted + other instance, managed keys)")
    s.add_argument("dir", metavar="DIR")
    s.add_argument("--identity", default=DEFAULT_IDENTITY, help=f"default keyless identity (default {DEFAULT_IDENTITY})")
    s.add_argument("--issuer", default=DEFAULT_ISSUER, help=f"default OIDC issuer (default {DEFAULT_ISSUER})")
    s.add_argument("--valid-days-back", type=int, default=3650, metavar="N", help="CAs and logs valid from N days ago (default 3650)")
    s.add_argument("--force", action="store_true", help="replace an existing PKI in DIR")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("sign-blob", help="sign a file like `cosign sign-blob` / `cosign attest-blob`")
    s.add_argument("file", metavar="FILE")
    add_identity_options(s)
    o = s.add_argument_group("outputs")
    o.add_argument("--bundle", metavar="OUT", help="write a Sigstore bundle")
    o.add_argument("--bundle-version", choices=["0.1", "0.2", "0.3"], default="0.3")
    o.add_argument("--output-signature", metavar="SIG", help="write the base64 signature (with --dsse: the envelope)")
    o.add_argument("--output-certificate", metavar="CRT", help="write the PEM leaf certificate")
    o.add_argument("--legacy-bundle", metavar="OUT", help="write cosign's pre-v3 `sign-blob --bundle` JSON")
    o.add_argument("--no-inclusion-proof", action="store_true", help="tlog entry with the SET only (as v0.1 bundles may)")
    o.add_argument("--no-inclusion-promise", action="store_true", help="tlog entry with the inclusion proof only (no SET)")
    d = s.add_argument_group("attestation")
    d.add_argument("--dsse", action="store_true", help="sign an in-toto Statement about FILE in a DSSE envelope")
    d.add_argument("--predicate-type", metavar="URI", help="predicate type URI (or a cosign --type name)")
    d.add_argument("--predicate", metavar="FILE.json")
    d.add_argument("--rekor-kind", choices=["dsse", "intoto"], default="dsse", help="Rekor entry kind (dsse v0.0.1 or intoto v0.0.2)")
    d.add_argument("--statement", choices=["v1", "v0.1"], default="v1", help="in-toto Statement version")
    s.set_defaults(func=cmd_sign_blob)

    s = sub.add_parser("push-image", help="push a tiny OCI image with skopeo")
    s.add_argument("--registry", required=True, metavar="HOST:PORT")
    s.add_argument("--repo", required=True, metavar="NAME")
    s.add_argument("--tag", required=True)
    s.add_argument("--seed", default="0", help="content seed (different seeds, different digests)")
    s.set_defaults(func=cmd_push_image)

    for name, helptext in (
        ("sign-image", "sign an image like `cosign sign` (legacy .sig tag)"),
        ("attest-image", "attest an image like `cosign attest` (legacy .att tag)"),
    ):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("--registry", required=True, metavar="HOST:PORT")
        s.add_argument("--repo", required=True, metavar="NAME")
        s.add_argument("--digest", required=True, metavar="sha256:HEX")
        s.add_argument("--for-digest", metavar="sha256:HEX", help="the payload names this digest instead (digest mismatch)")
        s.add_argument("--no-check-image", action="store_true", help="do not require the image manifest to exist")
        add_identity_options(s)
        if name == "sign-image":
            s.add_argument("-a", "--annotation", action="append", metavar="KEY=VALUE", help="optional payload annotation")
            s.set_defaults(func=cmd_sign_image)
        else:
            s.add_argument("--predicate-type", required=True, metavar="URI", help="predicate type URI (or a cosign --type name)")
            s.add_argument("--predicate", required=True, metavar="FILE.json")
            s.add_argument("--rekor-kind", choices=["intoto", "dsse"], default="intoto", help="Rekor entry kind (cosign 2.x: intoto)")
            s.add_argument("--statement", choices=["v0.1", "v1"], default="v0.1", help="in-toto Statement version (cosign 2.x: v0.1)")
            s.set_defaults(func=cmd_attest_image)

    s = sub.add_parser("log-entry", help="print a log entry as Rekor's API returns it (current inclusion proof)")
    s.add_argument("--pki", required=True, metavar="DIR")
    s.add_argument("--log", choices=["trusted", "other"], default="trusted")
    s.add_argument("--body", metavar="B64", help="the entry's canonicalized body (base64)")
    s.add_argument("--uuid", metavar="HEX", help="the entry UUID (leaf hash), optionally prefixed by the tree ID")
    s.add_argument("--log-index", type=int, metavar="N", help="the global log index")
    s.set_defaults(func=cmd_log_entry)
    return p


def _join_time_values(argv: list[str]) -> list[str]:
    """Let `--signed-at -2d` work: argparse would read '-2d' as an option."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--signed-at", "--log-time") and i + 1 < len(argv) and re.fullmatch(r"-\d+[smhdw]?", argv[i + 1]):
            out.append(f"{a}={argv[i + 1]}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_join_time_values(list(sys.argv[1:] if argv is None else argv)))
    if getattr(args, "key", None) and (args.identity or args.issuer or args.root != "trusted" or args.no_sct):
        print("fakesigstore: error: --key excludes --identity/--issuer/--root/--no-sct", file=sys.stderr)
        return 2
    try:
        emit(args.func(args))
    except Fail as e:
        print(f"fakesigstore: error: {e}", file=sys.stderr)
        return 2
    except (OSError, InvalidSignature) as e:
        print(f"fakesigstore: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
