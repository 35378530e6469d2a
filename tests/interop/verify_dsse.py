#!/usr/bin/env python3
"""Verify a cargo-cra DSSE attestation (`<artifact>.intoto.jsonl`) with securesystemslib.

An independent check that our envelopes are what the Python in-toto tooling accepts:
securesystemslib computes the DSSE pre-authentication encoding and checks the Ed25519
signature itself, and it only considers signatures whose `keyid` equals the key's, so this
also checks that cargo-cra sets `keyid` to the key's OpenSSH SHA-256 fingerprint (computed
here from the public key, independently of cargo-cra).

Setup (once; .ci/run does this):

    python3 -m venv /tmp/venv-interop
    /tmp/venv-interop/bin/pip install 'securesystemslib[crypto]'

Usage:

    /tmp/venv-interop/bin/python tests/interop/verify_dsse.py ENVELOPE PUBKEY.pub [--artifact PATH]
    /tmp/venv-interop/bin/python tests/interop/verify_dsse.py --batch CANDIDATES PUBKEY.pub

    ENVELOPE   the .intoto.jsonl file (one DSSE envelope per line; every line must verify)
    PUBKEY     the OpenSSH Ed25519 public key (`ssh-ed25519 AAAA... comment`)
    --artifact also check that the statement's subject digests match this file
    --batch    print securesystemslib's verdict (`1`, or `0 reason`) on each line of
               CANDIDATES, the base64 of a whole attestation file (the mutation test)

The Rust test `securesystemslib_verifies_our_envelope` (tests/sign.rs) runs this script on an
envelope it signs and on a tampered copy when CARGO_CRA_INTEROP_PYTHON names the venv's
python:

    CARGO_CRA_INTEROP_PYTHON=/tmp/venv-interop/bin/python cargo test --test sign securesystemslib

`cargo test` also leaves a signed sample (throwaway key) for CI to check after the tests:

    python tests/interop/verify_dsse.py target/test-attestations/demo-app.intoto.jsonl \
        target/test-attestations/demo-app.pub --artifact target/test-attestations/demo-app
    # must FAIL (exit 1): one byte of the payload changed
    python tests/interop/verify_dsse.py target/test-attestations/tampered/demo-app.intoto.jsonl \
        target/test-attestations/tampered/demo-app.pub

Exit status: 0 verified, 1 verification failed, 2 could not run (bad arguments or files,
securesystemslib missing).
"""

import argparse
import base64
import hashlib
import json
import struct
import sys


def read_openssh_ed25519(path):
    """Returns (raw 32-byte public key, OpenSSH SHA256 fingerprint) of an OpenSSH public key."""
    with open(path, encoding="utf-8") as f:
        fields = f.read().split()
    if len(fields) < 2 or fields[0] != "ssh-ed25519":
        raise ValueError(f"{path}: not an OpenSSH Ed25519 public key")
    blob = base64.b64decode(fields[1])
    # The blob is string("ssh-ed25519") || string(32-byte key), strings length-prefixed (u32 BE).
    (n,) = struct.unpack(">I", blob[:4])
    if blob[4 : 4 + n] != b"ssh-ed25519":
        raise ValueError(f"{path}: key blob is not ssh-ed25519")
    (m,) = struct.unpack(">I", blob[4 + n : 8 + n])
    raw = blob[8 + n : 8 + n + m]
    if m != 32 or len(raw) != 32:
        raise ValueError(f"{path}: Ed25519 key is not 32 bytes")
    # `ssh-keygen -l` format: unpadded standard base64 of SHA-256 over the blob.
    fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return raw, fingerprint


def envelope_verdict(data, key):
    """securesystemslib's verdict on the bytes of an attestation file: (True, "") when every
    non-empty line is a DSSE envelope with a valid signature by `key`, else (False, reason)."""
    from securesystemslib.dsse import Envelope
    from securesystemslib.exceptions import VerificationError

    try:
        lines = [line for line in data.decode("utf-8").splitlines() if line.strip()]
        if not lines:
            return False, "no envelope"
        for line in lines:
            Envelope.from_dict(json.loads(line)).verify([key], 1)
    except (ValueError, KeyError, TypeError, AttributeError, VerificationError) as e:
        return False, f"{type(e).__name__}: {e}"
    return True, ""


