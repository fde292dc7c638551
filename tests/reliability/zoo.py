"""The bad-input zoo: files nobody should have to index, written at test time.

Every `ZooCase` writes one entry (a file, a symlink, a FIFO, a folder) into a
folder the test gives it, and says what newsdesk should make of it: indexed
(with the title it must get, words it must be found by and words it must not
be found by), skipped with a reason, or either, as long as it is one or the
other and says so. Nothing here is committed as a blob: the bytes are built
from code so that a reader can see exactly what each case holds.

The two heavy cases (the 50 MB file and the 5 MB line) are not in `CASES`:
they get tests of their own that build them once.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from index.text import safe_name

__all__ = [
    "CASES",
    "MARKUP_TITLE",
    "Outcome",
    "ZooCase",
    "case_named",
    "write_big_file",
    "write_long_line",
    "write_zoo",
]

Outcome = Literal["indexed", "skipped", "either"]

BODY = (
    "The council met on Tuesday evening to discuss the budget for the coming "
    "year, and residents filled the hall to hear the debate about the library."
)
SECOND = (
    "Members agreed to keep the reading room open on Sundays and to ask the "
    "county for a grant to repair the roof before winter."
)
THIRD = (
    "Officials said the work would begin in spring and take about six weeks, "
    "during which the library would move to the old school on the hill."
)
# Enough prose for an HTML extractor to take a page for an article.
ARTICLE_HTML = "".join(f"<p>{text}</p>" for text in (BODY, SECOND, THIRD))

MARKUP_TITLE = (
    "[bold]Loud[/bold] news [/] [link=file:///etc/passwd]click me[/link] "
    "[@click=app.quit]quit now[/]"
)
"""A title made of Rich and Textual markup; it must be shown literally."""

# A file name cannot hold "/", so no closing tags: openers are enough to
# break a markup parser.
MARKUP_FILE = "[bold]loud [@click=app.quit]quit[link=file:etc].txt"
NEWLINE_FILE = "line\nbreak [red]name[link=https:evil].txt"

MARKUP_PARAGRAPH = (
    "Markup in a paragraph: [red]not red[/red], [@click=app.quit]press to quit[/], "
    "[link=https://evil.example/]a link[/link], a lone [/] and \\[escaped] text."
)


@dataclass(frozen=True)
class ZooCase:
    """One bad input and what newsdesk must make of it."""

    name: str
    """The test id."""
    file: str
    """The entry's path relative to the articles folder, as written."""
    write: Callable[[Path], None]
    """Writes the entry (and anything it needs) into the given folder."""
    outcome: Outcome
    reason: str = ""
    """Lower-case words the skip reason must hold (skipped cases)."""
    title: str | None = None
    """The exact title it must be indexed and shown under."""
    words: tuple[str, ...] = ()
    """Words a search must find it by (indexed cases)."""
    absent: tuple[str, ...] = ()
    """Words that must not find it: escape-sequence payloads, script text."""
    articles: int = 1
    """Articles it must give when indexed."""
    problems: tuple[str, ...] = ()
    """Records of a collection file that must be reported as skipped."""
    show: Literal["prints", "fails", "either"] = "either"
    """What `newsdesk show` must do: print it, or fail in one line."""
    show_json: bool = False
    """Also check `newsdesk show --json`: for text that could carry control
    characters or markup into the JSON."""
    needs_no_dac: bool = False
    """Only meaningful when file permissions bind the process (see runner)."""

    @property
    def file_id(self) -> str:
        """The entry's id in the index and in reports: its path, with control
        characters and bytes that are not UTF-8 shown as `?`."""
        return safe_name(self.file)


# --- writers --------------------------------------------------------------------


def _bytes(name: str, data: bytes) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    return write


