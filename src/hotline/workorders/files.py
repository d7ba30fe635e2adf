"""The bytes of case attachments: type sniffing, storage under settings.ATTACHMENT_DIR, reading back.

The type is judged from the file's first bytes (the `filetype` library's signatures), never from its
name or the browser's Content-Type; only settings.ATTACHMENT_TYPES are kept. Files are written with
owner-only permissions under a random name; the original name is only ever shown, never used as a path.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import IO, Protocol

import filetype
from django.conf import settings

SNIFF_BYTES = 8192  # filetype reads at most this many bytes


class Upload(Protocol):
    """What an uploaded file must offer (Django's UploadedFile does)."""

    name: str | None
    size: int | None

    def chunks(self) -> object: ...
    def seek(self, pos: int) -> object: ...
    def read(self, size: int = ...) -> bytes: ...


def sniff(upload: Upload) -> str | None:
    """The MIME type the bytes say, or None when no known signature matches."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind is not None else None


def clean_name(name: str | None) -> str:
    """The file name as shown: no directories, no control characters, at most 200 characters (end kept)."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "附件"
    return base[-200:]


def root() -> Path:
    path = Path(settings.ATTACHMENT_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def store(upload: Upload, *, extension: str) -> str:
    """Write the upload under a new random name (owner read/write only); return that name."""
    name = f"{secrets.token_hex(16)}.{extension}"
    folder = root() / name[:2]
    folder.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():  # type: ignore[attr-defined]
            out.write(chunk)
    return name


def path_of(stored_name: str) -> Path:
    return root() / stored_name[:2] / stored_name


def remove(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)


def open_stored(stored_name: str) -> IO[bytes]:
    return path_of(stored_name).open("rb")
