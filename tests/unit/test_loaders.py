"""Each article format, loaded from files the tests write."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from index.article import Article, ArticleError
from index.loaders import LoadedFile, load_file

FLOOD_HEADLINE = "River bursts its banks after a week of rain"
FLOOD_LEAD = (
    "Residents of the valley woke on Sunday to find the river had burst its "
    "banks overnight, flooding the main road and a dozen homes near the old mill."
)
FLOOD_BODY = (
    "Emergency crews spent the morning pumping water from homes and checking "
    "on elderly residents.",
    "The county council opened the village hall as a rest centre and said it "
    "would stay open until the water had gone down.",
    "Forecasters expect more rain on Tuesday, though less than fell last week.",
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def only_article(path: Path) -> Article:
    loaded = load_file(path)
    assert len(loaded.articles) == 1
    assert loaded.problems == ()
    return loaded.articles[0]


def load_in_thread(path: Path, seconds: float) -> LoadedFile:
    """Load a file, failing the test instead of hanging when it takes too long."""
    outcome: list[LoadedFile | BaseException] = []

    def run() -> None:
        try:
            outcome.append(load_file(path))
        except BaseException as error:  # handed back to the test below
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"loading {path.name} took over {seconds} s"
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


# --- plain text ---------------------------------------------------------------


def test_bbc_layout_first_line_is_title_and_blank_lines_split(tmp_path: Path) -> None:
    text = FLOOD_HEADLINE + "\n\n" + "\n\n".join((FLOOD_LEAD, *FLOOD_BODY)) + "\n"
    article = only_article(write(tmp_path, "flood.txt", text))
    assert article.title == FLOOD_HEADLINE
    assert article.paragraphs == (FLOOD_LEAD, *FLOOD_BODY)
    assert article.format == "txt"
    assert article.id == "flood.txt"


def test_seed_layout_title_on_lines_2_and_4_and_line_1_stays_first(
    tmp_path: Path,
) -> None:
    lines = [FLOOD_LEAD, FLOOD_HEADLINE, "", FLOOD_HEADLINE, *FLOOD_BODY]
    article = only_article(write(tmp_path, "flood.txt", "\n".join(lines) + "\n"))
    assert article.title == FLOOD_HEADLINE
    assert article.paragraphs[0] == FLOOD_LEAD
    # The second copy of the headline stays for duplicate collapsing.
    assert article.paragraphs == (FLOOD_LEAD, FLOOD_HEADLINE, *FLOOD_BODY)


def test_one_paragraph_per_line_without_blank_lines(tmp_path: Path) -> None:
    text = "\n".join((FLOOD_HEADLINE, FLOOD_LEAD, *FLOOD_BODY)) + "\n"
    article = only_article(write(tmp_path, "flood.txt", text))
    assert article.title == FLOOD_HEADLINE
    assert article.paragraphs == (FLOOD_LEAD, *FLOOD_BODY)


def test_hard_wrapped_text_is_rejoined_into_paragraphs(tmp_path: Path) -> None:
    text = """Council approves new cycle lanes

The city council voted on Tuesday evening to build six new cycle
lanes across the centre, after a debate that lasted more than four
hours and drew a crowd of residents to the public gallery.

Supporters said the lanes would make the school run safer, while
shop owners on the high street warned that losing parking spaces
would drive customers to the retail park outside town.

Work is due to start in the spring.
"""
    article = only_article(write(tmp_path, "lanes.txt", text))
    assert article.title == "Council approves new cycle lanes"
    assert article.paragraphs == (
        "The city council voted on Tuesday evening to build six new cycle lanes "
        "across the centre, after a debate that lasted more than four hours and "
        "drew a crowd of residents to the public gallery.",
        "Supporters said the lanes would make the school run safer, while shop "
        "owners on the high street warned that losing parking spaces would drive "
        "customers to the retail park outside town.",
        "Work is due to start in the spring.",
    )


def test_hard_wrapped_paragraphs_without_blank_lines_end_at_short_lines(
    tmp_path: Path,
) -> None:
    text = """The city council voted on Tuesday evening to build six new cycle