def _text(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return _bytes(name, text.encode(encoding))


def _symlink(name: str, target: str) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        (folder / name).symlink_to(target)

    return write


def _fifo(name: str) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        os.mkfifo(folder / name)

    return write


def _unreadable(name: str) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        path = folder / name
        path.write_text(f"A secret headline nobody may read\n\n{BODY}\n")
        path.chmod(0)

    return write


def _symlink_loop_folder(folder: Path) -> None:
    sub = folder / "looped"
    sub.mkdir()
    (sub / "article.txt").write_text(f"An article beside a looping folder\n\n{BODY}\n")
    # A folder link back to its parent: walking into it would never end.
    (sub / "again").symlink_to("..", target_is_directory=True)


def _folder_named_txt(folder: Path) -> None:
    sub = folder / "folder.txt"
    sub.mkdir()
    (sub / "inner.txt").write_text(f"A folder whose name ends in txt\n\n{BODY}\n")


def _png() -> bytes:
    """A real 64x64 PNG: signature, IHDR, a compressed IDAT and IEND."""
    rng = random.Random(5)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + rng.randbytes(64 * 3) for _ in range(64))
    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _elf() -> bytes:
    """The shape of an executable: an ELF header, then code and zero padding."""
    rng = random.Random(3)
    header = b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHI", 2, 62, 1)
    code = b"".join(rng.randbytes(12) + bytes(20) for _ in range(2048))
    return header + bytes(64 - len(header)) + code


def _yaml_bomb() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghi":
        aliases = ", ".join([f"*{previous}"] * 9)
        lines.append(f"{name}: &{name} [{aliases}]")
        previous = name
    # Every field newsdesk reads points at 9**9 strings, if it flattened them.
    for field in ("title", "author", "source", "date", "url", "tags"):
        lines.append(f"{field}: *i")
    front = "\n".join(lines)
    return f"---\n{front}\n---\n\n# Headline under a YAML bomb\n\n{BODY}\n"


def _nested_html(depth: int) -> str:
    return (
        "<html><head><title>Ten thousand nested divs</title></head><body>"
        + "<div>" * depth
        + f"<p>Deep inside the nesting sits the article.</p>{ARTICLE_HTML}"
        + "</body></html>"
    )


def _random_bytes(size: int) -> bytes:
    return random.Random(11).randbytes(size)


def _ten_thousand_same() -> str:
    paragraph = (
        "This paragraph was pasted ten thousand times by a scraper that never "
        "checked whether it had already seen it."
    )
    return "Ten thousand copies of one paragraph\n\n" + (paragraph + "\n\n") * 10_000


