"""Turn a dump's bytes into text with `\\n` line endings, or say why it cannot be."""

from __future__ import annotations

import codecs

from paperset.errors import UnreadableDump

CONTROL_SHARE_OF_BINARY = 0.05
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c")
SAMPLE_BYTES = 65536


def decode_dump(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else cp1252; normalise CRLF and CR to LF.

    >>> decode_dump(b"\\xef\\xbb\\xbfNystr\\xc3\\xb6m\\r\\nx\\ry")
    'Nyström\\nx\\ny'
    >>> decode_dump(b"caf\\xe9 \\x96 \\x93ok\\x94")
    'café – “ok”'
    """
    if b"\x00" in data:
        raise UnreadableDump("binary: contains NUL bytes")
    if _control_share(data) > CONTROL_SHARE_OF_BINARY:
        raise UnreadableDump("binary: mostly control characters")
    text = _decode_text(data.removeprefix(codecs.BOM_UTF8))
    if "\r" not in text:  # the common case: a scan, where each replace would copy
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _cp1252_unassigned(error: UnicodeError) -> tuple[str, int]:
    """Decode the five bytes cp1252 leaves unassigned as the C1 code points Windows uses."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    byte = error.object[error.start]
    return chr(byte), error.start + 1


codecs.register_error("paperset-cp1252", _cp1252_unassigned)


def _decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Contract: anything that is not UTF-8 is cp1252, byte for byte, never U+FFFD.
        return data.decode("cp1252", errors="paperset-cp1252")


def _control_share(data: bytes) -> float:
    """Share of control bytes (other than tab, newlines, form feed) in the file's start."""
    sample = data[:SAMPLE_BYTES]
    if not sample:
        return 0.0
    return (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / len(sample)
