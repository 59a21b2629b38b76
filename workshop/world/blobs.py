"""A local blob store for the claim-check pattern: big data in files, a reference in history.

In production this is S3, GCS or Azure Blob Storage; here it is a folder in the kit's state
folder (`<state>/blobs`). Blobs are named by their SHA-256, so storing the same bytes twice
(an activity retried after a crash) writes one file and returns the same reference: a
retried `put_blob` is harmless, which is what an at-least-once activity needs.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..errors import BlobNotFound
from ..runtime.settings import settings

SCHEME = "blob://"
"""Prefix of every reference, so a reference is never mistaken for the data itself."""


def blob_dir() -> Path:
    """The folder the blobs live in (created on first use)."""
    path = settings().state_dir / "blobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def put_blob(data: bytes | str) -> str:
    """Store `data` and return its reference (`blob://sha256-...`); the same data, the same ref."""
    raw = data.encode() if isinstance(data, str) else data
    name = "sha256-" + hashlib.sha256(raw).hexdigest()
    path = blob_dir() / name
    if not path.exists():
        # Write then rename: a crash mid-write never leaves a half blob under the real name.
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(raw)
        tmp.replace(path)
    return SCHEME + name


def get_blob(ref: str) -> bytes:
    """The bytes a reference names.

    Raises:
        BlobNotFound: no such blob in this state folder (another machine's reference, or
            the state folder was cleared).
    """
    name = ref.removeprefix(SCHEME)
    path = blob_dir() / name
    if not ref.startswith(SCHEME) or "/" in name or not path.exists():
        raise BlobNotFound(
            f"{ref!r} names no blob in {blob_dir()}. Fix: store it with put_blob() first, on a "
            "worker that shares this state folder (production: the same bucket)."
        )
    return path.read_bytes()
