"""Metadata fields as files spell them: names, aliases and date values.

JSON records, YAML front matter and HTML metadata call the same thing by
different names (`title`/`headline`, `source`/`publisher`/`site`, …). This
module maps them to the `Article`'s fields and turns their values into clean
strings and timezone-aware datetimes.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from .text import clean_text

__all__ = [
    "AUTHOR_FIELDS",
    "BODY_FIELDS",
    "DATE_FIELDS",
    "SOURCE_FIELDS",
    "TITLE_FIELDS",
    "URL_FIELDS",
    "first_field",
    "parse_date",
    "text_value",
]

TITLE_FIELDS = ("title", "headline", "name", "heading", "subject")
BODY_FIELDS = (
    "text",
    "body",
    "content",
    "article",
    "maintext",
    "story",
    "paragraphs",
    "description",
)
DATE_FIELDS = (
    "date",
    "published",
    "published_at",
    "publish_date",
    "date_published",
    "datepublished",
    "pubdate",
    "created",
    "created_at",
    "timestamp",
    "time",
    "scrape_time",
    "date_publish",
    "updated",
)
SOURCE_FIELDS = (
    "source",
    "publisher",
    "site",
    "site_name",
    "sitename",
    "domain",
    "publication",
    "outlet",
    "feed",
)
URL_FIELDS = ("url", "link", "href", "canonical", "canonical_url", "permalink", "uri")
AUTHOR_FIELDS = ("author", "authors", "byline", "by", "creator", "writer")

_ZONE_NAMES = {
    name: timezone(timedelta(hours=hours), name)
    for name, hours in {
        "UTC": 0,
        "GMT": 0,
        "BST": 1,
        "CET": 1,
        "CEST": 2,
        "EET": 2,
        "EEST": 3,
        "EST": -5,
        "EDT": -4,
        "CST": -6,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
    }.items()
}
"""Zone abbreviations news sites print; dateutil knows only UTC and GMT."""

# A value read from a field is shown on one line; longer is not metadata.
_MAX_FIELD_CHARS = 500


def _field_key(name: object) -> str:
    # `published_at`, `publishedAt` and `published-at` are one field.
    return str(name).casefold().replace("_", "").replace("-", "")


def first_field(record: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    """The first present, non-empty value among `names`, ignoring case and `_`/`-`."""
    keyed = {_field_key(key): value for key, value in record.items()}
    for name in names:
        value = keyed.get(_field_key(name))
        if value not in (None, "", [], {}):
            return value
    return None


def text_value(value: Any) -> str | None:
    """A field value as one clean line of text, or None.

    Lists (several authors) are joined with commas; dicts with a `name`
    (schema.org persons and organisations) give that name.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Mapping):
        name = value.get("name")
        return None if isinstance(name, (Mapping, list, tuple)) else text_value(name)
    if isinstance(value, (list, tuple)):
        # Only one level deep: a YAML alias bomb nests lists exponentially.
        parts = [
            text_value(item)
            for item in value[:20]
            if not isinstance(item, (list, tuple))
        ]
        joined = ", ".join(part for part in parts if part)
        return joined or None
    if isinstance(value, (str, int, float, date)):
        line = " ".join(clean_text(str(value)).split())
        return line[:_MAX_FIELD_CHARS] or None
    return None


def _aware(moment: datetime) -> datetime:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    # Raises OverflowError for years 1 and 9999 with a zone: not a real date.
    moment.astimezone(timezone.utc)
    return moment


def parse_date(value: Any) -> datetime | None:
    """A timezone-aware datetime from what files use for dates, or None.

    Accepts datetimes and dates (YAML gives these), Unix timestamps in seconds
    or milliseconds, ISO 8601, RFC 2822 and the free forms news sites print
    (`July 15, 2018`). A date without a zone is taken as UTC.
    """
    if isinstance(value, bool) or value is None:
        return None
    try:
        return _parse_date(value)
    except (OverflowError, ValueError):
        return None


def _parse_date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()[:100]
    if not text or not any(char.isdigit() for char in text):
        return None
    try:
        return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        # RFC 2822, as feeds and e-mail write it, US zone names included.
        return _aware(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    # Imported here: dateutil costs tens of milliseconds and ISO dates are common.
    from dateutil import parser as date_parser

    try:
        with warnings.catch_warnings():
            # An unknown zone name is dropped, not printed on the terminal.
            warnings.simplefilter("ignore")
            parsed = date_parser.parse(
                text, default=datetime(2000, 1, 1), tzinfos=_ZONE_NAMES
            )
        return _aware(parsed)
    except (ValueError, OverflowError, TypeError):
        return None
