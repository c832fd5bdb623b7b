import pytest

from paperset.errors import UnreadableDump
from paperset.ingest.decode import decode_dump


def test_utf8_bom_is_dropped_and_crlf_becomes_lf() -> None:
    assert decode_dump(b"\xef\xbb\xbfa\r\nb\rc") == "a\nb\nc"


def test_invalid_utf8_is_read_as_cp1252_exactly() -> None:
    text = decode_dump("café – Nyström “quoted”".encode("cp1252"))
    assert text == "café – Nyström “quoted”"
    assert "\ufffd" not in text


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(1, 32)) * 20])
def test_binary_content_is_rejected_as_binary(data: bytes) -> None:
    with pytest.raises(UnreadableDump, match="binary"):
        decode_dump(data)


def test_bytes_cp1252_leaves_unassigned_still_decode_without_replacement_characters() -> None:
    assert decode_dump(b"Caf\xe9 \x81 text") == "Caf\u00e9 \u0081 text"