def _no_spaces(size: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    blob = "".join(random.Random(13).choices(alphabet, k=size))
    return f"A paragraph of a megabyte without a single space\n\n{blob}\n\n{BODY}\n"


# Terminal control sequences of every kind clean_text promises to remove.
ESC = "\x1b"
BEL = "\x07"
OSC52 = f"{ESC}]52;c;cm0gLXJmIH4vKg=={BEL}"  # "rm -rf ~/*" to the clipboard
OSC52_ST = f"{ESC}]52;c;ZWNobyBwd25lZA=={ESC}\\"
OSC8_OPEN = f"{ESC}]8;;https://evil.example/payload{ESC}\\"
OSC8_CLOSE = f"{ESC}]8;;{ESC}\\"
TITLE_SET = f"{ESC}]0;pwned{BEL}"
C1_CSI = "\x9b2J"  # the 8-bit CSI form of "clear the screen"

ANSI_TITLE_RAW = (
    f"{ESC}[1;31mBreaking:{ESC}[0m {OSC52}Escapes in the headline{TITLE_SET}"
)
ANSI_PARAGRAPH = (
    f"A paragraph with {OSC8_OPEN}a hidden hyperlink{OSC8_CLOSE}, a clipboard "
    f"write {OSC52_ST}and an 8-bit {C1_CSI}clear screen, then a bell{BEL} and "
    f"a cursor move {ESC}[10;10H to finish. {BODY}"
)
PAYLOAD_WORDS = ("cm0gLXJmIH4vKg", "ZWNobyBwd25lZA", "payload", "pwned")

RTL_TITLE = "عاجل: שלום עולם \u202eevil reversed\u202c 📰🔥 zero\u200bwidth"
ZALGO = "Z̴̧̛a̷l̶g̸o̵ " + "e" + "\u0301" * 2000 + " combining marks"
FAMILY = "👩‍👩‍👧‍👦 🏳️‍🌈 🇺🇦 a family, a flag and a country"

LATIN_TITLE = "Café de la Gare: l'été à Noël, señor"
CP1252_TITLE = "“Smart quotes” – and a € sign… in Windows-1252"
GERMAN_TITLE = "Grüße aus Köln: Straßenfest zieht Tausende an"


def _unicode_text() -> str:
    return (
        f"{RTL_TITLE}\n\n"
        "פסקה בעברית עם מילים מעורבבות English words ועוד.\n\n"
        "فقرة باللغة العربية تحتوي على كلمات كثيرة للتجربة.\n\n"
        f"{ZALGO}\n\n{FAMILY}\n\nzero\u200bwidth\u200bspaces\u200bbetween\u200cand"
        f"\u200djoiners\u2060here. {BODY}\n"
    )


def _ansi_html() -> str:
    # Numeric character references turn into control characters only inside
    # the HTML parser, after the file's text has been cleaned.
    return (
        "<html><head><title>&#27;[31mHTML&#x1b;]52;c;cGF5bG9hZA==&#7; headline "
        "&#x9b;2J [bold]with markup[/bold]</title></head><body><article>"
        "<h1>&#27;[31mHTML&#x1b;]52;c;cGF5bG9hZA==&#7; headline &#x9b;2J "
        "[bold]with markup[/bold]</h1>"
        "<p>A paragraph with &#x1b;]8;;https://evil.example/payload&#x1b;\\"
        "a link&#x1b;]8;;&#x1b;\\ and a bell &#7; inside.</p>"
        "<p>[@click=app.quit]Click to quit[/] and [link=file:///etc]files[/link].</p>"
        f"{ARTICLE_HTML}</article></body></html>"
    )


def _ansi_json() -> str:
    return json.dumps(
        {
            "title": f"{ESC}[31mRed{ESC}[0m JSON headline{BEL} {C1_CSI}",
            "text": ANSI_PARAGRAPH,
            "author": f"{OSC8_OPEN}Eve{OSC8_CLOSE}",
            "source": f"{TITLE_SET}Wire",
            "url": f"https://example.com/{OSC52}",
        }
    )


def _ansi_markdown() -> str:
    # YAML double-quoted strings turn \e, \a and \x9b into control characters.
    return (
        '---\ntitle: "\\e[31mYAML\\e[0m headline\\a \\x9b2J"\n'
        'author: "\\e]52;c;cGF5bG9hZA==\\a Mallory"\n---\n\n'
        f"{ANSI_PARAGRAPH}\n"
    )


def _mixed_line_ends() -> bytes:
    return (
        b"Mixed line ends in one file\r\n\r\n"
        b"The first paragraph ends with CRLF and is long enough to read.\r\n\r"
        b"The second paragraph ends with a lone CR, the old Mac way.\r\r"
        b"The third paragraph ends with LF.\n\n"
        b"The fourth mixes\r\nall three\rline\nends.\r\n"
    )


def _jsonl_broken() -> str:
    good = [
        {"title": f"Good line number {n}", "text": f"{BODY} Line {n}."}
        for n in (1, 3, 4)
    ]
    lines = [json.dumps(good[0]), '{"title": "Broken line", "text": "no end']
    lines += [json.dumps(record) for record in good[1:]]
    return "\n".join(lines) + "\n"


def _odd_json() -> str:
    return json.dumps(
        [
            {"title": None, "text": 5},
            {"title": ["a", ["nested"]], "text": {"x": 1}},
            {"title": "The one fine record", "text": BODY},
            42,
            "a bare string",
            {"title": {"name": {"deep": True}}, "text": ["para", 7, None]},
            {"title": True, "text": [[["deep"]]]},
        ]
    )


def _edge_dates() -> str:
    records = [
        ("Year one, east of Greenwich", "0001-01-01T00:00:00+05:00"),
        ("The last second of 9999, west", "9999-12-31T23:59:59-05:00"),
        ("A timestamp beyond any calendar", 1e308),
        ("A negative timestamp far in the past", -1e20),
        ("A date that is not a number", float("nan")),
        ("A date made of digits only", "99999999999999999999"),
        ("A date of the year zero", "0000-00-00"),
    ]
    return json.dumps(
        [
            {"title": title, "date": date, "text": f"{BODY} Case {n}."}
            for n, (title, date) in enumerate(records, start=1)
        ]
    )


CASES: tuple[ZooCase, ...] = (
    ZooCase(
        "good",
        "good.txt",
        _text(
            "good.txt", f"Council approves the library budget\n\n{BODY}\n\n{SECOND}\n"
        ),
        "indexed",
        title="Council approves the library budget",
        words=("library", "roof"),
        show="prints",
    ),
    ZooCase(
        "empty", "empty.txt", _bytes("empty.txt", b""), "skipped", "empty", show="fails"
    ),
    ZooCase(
        "whitespace-only",
        "whitespace.txt",
        _text("whitespace.txt", " \n\t \r\n   \n\f\v\u00a0\u2003\n"),
        "skipped",
        "empty",
        show="fails",
    ),
    ZooCase(
        "zero-byte-html",
        "empty.html",
        _bytes("empty.html", b""),
        "skipped",
        "empty",
        show="fails",
    ),
    ZooCase(
        "binary-elf-as-txt",
        "program.txt",
        _bytes("program.txt", _elf()),
        "skipped",
        "binary",
        show="fails",
    ),
    ZooCase(
        "random-bytes-as-txt",
        "noise.txt",
        _bytes("noise.txt", _random_bytes(65536)),
        "skipped",
        show="fails",
    ),
    ZooCase(
        "gzip-as-txt",
        "archive.txt",
        _bytes("archive.txt", gzip.compress((BODY * 400).encode(), mtime=0)),
        "skipped",
        show="fails",
    ),
    ZooCase(
        "png-as-html",
        "picture.html",
        _bytes("picture.html", _png()),
        "skipped",
        show="fails",
    ),
    ZooCase(
        "nul-bytes",
        "nul.txt",
        _text(
            "nul.txt",
            f"Headline with NUL bytes inside\n\nFirst\x00 paragraph with a NUL\x00 "
            f"byte or two. {BODY}\n\n\x00\x00\x00\n\n{SECOND}\n",
        ),
        "indexed",
        title="Headline with NUL bytes inside",
        words=("library",),
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "utf16-with-bom",
        "utf16-bom.txt",
        _text("utf16-bom.txt", f"{GERMAN_TITLE}\n\n{BODY}\n", "utf-16"),
        "indexed",
        title=GERMAN_TITLE,
        words=("straßenfest", "library"),
        show="prints",
    ),
    ZooCase(
        "utf16-le-without-bom",
        "utf16-le.txt",
        _text("utf16-le.txt", f"{GERMAN_TITLE}\n\n{BODY}\n", "utf-16-le"),
        "indexed",
        title=GERMAN_TITLE,
        words=("library",),
        show="prints",
    ),
    ZooCase(
        "utf16-be-without-bom",
        "utf16-be.txt",
        _text("utf16-be.txt", f"{GERMAN_TITLE}\n\n{BODY}\n", "utf-16-be"),
        "indexed",
        title=GERMAN_TITLE,
        words=("library",),
        show="prints",
    ),
    ZooCase(
        "utf8-bom",
        "utf8-bom.txt",
        _bytes(
            "utf8-bom.txt", codecs.BOM_UTF8 + f"{GERMAN_TITLE}\n\n{BODY}\n".encode()
        ),
        "indexed",
        title=GERMAN_TITLE,
        show="prints",
    ),
    ZooCase(
        "latin-1",
        "latin1.txt",
        _text(
            "latin1.txt",
            f"{LATIN_TITLE}\n\nLe café était plein à craquer pendant la fête de "
            f"Noël; les élèves ont chanté «Douce nuit» devant l'hôtel de ville. "
            f"{BODY}\n",
            "latin-1",
        ),
        "indexed",
        title=LATIN_TITLE,
        words=("café",),
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "windows-1252",
        "cp1252.txt",
        _text(
            "cp1252.txt",
            f"{CP1252_TITLE}\n\nThe shop’s “best” offer – a €5 discount… was "
            f"gone by noon. {BODY}\n",
            "cp1252",
        ),
        "indexed",
        title=CP1252_TITLE,
        words=("discount",),
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "mixed-line-ends",
        "mixed-eol.txt",
        _bytes("mixed-eol.txt", _mixed_line_ends()),
        "indexed",
        title="Mixed line ends in one file",
        words=("Mac", "fourth"),
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "ten-thousand-identical-paragraphs",
        "same.txt",
        _text("same.txt", _ten_thousand_same()),
        "indexed",
        title="Ten thousand copies of one paragraph",
        words=("scraper",),
        show="prints",
    ),
    ZooCase(
        "megabyte-without-spaces",
        "nospace.txt",
        _text("nospace.txt", _no_spaces(1_000_000)),
        "indexed",
        title="A paragraph of a megabyte without a single space",
        words=("library",),
        show="prints",
    ),
    ZooCase(
        "ansi-osc-in-txt",
        "ansi.txt",
        _text("ansi.txt", f"{ANSI_TITLE_RAW}\n\n{ANSI_PARAGRAPH}\n"),
        "indexed",
        title="Breaking: Escapes in the headline",
        words=("hyperlink", "library"),
        absent=PAYLOAD_WORDS,
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "ansi-osc-in-json",
        "ansi.json",
        _text("ansi.json", _ansi_json()),
        "indexed",
        title="Red JSON headline",
        words=("hyperlink",),
        absent=PAYLOAD_WORDS,
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "ansi-osc-as-html-entities",
        "ansi.html",
        _text("ansi.html", _ansi_html()),
        "indexed",
        words=("library", "bell"),
        absent=("cGF5bG9hZA", "payload"),
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "ansi-osc-in-yaml-front-matter",
        "ansi.md",
        _text("ansi.md", _ansi_markdown()),
        "indexed",
        title="YAML headline",
        words=("hyperlink",),
        absent=PAYLOAD_WORDS,
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "markup-in-title-and-paragraph",
        "markup.txt",
        _text("markup.txt", f"{MARKUP_TITLE}\n\n{MARKUP_PARAGRAPH}\n\n{BODY}\n"),
        "indexed",
        title=MARKUP_TITLE,
        words=("escaped", "library"),
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "markup-in-json-title",
        "markup.json",
        _text(
            "markup.json",
            json.dumps(
                {
                    "title": "[@click=app.quit]Quit[/] and [bold]bold[/bold] JSON",
                    "text": MARKUP_PARAGRAPH,
                    "author": "[link=file:///etc/shadow]Eve[/link]",
                }
            ),
        ),
        "indexed",
        title="[@click=app.quit]Quit[/] and [bold]bold[/bold] JSON",
        words=("escaped",),
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "markup-in-file-name",
        MARKUP_FILE,
        _text(
            MARKUP_FILE,
            f"A file whose name is markup\n\n{BODY}\n",
        ),
        "indexed",
        title="A file whose name is markup",
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "newline-and-markup-in-file-name",
        NEWLINE_FILE,
        _text(
            NEWLINE_FILE,
            "this article has no headline of its own, so its title comes from "
            "the name of its file, which holds a newline.\n",
        ),
        "indexed",
        title="Line break [red]name[link=https:evil]",
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "escape-sequence-in-file-name",
        f"osc{TITLE_SET}name.txt",
        _text(
            f"osc{TITLE_SET}name.txt", f"A file whose name sets the title\n\n{BODY}\n"
        ),
        "indexed",
        title="A file whose name sets the title",
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "file-name-not-utf8",
        os.fsdecode(b"caf\xe9-latin1-name.txt"),
        _text(
            os.fsdecode(b"caf\xe9-latin1-name.txt"),
            f"A file whose name is not UTF-8\n\n{BODY}\n",
        ),
        "either",
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "rtl-combining-emoji-zero-width",
        "unicode.txt",
        _text("unicode.txt", _unicode_text()),
        "indexed",
        words=("עולם", "combining"),
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "html-never-closes-a-tag",
        "unclosed.html",
        _text(
            "unclosed.html",
            "<html><head><title>Tags that never close</title><body><div><p>The "
            f"first paragraph of a page whose tags never close <b>bold <i>italic "
            f"<a href='x'>a link {BODY}<p>{SECOND}<p>{THIRD}<div><span><table><tr>",
        ),
        "indexed",
        title="Tags that never close",
        words=("roof",),
        show="prints",
    ),
    ZooCase(
        "html-nested-10000-deep",
        "deep.html",
        _text("deep.html", _nested_html(10_000)),
        "either",
    ),
    ZooCase(
        "html-script-holds-the-only-text",
        "script.html",
        _text(
            "script.html",
            "<html><head></head><body><script>document.write('The only words of "
            "this page are inside a script element, xyzzyscript.');</script>"
            "</body></html>",
        ),
        "skipped",
        absent=("xyzzyscript",),
        show="fails",
    ),
    ZooCase(
        "json-truncated",
        "truncated.json",
        _text(
            "truncated.json",
            '[{"title": "First", "text": "A body."}, {"title": "Sec',
        ),
        "skipped",
        "invalid json",
        show="fails",
    ),
    ZooCase(
        "json-number-as-title",
        "number-title.json",
        _text("number-title.json", json.dumps({"title": 20240105, "text": BODY})),
        "indexed",
        title="20240105",
        words=("library",),
        show="prints",
    ),
    ZooCase(
        "json-wrong-types",
        "odd.json",
        _text("odd.json", _odd_json()),
        "indexed",
        articles=3,
        problems=("odd.json#1", "odd.json#4", "odd.json#5", "odd.json#7"),
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "json-nested-100000-deep",
        "deep.json",
        _text("deep.json", "[" * 100_000 + "]" * 100_000),
        "skipped",
        show="fails",
    ),
    ZooCase(
        "json-5000-digit-number",
        "long-number.json",
        _text(
            "long-number.json",
            f'{{"title": "Long number", "text": "{BODY}", "date": {"9" * 5000}}}',
        ),
        "skipped",
        "invalid json",
        show="fails",
    ),
    ZooCase(
        "jsonl-line-with-a-5000-digit-number",
        "long-number.jsonl",
        _text(
            "long-number.jsonl",
            f'{{"title": "Long number", "text": "{BODY}", "count": {"9" * 5000}}}\n'
            + json.dumps({"title": "The line after it", "text": SECOND})
            + "\n",
        ),
        "indexed",
        articles=1,
        problems=("long-number.jsonl#1",),
        words=("reading",),
        show="prints",
    ),
    ZooCase(
        "json-dates-at-the-edges",
        "dates.json",
        _text("dates.json", _edge_dates()),
        "indexed",
        articles=7,
        words=("calendar",),
        show="prints",
    ),
    ZooCase(
        "jsonl-one-broken-line",
        "broken.jsonl",
        _text("broken.jsonl", _jsonl_broken()),
        "indexed",
        articles=3,
        problems=("broken.jsonl#2",),
        words=("library",),
        show="prints",
        show_json=True,
    ),
    ZooCase(
        "front-matter-invalid-yaml",
        "bad-yaml.md",
        _text(
            "bad-yaml.md",
            "---\ntitle: [unclosed\nauthor: {a: b\n: - : :\n\ttabs: bad\n---\n\n"
            f"# Markdown heading survives bad YAML\n\n{BODY}\n",
        ),
        "indexed",
        title="Markdown heading survives bad YAML",
        show="prints",
    ),
    ZooCase(
        "front-matter-python-tag",
        "python-tag.md",
        _text(
            "python-tag.md",
            "---\ntitle: !!python/object/apply:os.system ['touch /tmp/newsdesk-pwned']"
            f"\n---\n\n# A heading after a Python tag\n\n{BODY}\n",
        ),
        "indexed",
        title="A heading after a Python tag",
        show="prints",
    ),
    ZooCase(
        "front-matter-impossible-date",
        "impossible-date.md",
        _text(
            "impossible-date.md",
            "---\ntitle: A title YAML cannot finish\ndate: 2023-02-30\n---\n\n"
            f"# Heading after an impossible date\n\n{BODY}\n",
        ),
        "indexed",
        title="Heading after an impossible date",
        show="prints",
    ),
    ZooCase(
        "front-matter-tags-no-value-fits",
        "odd-tags.md",
        _text(
            "odd-tags.md",
            "---\ntitle: Odd tags\ndraft: !!bool maybe\nwhen: !!timestamp soon\n"
            f"---\n\n# Heading after tags no value fits\n\n{BODY}\n",
        ),
        "indexed",
        title="Heading after tags no value fits",
        show="prints",
    ),
    ZooCase(
        "front-matter-5000-digit-number",
        "long-number.md",
        _text(
            "long-number.md",
            f"---\ntitle: Long number\ncount: {'9' * 5000}\n---\n\n"
            f"# Heading after a 5000-digit number\n\n{BODY}\n",
        ),
        "indexed",
        title="Heading after a 5000-digit number",
        show="prints",
    ),
    ZooCase(
        "front-matter-yaml-bomb",
        "bomb.md",
        _text("bomb.md", _yaml_bomb()),
        "indexed",
        title="Headline under a YAML bomb",
        show="prints",
    ),
    ZooCase(
        "symlink-loop",
        "loop.txt",
        _symlink("loop.txt", "loop.txt"),
        "skipped",
        "loop",
        show="fails",
    ),
    ZooCase(
        "folder-symlink-loop",
        "looped/article.txt",
        _symlink_loop_folder,
        "indexed",
        title="An article beside a looping folder",
        show="prints",
    ),
    ZooCase(
        "dangling-symlink",
        "dangling.txt",
        _symlink("dangling.txt", "nowhere/missing.txt"),
        "skipped",
        show="fails",
    ),
    ZooCase(
        "symlink-to-dev-zero",
        "zero.txt",
        _symlink("zero.txt", "/dev/zero"),
        "skipped",
        "not a regular file",
        show="fails",
    ),
    ZooCase(
        "fifo",
        "fifo.txt",
        _fifo("fifo.txt"),
        "skipped",
        "not a regular file",
        show="fails",
    ),
    ZooCase(
        "folder-named-like-a-file",
        "folder.txt/inner.txt",
        _folder_named_txt,
        "indexed",
        title="A folder whose name ends in txt",
        show="prints",
    ),
    ZooCase(
        "no-read-permission",
        "secret.txt",
        _unreadable("secret.txt"),
        "skipped",
        "permission denied",
        show="fails",
        needs_no_dac=True,
    ),
)


def case_named(name: str) -> ZooCase:
    return next(case for case in CASES if case.name == name)


def write_zoo(folder: Path, leave_out: frozenset[str] = frozenset()) -> None:
    """Write every case into `folder`, but those named in `leave_out`."""
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        if case.name not in leave_out:
            case.write(folder)


# --- the heavy cases --------------------------------------------------------------

_VOCABULARY_SEED = 17


def _vocabulary(size: int) -> list[str]:
    rng = random.Random(_VOCABULARY_SEED)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pe", "da", "gu"]
    return [
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        for _ in range(size)
    ]


_COMMON_WORDS = (
    "the of and to a in that is was he for it with as his on be at by i this had "
    "not are but from or have an they which one you were her all she there would "
    "their we him been has when who will more no if out so said what up its about "
    "into than them can only other new some could time these two may then do first "
    "any my now such like our over man me even most made after also did many "
    "before must through back years where much your way well down should because "
    "each just those people how too little state good very make world still own "
    "see men work long get here between both life being under never day same "
    "another know while last might us great old year off come since against go "
    "came right used take three"
)


def write_big_file(path: Path, size: int = 50 * 1024 * 1024) -> None:
    """A scraped dump: `size` bytes of distinct paragraphs under one headline.

    The words follow English's shape (a few short words make up half of any
    text, then a long tail). Each paragraph strings together seven ten-word
    phrases picked from twenty thousand, so no two paragraphs are copies or
    near copies: as much distinct text as a dump of many articles holds."""
    rng = random.Random(19)
    words = _COMMON_WORDS.split() + _vocabulary(5000)
    weights = [1 / rank for rank in range(1, len(words) + 1)]
    run = rng.choices(words, weights, k=200_000)
    phrases = [" ".join(run[start : start + 10]) for start in range(0, len(run), 10)]
    head = "A fifty megabyte dump of scraped paragraphs\n\n"
    with path.open("w", encoding="utf-8") as stream:
        stream.write(head)
        written = len(head)
        while written < size:
            paragraph = " ".join(rng.choices(phrases, k=7)).capitalize() + ".\n\n"
            stream.write(paragraph)
            written += len(paragraph)


def write_long_line(path: Path, size: int = 5 * 1024 * 1024) -> None:
    """A headline, then one line of `size` bytes with no line end.

    The line is what a page saved without its line breaks looks like: runs
    of words between long tokens (inline data, tracking URLs, minified code).
    Ordinary prose at this size costs whoosh ~20 s to index; that cost is the
    50 MB file's subject, this case is about one line that long."""
    rng = random.Random(23)
    words = _vocabulary(3000)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    blobs = ["".join(rng.choices(alphabet, k=rng.randint(80, 400))) for _ in range(500)]
    pieces: list[str] = []
    length = 0
    while length < size:
        piece = " ".join(rng.choices(words, k=6)) + " " + rng.choice(blobs) + " "
        pieces.append(piece)
        length += len(piece)
    line = "".join(pieces)[:size].rstrip()
    path.write_text(f"A single line of five megabytes\n\n{line}", encoding="utf-8")
