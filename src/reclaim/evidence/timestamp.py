"""RFC 3161 time-stamps of signed tree heads: time from an authority other than the recorder's clock.

A tree head says when it was signed by the installation's own clock, which its owner controls.
A time-stamping authority (TSA) countersigns the SHA-256 of the head's signed bytes with its own
time, so the head, and every entry it covers, provably existed by then. The token is kept as the
TimeStampResp the authority sent, which ``openssl ts -verify`` also checks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

SHA256_OID = x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1")


class TimestampError(ValueError):
    """A time-stamp response is not one for this data, or does not verify."""


@dataclass(frozen=True, slots=True)
class TimestampQuery:
    der: bytes  # the TimeStampReq to POST (application/timestamp-query)
    nonce: int | None


@dataclass(frozen=True, slots=True)
class CheckedTimestamp:
    gen_time: datetime
    authority: str  # the signing certificate's subject, as the token carries it
    chain_verified: bool  # checked against trusted roots, not only against the data


def timestamp_query(data: bytes) -> TimestampQuery:
    """A request for a time-stamp of SHA-256(data), with a nonce and the authority's certificate."""
    request = TimestampRequestBuilder(
        data=data, hash_algorithm=HashAlgorithm.SHA256, nonce=True, cert_req=True
    ).build()
    return TimestampQuery(request.as_bytes(), request.nonce)


def check_timestamp(
    response_der: bytes,
    data: bytes,
    *,
    nonce: int | None = None,
    roots: Sequence[x509.Certificate] = (),
) -> CheckedTimestamp:
    """Check that the response time-stamps ``data``; with ``roots``, also its signature chain.

    Without roots only the binding to ``data`` is checked: the time is as the token says, from
    an authority not yet shown to be trusted.
    """
    try:
        response = decode_timestamp_response(response_der)
        status = PKIStatus(response.status)
        info = response.tst_info
        imprint = info.message_imprint
    except (ValueError, TypeError) as error:
        raise TimestampError(f"not a time-stamp response: {error}") from None
    if status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TimestampError(f"the authority refused: status {status.name}")
    if imprint.hash_algorithm != SHA256_OID or imprint.message != hashlib.sha256(data).digest():
        raise TimestampError("the time-stamp is for other data")
    if nonce is not None and info.nonce != nonce:
        raise TimestampError("the time-stamp answers another request (nonce differs)")
    authority = _authority(response.signed_data.certificates)
    if roots:
        builder = VerifierBuilder(roots=list(roots))
        try:
            builder.build().verify_message(response, data)
        except (VerificationError, ValueError) as error:
            raise TimestampError(f"the time-stamp's signature does not verify: {error}") from None
    return CheckedTimestamp(info.gen_time, authority, chain_verified=bool(roots))


def _authority(certificates: set[bytes]) -> str:
    for der in certificates:
        try:
            certificate = x509.load_der_x509_certificate(der)
        except ValueError:
            continue
        usage = _extended_key_usage(certificate)
        if ExtendedKeyUsageOID.TIME_STAMPING in usage:
            return certificate.subject.rfc4514_string()
    return "unknown authority"


def _extended_key_usage(certificate: x509.Certificate) -> list[x509.ObjectIdentifier]:
    try:
        return list(certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return []
