"""Bytes to clean text: encoding detection, line ends and unsafe characters.

Everything a file holds passes through here before it becomes part of an
`Article`, so nothing downstream ever sees a NUL byte, a terminal escape
sequence or a bidirectional override.
"""

from __future__ import annotations

import codecs
import re

__all__ = [
    "UndecodableError",
    "clean_text",
    "decode_bytes",
    "normalise_newlines",
    "safe_name",
]


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we can recognise."""


_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]                         # CSI
    | (?:\x1b[]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)
                                        # OSC, DCS, SOS, PM, APC: only when terminated
    | \x1b[ -/]*[0-~]                                       # other escapes
    """,
    re.VERBOSE,
)
"""ESC-introduced sequences: CSI (colours, cursor moves), the string
sequences (OSC titles, OSC 8 hyperlinks, OSC 52 clipboard, DCS, …) up to BEL
or ST on the same line, and two-character escapes, with their 8-bit C1 forms.
An unterminated string sequence is not removed whole (it would swallow the
rest of the text): its introducer goes with the other control characters."""

_ESCAPE_INTRODUCERS = ("\x1b", "\x9b", "\x90", "\x98", "\x9d", "\x9e", "\x9f")
"""The characters every `_ESCAPE_SEQUENCE` match starts with."""

# C0 and C1 controls except newline and tab; DEL; bidi embeddings, overrides
# and isolates (they let a line render in an order other than it reads);
# the byte order mark when it appears mid-text.
_UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]"
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Bytes that plain text in any ASCII-compatible encoding almost never holds.
_BINARY_BYTES = bytes(range(0, 9)) + bytes(range(14, 27)) + bytes(range(28, 32))
_SAMPLE_SIZE = 65536


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR line ends into LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean_text(text: str) -> str:
    """Remove escape sequences and control characters; normalise line ends.

    Tabs become spaces and form feeds and other separators become newlines so
    that nothing but printable text, spaces and LF is left.
    """
    text = normalise_newlines(text)
    # The two regexes scan every character (tens of ms for a long article);
    # most texts hold nothing they would remove, which is cheaper to check.
    if any(introducer in text for introducer in _ESCAPE_INTRODUCERS):
        text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.replace("\t", " ").replace("\f", "\n").replace("\v", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    if text.replace("\n", "").isprintable():
        # Every unsafe character is unprintable, so there is none.
        return text
    return _UNSAFE_CHARACTERS.sub("", text)


def safe_name(name: str) -> str:
    """A file name as one line of plain text: controls and escape sequences
    become `?`, and bytes that were not UTF-8 (surrogates) too."""
    if name.isascii() and name.isprintable():
        return name  # Nearly every name: nothing to replace.
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    name = _ESCAPE_SEQUENCE.sub("?", name)
    return _UNSAFE_CHARACTERS.sub("?", name).replace("\n", "?").replace("\t", "?")


def _utf16_without_bom(sample: bytes) -> str | None:
    """Guess UTF-16 without a BOM from where the zero bytes fall."""
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    even_zeros = even.count(0) / len(even)
    odd_zeros = odd.count(0) / len(odd)
    if odd_zeros > 0.3 and even_zeros < 0.05:
        return "utf-16-le"
    if even_zeros > 0.3 and odd_zeros < 0.05:
        return "utf-16-be"
    return None


def _looks_binary(sample: bytes) -> bool:
    # NUL bytes alone do not make a file binary (scrapers leave them in text);
    # real binaries are full of other control bytes too.
    text = sample.replace(b"\x00", b"")
    if not text:
        return bool(sample)
    odd_bytes = len(text) - len(text.translate(None, _BINARY_BYTES))
    return odd_bytes / len(text) > 0.03


def _western(sample: bytes) -> bool:
    """Whether the non-ASCII bytes sit inside mostly-ASCII words.

    In Western text (`café`, `£500`, `“quoted”`) accented letters and symbols
    stand beside ASCII letters, digits and spaces; in Cyrillic, Greek or CJK
    single- and double-byte encodings whole words are non-ASCII. Encoding
    detectors guess wildly on short Western texts (cp932 for one £ in a BBC
    article, cp1250 for `£500`), so this is decided first.
    """
    high = 0
    inside = 0
    for index, byte in enumerate(sample):
        if byte < 0x80:
            continue
        high += 1
        before = sample[index - 1] if index else 0x20
        after = sample[index + 1] if index + 1 < len(sample) else 0x20
        if before >= 0x80 and after >= 0x80:
            inside += 1
    return high == 0 or inside / high < 0.3


def decode_bytes(data: bytes) -> str:
    """Decode a file's bytes to text, detecting the encoding.

    Order: a byte order mark; UTF-16 recognised by its zero bytes; UTF-8;
    Windows-1252 for Western text; then charset-normalizer for the other
    legacy encodings. Raises `UndecodableError` for binary data.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    sample = data[:_SAMPLE_SIZE]
    utf16 = _utf16_without_bom(sample)
    if utf16 is not None:
        return data.decode(utf16, errors="replace")
    if _looks_binary(sample):
        raise UndecodableError("binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _western(sample):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            # Five bytes are undefined in cp1252; Latin-1 maps every byte.
            return data.decode("latin-1")
    # Imported here: it costs tens of milliseconds and most files are UTF-8.
    from charset_normalizer import from_bytes

    best = from_bytes(sample if len(data) > _SAMPLE_SIZE * 4 else data).best()
    if best is None or best.encoding is None:
        raise UndecodableError("undecodable: not text in any known encoding")
    try:
        return data.decode(best.encoding, errors="replace")
    except LookupError as error:
        raise UndecodableError(f"undecodable: {error}") from error