lanes across the centre, after a debate that lasted more than four
hours.
Supporters said the lanes would make the school run safer, while
shop owners on the high street warned that losing parking spaces
would hurt them.
"""
    article = only_article(write(tmp_path, "lanes.txt", text))
    body = (article.title, *article.paragraphs)
    assert "lanes across the centre" in " ".join(body)
    assert all("\n" not in paragraph for paragraph in body)
    assert body[-1] == (
        "Supporters said the lanes would make the school run safer, while shop "
        "owners on the high street warned that losing parking spaces would hurt "
        "them."
    )


def test_short_lines_of_a_list_are_not_rejoined(tmp_path: Path) -> None:
    text = (
        "Polling stations open\n\n"
        "Polls open at 7am.\nPolls close at 10pm.\nCounting starts at midnight.\n"
    )
    article = only_article(write(tmp_path, "polls.txt", text))
    assert article.paragraphs == (
        "Polls open at 7am.",
        "Polls close at 10pm.",
        "Counting starts at midnight.",
    )


def test_text_without_a_headline_is_titled_from_the_file_name(tmp_path: Path) -> None:
    text = "\n\n".join((FLOOD_LEAD, *FLOOD_BODY)) + "\n"
    article = only_article(write(tmp_path, "river_flood-update.txt", text))
    assert article.title == "River flood update"
    assert article.paragraphs == (FLOOD_LEAD, *FLOOD_BODY)


def test_byline_and_dateline_are_not_taken_as_the_title(tmp_path: Path) -> None:
    text = (
        "By Tomas Reyes\n\nMarch 3, 2024\n\n"
        + FLOOD_HEADLINE
        + "\n\n"
        + FLOOD_LEAD
        + "\n"
    )
    article = only_article(write(tmp_path, "flood.txt", text))
    assert article.title == FLOOD_HEADLINE
    assert article.paragraphs[:2] == ("By Tomas Reyes", "March 3, 2024")


def test_headline_ending_in_a_question_mark_is_a_title(tmp_path: Path) -> None:
    text = "Is the river safe to swim in again?\n\n" + FLOOD_LEAD + "\n"
    article = only_article(write(tmp_path, "swim.txt", text))
    assert article.title == "Is the river safe to swim in again?"


# --- Markdown -----------------------------------------------------------------


@pytest.fixture(params=["libyaml", "pure Python"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """PyYAML's C parser where it is installed, and the pure-Python one that
    newsdesk falls back to without it."""
    import yaml

    if request.param == "pure Python":
        monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML is installed without libyaml")
    return str(request.param)


def test_markdown_front_matter_fills_the_fields(
    tmp_path: Path, yaml_parser: str
) -> None:
    text = f"""---
title: "Night trains return to the coast line"
date: 2024-05-02T06:15:00+02:00
source: Railway Gazette of the North
url: https://example.invalid/night-trains
author: Ines Vogt
---

# Ignored heading, the front matter has the title

The first **night train** in eleven years left the capital at
ten o'clock on Thursday, [fully booked](https://example.invalid/book).

{FLOOD_BODY[0]}
"""
    article = only_article(write(tmp_path, "trains.md", text))
    assert article.title == "Night trains return to the coast line"
    assert article.source == "Railway Gazette of the North"
    assert article.url == "https://example.invalid/night-trains"
    assert article.author == "Ines Vogt"
    assert article.date == datetime(2024, 5, 2, 4, 15, tzinfo=timezone.utc)
    assert article.format == "md"
    assert article.paragraphs[-2:] == (
        "The first night train in eleven years left the capital at ten o'clock "
        "on Thursday, fully booked.",
        FLOOD_BODY[0],
    )


def test_markdown_front_matter_aliases(tmp_path: Path, yaml_parser: str) -> None:
    text = f"""---
