"""Turn dumps' bytes into UTF-8 with `\\n` line endings, or say why one cannot be.

Text stays bytes from the file to the parser's frame: decoding to Python strings, and back
to UTF-8 for polars, cost about as much as the parse itself. Arrow checks that the bytes are
UTF-8, many at a time and without copying them.
"""

from __future__ import annotations

import codecs

import numpy as np
import pyarrow as pa

from paperset.errors import UnreadableDump

CONTROL_SHARE_OF_BINARY = 0.05
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c")
SAMPLE_BYTES = 65536
# The ASCII characters `str.strip` drops: `bytes.strip`'s six, and the four separators.
_ASCII_SPACES = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def text_bytes(data: bytes) -> bytes:
    """A dump's bytes without a UTF-8 byte order mark; UnreadableDump if it is binary."""
    if b"\x00" in data:
        raise UnreadableDump("binary: contains NUL bytes")
    if _control_share(data) > CONTROL_SHARE_OF_BINARY:
        raise UnreadableDump("binary: mostly control characters")
    return data.removeprefix(codecs.BOM_UTF8)


def as_utf8(texts: list[bytes]) -> list[bytes]:
    """Each text (`text_bytes`) as UTF-8 with `\\n` line ends: as it is when it is UTF-8,
    else read as cp1252 (the contract: byte for byte, never U+FFFD).

    >>> as_utf8([text_bytes(b"\\xef\\xbb\\xbfNystr\\xc3\\xb6m\\r\\nx\\ry")])[0].decode()
    'Nyström\\nx\\ny'
    >>> as_utf8([b"caf\\xe9 \\x96 \\x93ok\\x94"])[0].decode()
    'café – “ok”'
    """
    return [
        _lf_only(
            text if _is_utf8(text) else text.decode("cp1252", errors="paperset-cp1252").encode()
        )
        for text in texts
    ]


def _is_utf8(text: bytes) -> bool:
    """Whether `text` is valid UTF-8, as strictly as Python's decoder reads it."""
    if text.isascii():
        return True
    offsets = pa.py_buffer(np.array([0, len(text)], np.int64))
    array = pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(text))
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def is_blank(text: bytes) -> bool:
    """Whether UTF-8 `text` is whitespace only, as `str.strip` reads it."""
    stripped = text.strip(_ASCII_SPACES)  # any other whitespace starts with a byte >= 0x80
    return not stripped or (stripped[0] >= 0x80 and not stripped.decode().strip())


def _lf_only(text: bytes) -> bytes:
    if b"\r" not in text:  # the common case: a scan, where each replace would copy
        return text
    return text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _cp1252_unassigned(error: UnicodeError) -> tuple[str, int]:
    """Decode the five bytes cp1252 leaves unassigned as the C1 code points Windows uses."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    byte = error.object[error.start]
    return chr(byte), error.start + 1


codecs.register_error("paperset-cp1252", _cp1252_unassigned)


def _control_share(data: bytes) -> float:
    """Share of control bytes (other than tab, newlines, form feed) in the file's start."""
    sample = data[:SAMPLE_BYTES]
    if not sample:
        return 0.0
    return (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / len(sample)