def batch(path, pubkey):
    """--batch: one verdict per line of `path` (each line the base64 of a whole attestation
    file), printed as `1` or `0 reason`. The mutation test in tests/sign.rs uses this."""
    from securesystemslib.signer import SSlibKey

    raw, keyid = read_openssh_ed25519(pubkey)
    key = SSlibKey(keyid, "ed25519", "ed25519", {"public": raw.hex()})
    with open(path, encoding="ascii") as f:
        for line in f:
            ok, why = envelope_verdict(base64.b64decode(line.strip()), key)
            print("1" if ok else "0 " + why.replace("\n", " "))
    return 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--batch":
        return batch(sys.argv[2], sys.argv[3])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("envelope")
    ap.add_argument("pubkey")
    ap.add_argument("--artifact")
    ap.add_argument("--predicate-type", default="https://cyclonedx.org/bom",
                    help="the statement's predicateType (default: CycloneDX; VEX documents: OpenVEX's or CSAF's)")
    ap.add_argument("--pem", help="a PKIX PEM public key (`cargo cra keygen` writes KEY.pub.pem, for cosign) that must be the same key")
    args = ap.parse_args()

    try:
        from securesystemslib.dsse import Envelope
        from securesystemslib.exceptions import VerificationError
        from securesystemslib.signer import SSlibKey
    except ImportError as e:
        print(f"error: securesystemslib is not installed ({e}): pip install 'securesystemslib[crypto]'", file=sys.stderr)
        return 2

    try:
        raw, keyid = read_openssh_ed25519(args.pubkey)
        with open(args.envelope, encoding="utf-8") as f:
            lines = [line for line in f.read().splitlines() if line.strip()]
        if not lines:
            raise ValueError(f"{args.envelope}: no envelope")
        envelopes = [Envelope.from_dict(json.loads(line)) for line in lines]
        digests = None
        if args.artifact:
            with open(args.artifact, "rb") as f:
                data = f.read()
            digests = {"sha256": hashlib.sha256(data).hexdigest(), "sha512": hashlib.sha512(data).hexdigest()}
    except (OSError, ValueError, KeyError, TypeError) as e:
        # A payload that is not base64 makes from_dict raise binascii.Error, a ValueError.
        print(f"error: could not read the inputs: {e}", file=sys.stderr)
        return 2

    if args.pem:
        # Read by the `cryptography` package (an independent ASN.1/PEM implementation, the one
        # cosign's PEM format is also read by in the Python ecosystem).
        from cryptography.hazmat.primitives import serialization
        with open(args.pem, "rb") as f:
            pem_key = serialization.load_pem_public_key(f.read())
        pem_raw = pem_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if pem_raw != raw:
            print(f"FAILED: {args.pem} is not the same key as {args.pubkey}", file=sys.stderr)
            return 1
        print(f"OK: {args.pem} is the same Ed25519 key as {args.pubkey}")

    key = SSlibKey(keyid, "ed25519", "ed25519", {"public": raw.hex()})
    for i, env in enumerate(envelopes, 1):
        try:
            env.verify([key], 1)
        except VerificationError as e:
            print(f"FAILED: {args.envelope}: line {i}: {e}", file=sys.stderr)
            return 1
        if env.payload_type != "application/vnd.in-toto+json":
            print(f"FAILED: line {i}: payloadType is {env.payload_type!r}", file=sys.stderr)
            return 1
        try:
            statement = json.loads(env.payload)
        except ValueError as e:
            print(f"FAILED: line {i}: the payload is not JSON: {e}", file=sys.stderr)
            return 1
        if statement.get("_type") != "https://in-toto.io/Statement/v1" or statement.get("predicateType") != args.predicate_type:
            print(f"FAILED: line {i}: not an in-toto v1 statement with a {args.predicate_type} predicate", file=sys.stderr)
            return 1
        if digests is not None:
            subjects = statement.get("subject", [])
            if not any(all(s.get("digest", {}).get(k) == v for k, v in digests.items()) for s in subjects):
                print(f"FAILED: line {i}: no subject matches the digests of {args.artifact}", file=sys.stderr)
                return 1
        names = ", ".join(s.get("name", "?") for s in statement.get("subject", []))
        print(f"OK: {args.envelope}: line {i}: signed by {keyid}; subject {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