headline: Harbour festival draws record crowds
published: 2023-08-19
publisher: Bayside Weekly
link: https://example.invalid/festival
byline:
  - Ana Lucas
  - Piet Smit
---

{FLOOD_LEAD}
"""
    article = only_article(write(tmp_path, "festival.md", text))
    assert article.title == "Harbour festival draws record crowds"
    assert article.source == "Bayside Weekly"
    assert article.url == "https://example.invalid/festival"
    assert article.author == "Ana Lucas, Piet Smit"
    assert article.date == datetime(2023, 8, 19, tzinfo=timezone.utc)
    assert article.paragraphs == (FLOOD_LEAD,)


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    text = f"# {FLOOD_HEADLINE}\n\n{FLOOD_LEAD}\n\n## Rest centre\n\n{FLOOD_BODY[1]}\n"
    article = only_article(write(tmp_path, "flood.md", text))
    assert article.title == FLOOD_HEADLINE
    assert article.paragraphs == (FLOOD_LEAD, "Rest centre", FLOOD_BODY[1])


def test_markdown_with_invalid_yaml_still_loads_its_text(
    tmp_path: Path, yaml_parser: str
) -> None:
    text = f"""---
title: [unclosed, list
date: : :
---

# {FLOOD_HEADLINE}

{FLOOD_LEAD}
"""
    article = only_article(write(tmp_path, "flood.md", text))
    assert article.title == FLOOD_HEADLINE
    assert article.paragraphs == (FLOOD_LEAD,)
    assert article.date is None


def test_markdown_yaml_alias_bomb_loads_quickly(
    tmp_path: Path, yaml_parser: str
) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for number in range(1, 10):
        previous = chr(ord("a") + number - 1)
        name = chr(ord("a") + number)
        levels.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    text = (
        "---\n"
        + "\n".join(levels)
        + "\ntitle: *j\nauthor: *j\ndate: *j\nsource: *j\n---\n\n"
        + f"# {FLOOD_HEADLINE}\n\n{FLOOD_LEAD}\n"
    )
    article = load_in_thread(write(tmp_path, "bomb.md", text), seconds=10).articles[0]
    assert article.title == FLOOD_HEADLINE
    assert article.paragraphs == (FLOOD_LEAD,)
    assert len(article.author or "") < 1000
    assert len(article.source or "") < 1000


@pytest.mark.parametrize(
    "front",
    [
        "date: 2023-02-30",
        f"count: {'9' * 5000}",
        "draft: !!bool maybe",
        "date: !!timestamp soon",
        "nested: " + "[" * 2000 + "]" * 2000,
    ],
)
def test_markdown_front_matter_no_value_fits_is_ignored(
    tmp_path: Path, yaml_parser: str, front: str
) -> None:
    text = (
        f"---\ntitle: Lost title\n{front}\n---\n\n# {FLOOD_HEADLINE}\n\n{FLOOD_LEAD}\n"
    )
    article = only_article(write(tmp_path, "odd.md", text))
    assert article.title == FLOOD_HEADLINE
    assert article.paragraphs == (FLOOD_LEAD,)


def test_markdown_without_front_matter_or_heading_finds_a_headline(
    tmp_path: Path,
) -> None:
    text = f"{FLOOD_HEADLINE}\n\n{FLOOD_LEAD}\n"
    article = only_article(write(tmp_path, "flood.markdown", text))
    assert article.title == FLOOD_HEADLINE
    assert article.paragraphs == (FLOOD_LEAD,)


# --- HTML ---------------------------------------------------------------------

LIGHTHOUSE = (
    "The last keeper of the Gull Point lighthouse climbed its hundred and twelve "
    "steps for the final time on Wednesday, ending a career that began when the "
    "lamp still had to be wound by hand every four hours.",
    "Friends and former colleagues gathered on the headland to watch him switch "
    "on the beam at dusk, and a brass band from the harbour played as the light "
    "swept across the bay.",
    "The lighthouse has been fully automatic since the spring, and the trust "
    "that owns it plans to open the keeper's cottage to visitors next summer.",
)

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Lighthouse keeper retires after forty years | The Coastal Courier</title>
<meta property="og:title" content="Lighthouse keeper retires after forty years">
<meta property="og:site_name" content="The Coastal Courier">
<meta name="author" content="Maren Holt">
<meta property="article:published_time" content="2023-09-14T08:30:00+01:00">
<link rel="canonical" href="https://example.invalid/lighthouse-keeper">
</head>
<body>
<header><nav><ul>
<li><a href="/">Home</a></li>
<li><a href="/news">Regional news desk</a></li>
<li><a href="/sport">Weekend sport roundup</a></li>
<li><a href="/subscribe">Subscribe to our newsletter today</a></li>
</ul></nav></header>
<main><article>
<h1>Lighthouse keeper retires after forty years</h1>
<p>{LIGHTHOUSE[0]}</p>
<p>{LIGHTHOUSE[1]}</p>
<p>{LIGHTHOUSE[2]}</p>
</article></main>
<footer>
<p>Copyright Coastal Courier Media Group. All rights reserved.</p>
<p>Privacy policy and cookie settings for readers</p>
</footer>
</body></html>
"""


def test_html_keeps_the_article_text(tmp_path: Path) -> None:
    article = only_article(write(tmp_path, "lighthouse.html", PAGE))
    assert article.format == "html"
    for paragraph in LIGHTHOUSE:
        assert paragraph in article.paragraphs
    body = [p for p in article.paragraphs if p != article.title]
    assert body == list(LIGHTHOUSE)


def test_html_drops_navigation_and_footer(tmp_path: Path) -> None:
    article = only_article(write(tmp_path, "lighthouse.htm", PAGE))
    text = " ".join(article.paragraphs)
    for boilerplate in (
        "Regional news desk",
        "Subscribe to our newsletter",
        "All rights reserved",
        "cookie settings",
    ):
        assert boilerplate not in text


def test_html_metadata_gives_title_date_author_and_site(tmp_path: Path) -> None:
    article = only_article(write(tmp_path, "lighthouse.html", PAGE))
    assert article.title == "Lighthouse keeper retires after forty years"
    assert article.author == "Maren Holt"
    assert article.source == "The Coastal Courier"
    assert article.url == "https://example.invalid/lighthouse-keeper"
    assert article.date is not None
    assert article.date.tzinfo is not None
    assert article.date.date().isoformat() == "2023-09-14"


def test_html_page_with_no_text_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.html", "<html><body><div></div></body></html>")
    with pytest.raises(ArticleError):
        load_file(path)


# --- JSON and JSONL -----------------------------------------------------------


def record(**fields: Any) -> dict[str, Any]:
    return fields


def test_json_single_article(tmp_path: Path) -> None:
    data = record(
        title=FLOOD_HEADLINE,
        text="\n\n".join((FLOOD_LEAD, *FLOOD_BODY)),
        date="2024-02-11T09:00:00Z",
        source="Valley Echo",
        url="https://example.invalid/flood",
        author="Dara Quinn",
    )
    article = only_article(write(tmp_path, "flood.json", json.dumps(data)))
    assert article.title == FLOOD_HEADLINE
    assert article.paragraphs == (FLOOD_LEAD, *FLOOD_BODY)
    assert article.date == datetime(2024, 2, 11, 9, tzinfo=timezone.utc)
    assert (article.source, article.url, article.author) == (
        "Valley Echo",
        "https://example.invalid/flood",
        "Dara Quinn",
    )
    assert article.id == "flood.json#1"
    assert article.format == "json"


def test_json_list_gives_one_article_per_record(tmp_path: Path) -> None:
    data = [
        record(title=f"Flood update {number}", text=FLOOD_BODY[number])
        for number in range(3)
    ]
    loaded = load_file(write(tmp_path, "updates.json", json.dumps(data)))
    assert [a.title for a in loaded.articles] == [
        "Flood update 0",
        "Flood update 1",
        "Flood update 2",
    ]
    assert [a.id for a in loaded.articles] == [
        "updates.json#1",
        "updates.json#2",
        "updates.json#3",
    ]


def test_json_wrapper_object_holding_a_list(tmp_path: Path) -> None:
    data = {
        "status": "ok",
        "count": 2,
        "articles": [
            record(headline="Ferry back in service", body=FLOOD_BODY[0]),
            record(headline="Rest centre stays open", body=FLOOD_BODY[1]),
        ],
    }
    loaded = load_file(write(tmp_path, "feed.json", json.dumps(data)))
    assert [a.title for a in loaded.articles] == [
        "Ferry back in service",
        "Rest centre stays open",
    ]


def test_json_feed_wrapper_with_a_description_gives_its_articles(
    tmp_path: Path,
) -> None:
    data = {
        "title": "Valley Echo",
        "description": "Local news from the valley",
        "items": [
            record(title="Ferry back in service", text=FLOOD_BODY[0]),
            record(title="Rest centre stays open", text=FLOOD_BODY[1]),
        ],
    }
    loaded = load_file(write(tmp_path, "feed.json", json.dumps(data)))
    assert [a.title for a in loaded.articles] == [
        "Ferry back in service",
        "Rest centre stays open",
    ]


def test_camel_case_published_at_is_a_date(tmp_path: Path) -> None:
    data = {
        "status": "ok",
        "articles": [
            record(
                source={"id": None, "name": "Valley Echo"},
                title=FLOOD_HEADLINE,
                content=FLOOD_LEAD,
                publishedAt="2024-02-11T09:00:00Z",
            )
        ],
    }
    article = only_article(write(tmp_path, "newsapi.json", json.dumps(data)))
    assert article.source == "Valley Echo"
    assert article.date == datetime(2024, 2, 11, 9, tzinfo=timezone.utc)


def test_json_body_as_a_list_of_paragraphs(tmp_path: Path) -> None:
    data = record(title=FLOOD_HEADLINE, paragraphs=[FLOOD_LEAD, *FLOOD_BODY])
    article = only_article(write(tmp_path, "flood.json", json.dumps(data)))
    assert article.paragraphs == (FLOOD_LEAD, *FLOOD_BODY)


def test_json_number_as_a_title_becomes_text(tmp_path: Path) -> None:
    data = record(title=2024, text=FLOOD_LEAD)
    article = only_article(write(tmp_path, "year.json", json.dumps(data)))
    assert article.title == "2024"
    assert article.paragraphs == (FLOOD_LEAD,)


def test_non_standard_field_names_are_mapped(tmp_path: Path) -> None:
    data = record(
        headline=FLOOD_HEADLINE,
        body=FLOOD_LEAD,
        published_at="2024-02-11T09:00:00+00:00",
        publisher="valleyecho.example",
        link="https://example.invalid/flood",
    )
    article = only_article(write(tmp_path, "flood.jsonl", json.dumps(data) + "\n"))
    assert article.title == FLOOD_HEADLINE
    assert article.paragraphs == (FLOOD_LEAD,)
    assert article.date == datetime(2024, 2, 11, 9, tzinfo=timezone.utc)
    assert article.source == "valleyecho.example"
    assert article.url == "https://example.invalid/flood"


def test_no_title_field_makes_the_first_paragraph_the_headline(
    tmp_path: Path,
) -> None:
    data = record(
        id="valley-7",
        publisher="valleyecho.example",
        scrape_time="2018-07-15T07:54:28-04:00",
        text="\n\n".join((FLOOD_HEADLINE, FLOOD_LEAD, *FLOOD_BODY)),
    )
    article = only_article(write(tmp_path, "scraped.jsonl", json.dumps(data) + "\n"))
    assert article.title == FLOOD_HEADLINE
    assert article.paragraphs == (FLOOD_LEAD, *FLOOD_BODY)
    assert article.date == datetime(
        2018, 7, 15, 7, 54, 28, tzinfo=timezone(timedelta(hours=-4))
    )


def test_jsonl_broken_line_is_reported_by_line_number_and_others_load(
    tmp_path: Path,
) -> None:
    lines = [
        json.dumps(record(title="Ferry back in service", text=FLOOD_BODY[0])),
        '{"title": "Half a record", "text": "cut off',
        json.dumps(record(title="Rest centre stays open", text=FLOOD_BODY[1])),
    ]
    loaded = load_file(write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n"))
    assert [a.title for a in loaded.articles] == [
        "Ferry back in service",
        "Rest centre stays open",
    ]
    assert [a.id for a in loaded.articles] == ["feed.jsonl#1", "feed.jsonl#3"]
    assert len(loaded.problems) == 1
    assert loaded.problems[0].where == "feed.jsonl#2"
    assert "invalid JSON" in loaded.problems[0].reason


def test_jsonl_record_that_is_not_an_object_is_reported(tmp_path: Path) -> None:
    lines = [json.dumps(record(title="Ferry back in service", text="Sailing.")), "42"]
    loaded = load_file(write(tmp_path, "feed.jsonl", "\n".join(lines)))
    assert len(loaded.articles) == 1
    assert [problem.where for problem in loaded.problems] == ["feed.jsonl#2"]


def test_jsonl_where_every_line_is_broken_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.jsonl", "{not json\n{nor this\n")
    with pytest.raises(ArticleError, match="invalid JSON"):
        load_file(path)


def test_invalid_json_file_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.json", '[\n{"title": "A"},\n{"title": \n')
    with pytest.raises(ArticleError, match="line"):
        load_file(path)


# --- records, ids and dates ---------------------------------------------------


def test_record_selection_picks_one_record_of_a_jsonl_file(tmp_path: Path) -> None:
    lines = [
        json.dumps(record(title=f"Flood update {number}", text=FLOOD_BODY[number]))
        for number in range(3)
    ]
    path = write(tmp_path, "feed.jsonl", "\n".join(lines))
    loaded = load_file(path, record=2)
    assert [a.title for a in loaded.articles] == ["Flood update 1"]
    assert loaded.articles[0].id == "feed.jsonl#2"


def test_record_selection_picks_one_record_of_a_json_list(tmp_path: Path) -> None:
    data = [record(title=f"Flood update {n}", text=FLOOD_BODY[n]) for n in range(3)]
    path = write(tmp_path, "feed.json", json.dumps(data))
    loaded = load_file(path, record=3)
    assert [a.title for a in loaded.articles] == ["Flood update 2"]


def test_record_number_past_the_end_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.jsonl", json.dumps(record(title="A", text="B")))
    with pytest.raises(ArticleError, match="no record 5"):
        load_file(path, record=5)


def test_record_number_on_a_text_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "flood.txt", f"{FLOOD_HEADLINE}\n\n{FLOOD_LEAD}\n")
    with pytest.raises(ArticleError, match="not a collection"):
        load_file(path, record=1)


def test_ids_are_the_relative_path_with_record_numbers(tmp_path: Path) -> None:
    lines = [json.dumps(record(title=f"Update {n}", text="Text.")) for n in range(2)]
    path = write(tmp_path, "wires/feed.jsonl", "\n".join(lines))
    loaded = load_file(path, "wires/feed.jsonl")
    assert [a.id for a in loaded.articles] == [
        "wires/feed.jsonl#1",
        "wires/feed.jsonl#2",
    ]
    single = write(tmp_path, "local/flood.txt", f"{FLOOD_HEADLINE}\n\n{FLOOD_LEAD}")
    assert load_file(single, "local/flood.txt").articles[0].id == "local/flood.txt"


def test_ids_are_stable_across_loads(tmp_path: Path) -> None:
    lines = [json.dumps(record(title=f"Update {n}", text="Text.")) for n in range(3)]
    path = write(tmp_path, "feed.jsonl", "\n".join(lines))
    first = [a.id for a in load_file(path, "feed.jsonl").articles]
    second = [a.id for a in load_file(path, "feed.jsonl").articles]
    assert first == second == ["feed.jsonl#1", "feed.jsonl#2", "feed.jsonl#3"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=timezone.utc)),
        ("2024-03-05T10:00:00", datetime(2024, 3, 5, 10, tzinfo=timezone.utc)),
        ("2024-03-05T10:00:00Z", datetime(2024, 3, 5, 10, tzinfo=timezone.utc)),
        ("2024-03-05T12:00:00+02:00", datetime(2024, 3, 5, 10, tzinfo=timezone.utc)),
        (
            "Tue, 05 Mar 2024 10:00:00 GMT",
            datetime(2024, 3, 5, 10, tzinfo=timezone.utc),
        ),
        ("March 5, 2024", datetime(2024, 3, 5, tzinfo=timezone.utc)),
        (1709632800, datetime(2024, 3, 5, 10, tzinfo=timezone.utc)),
        (1709632800000, datetime(2024, 3, 5, 10, tzinfo=timezone.utc)),
    ],
)
def test_dates_are_timezone_aware(
    tmp_path: Path, value: Any, expected: datetime
) -> None:
    data = record(title="Flood update", text=FLOOD_LEAD, date=value)
    article = only_article(write(tmp_path, "flood.json", json.dumps(data)))
    assert article.date is not None
    assert article.date.tzinfo is not None
    assert article.date == expected


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "Tue, 05 Mar 2024 10:00:00 EST",
            datetime(2024, 3, 5, 15, tzinfo=timezone.utc),
        ),
        (
            "Fri, 12 Jul 2024 09:00:00 PDT",
            datetime(2024, 7, 12, 16, tzinfo=timezone.utc),
        ),
    ],
)
def test_rfc2822_us_zone_names_are_honoured(
    tmp_path: Path, value: str, expected: datetime
) -> None:
    data = record(title="Flood update", text=FLOOD_LEAD, date=value)
    article = only_article(write(tmp_path, "flood.json", json.dumps(data)))
    assert article.date == expected


