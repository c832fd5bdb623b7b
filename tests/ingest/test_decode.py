import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from paperset.errors import UnreadableDump
from paperset.ingest.decode import as_utf8, is_blank, text_bytes


def decode_dump(data: bytes) -> str:
    """One dump decoded as a build decodes it."""
    return as_utf8([text_bytes(data)])[0].decode()


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


@settings(max_examples=200)
@given(st.binary(max_size=12) | st.text(max_size=6).map(str.encode))
def test_bytes_are_kept_as_they_are_exactly_when_python_reads_them_as_utf8(data: bytes) -> None:
    assume(b"\x00" not in data and b"\r" not in data)
    try:
        expected = data.decode("utf-8")
    except UnicodeDecodeError:
        expected = data.decode("cp1252", errors="paperset-cp1252")
    assert as_utf8([data]) == [expected.encode()]


@settings(max_examples=300)
@given(st.text(alphabet=" \t\n\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000\u200bxé", max_size=8))
def test_a_file_is_blank_exactly_when_python_strips_it_to_nothing(text: str) -> None:
    # The separators \x1c-\x1f are whitespace to `str.strip` (not to `bytes.strip`).
    assert is_blank(text.encode()) == (text.strip() == "")