def test_unreadable_date_is_left_empty(tmp_path: Path) -> None:
    data = record(title="Flood update", text=FLOOD_LEAD, date="sometime soon")
    assert only_article(write(tmp_path, "flood.json", json.dumps(data))).date is None


# --- files that give no article -------------------------------------------------


@pytest.mark.parametrize("name", ["notes.docx", "feed.xml", "README"])
def test_unknown_suffix_raises_article_error(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, f"{FLOOD_HEADLINE}\n\n{FLOOD_LEAD}\n")
    with pytest.raises(ArticleError, match="unknown format"):
        load_file(path)


@pytest.mark.parametrize(
    "name", ["empty.txt", "empty.md", "empty.html", "empty.json", "empty.jsonl"]
)
def test_empty_file_raises_article_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(ArticleError, match="empty"):
        load_file(write(tmp_path, name, ""))


@pytest.mark.parametrize("name", ["blank.txt", "blank.md", "blank.jsonl"])
def test_whitespace_only_file_raises_article_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(ArticleError):
        load_file(write(tmp_path, name, "  \n\n\t\n"))


@pytest.mark.parametrize("name", ["gone.txt", "gone.md", "gone.json", "gone.jsonl"])
def test_missing_file_raises_article_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(ArticleError, match="no such file"):
        load_file(tmp_path / name)


def test_folder_with_an_article_suffix_raises_article_error(tmp_path: Path) -> None:
    (tmp_path / "archive.txt").mkdir()
    with pytest.raises(ArticleError, match="folder"):
        load_file(tmp_path / "archive.txt")
