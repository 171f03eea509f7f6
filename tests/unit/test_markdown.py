"""Creator Markdown: formatting and links survive, scripts and dangerous URLs never do."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creatorly.kit.markdown import (
    ALLOWED_TAGS,
    MarkdownTooLong,
    plain_text_excerpt,
    render_markdown,
    sanitise_html,
)

REL = 'rel="noopener noreferrer nofollow ugc"'


def test_basic_formatting_and_links_survive() -> None:
    # given
    text = 'Some **bold**, *soft* and ~~old~~ text with [a link](https://example.com/x "Title").'

    # when
    rendered = render_markdown(text)

    # then
    assert rendered == (
        "<p>Some <strong>bold</strong>, <em>soft</em> and <s>old</s> text with "
        f'<a href="https://example.com/x" title="Title" {REL}>a link</a>.</p>\n'
    )


def test_headings_start_at_h2_because_the_page_owns_h1() -> None:
    rendered = render_markdown("# One\n\n## Two\n\n### Three\n\n###### Six")

    assert rendered == "<h2>One</h2>\n<h3>Two</h3>\n<h4>Three</h4>\n<h4>Six</h4>\n"


def test_lists_quotes_code_and_tables_render() -> None:
    # given
    text = "- a\n- b\n\n1. c\n\n> quoted\n\n`x < y`\n\n```python\nprint(1)\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |"

    # when
    rendered = render_markdown(text)

    # then
    assert rendered == (
        "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<ol>\n<li>c</li>\n</ol>\n"
        "<blockquote>\n<p>quoted</p>\n</blockquote>\n<p><code>x &lt; y</code></p>\n"
        "<pre><code>print(1)\n</code></pre>\n"
        "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"
    )


def test_mailto_and_relative_links_are_kept() -> None:
    rendered = render_markdown("[mail](mailto:me@example.com) [page](/about)")

    assert rendered == (f'<p><a href="mailto:me@example.com" {REL}>mail</a> <a href="/about" {REL}>page</a></p>\n')


def test_images_become_their_alt_text() -> None:
    rendered = render_markdown("![A *cat* photo](https://tracker.example/pixel.png)")

    assert rendered == "<p>A cat photo</p>\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
        ('<a href="data:text/html,hi">x</a>', '<p>&lt;a href="data:text/html,hi"&gt;x&lt;/a&gt;</p>\n'),
        (
            '<iframe src="https://evil.example"></iframe>',
            '<p>&lt;iframe src="https://evil.example"&gt;&lt;/iframe&gt;</p>\n',
        ),
        ("<style>body{display:none}</style>", "<p>&lt;style&gt;body{display:none}&lt;/style&gt;</p>\n"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>\n"),
        ("[x](vbscript:msgbox)", "<p>[x](vbscript:msgbox)</p>\n"),
        ("[x](ftp://files.example/a)", f"<p><a {REL}>x</a></p>\n"),
    ],
)
def test_raw_html_and_dangerous_urls_are_neutralised(text: str, expected: str) -> None:
    assert render_markdown(text) == expected


def test_the_sanitiser_alone_removes_scripts_handlers_styles_and_bad_urls() -> None:
    # given: HTML that did not come through the Markdown parser at all
    unsafe = (
        "<p>ok<script>alert(1)</script><img src=x onerror=alert(1)>"
        '<a href="javascript:alert(1)" onclick="steal()">j</a><a href="data:text/html,x">d</a>'
        '<iframe src="https://evil.example"></iframe><style>p{}</style>'
        '<b style="color:red" class="c" onmouseover="y()">b</b><!-- hidden --></p><h1>Title</h1>'
    )

    # when
    cleaned = sanitise_html(unsafe)

    # then
    assert cleaned == f"<p>ok<a {REL}>j</a><a {REL}>d</a><b>b</b></p>Title"


def test_text_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(MarkdownTooLong, match=r"^Text can be at most 10 characters long\.$"):
        render_markdown("x" * 11, max_length=10)


def test_text_at_the_limit_is_rendered() -> None:
    assert render_markdown("x" * 20_000) == "<p>" + "x" * 20_000 + "</p>\n"


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


_DANGEROUS_PIECES = st.sampled_from(
    [
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](java&#x73;cript:alert(1))",
        '<a href="javascript:x">',
        "<svg onload=alert(1)>",
        "](",
        "<",
        ">",
        '"',
        " onclick=",
        "`",
        "\n\n",
        "# ",
        "**",
        "| a |\n|---|\n",
        "![i](data:image/png;base64,AAAA)",
        "<https://ok.example>",
    ]
)


@given(st.lists(st.one_of(st.text(max_size=20), _DANGEROUS_PIECES), max_size=25).map("".join))
def test_rendered_markdown_never_contains_scripts_handlers_or_script_urls(text: str) -> None:
    # when
    rendered = render_markdown(text)

    # then: every tag is allowed, only links carry attributes, and hrefs use a safe scheme
    collector = _TagCollector()
    collector.feed(rendered)
    assert "<script" not in rendered.lower()
    for tag, attributes in collector.tags:
        assert tag in ALLOWED_TAGS
        names = {name for name, _ in attributes}
        assert not any(name.startswith("on") for name in names)
        assert names <= ({"href", "title", "rel"} if tag == "a" else set())
        href = dict(attributes).get("href") or ""
        assert not href.strip().lower().startswith(("javascript:", "data:", "vbscript:"))


def test_excerpt_is_plain_text_with_collapsed_whitespace() -> None:
    # given
    text = "# Welcome\n\nHello **world**, this is   *my* shop.\n\n- ebooks\n- Tom & Jerry <3"

    # when
    excerpt = plain_text_excerpt(text)

    # then
    assert excerpt == "Welcome Hello world, this is my shop. ebooks Tom & Jerry <3"


def test_excerpt_is_cut_at_a_word_boundary_with_an_ellipsis() -> None:
    excerpt = plain_text_excerpt("The quick brown fox jumps over the lazy dog", limit=20)

    assert excerpt == "The quick brown fox…"


def test_excerpt_drops_a_word_the_limit_would_split() -> None:
    excerpt = plain_text_excerpt("The quick brown fox jumps over the lazy dog", limit=22)

    assert excerpt == "The quick brown fox…"


def test_excerpt_drops_trailing_punctuation_before_the_ellipsis() -> None:
    excerpt = plain_text_excerpt("Hello, world. Another sentence here", limit=16)

    assert excerpt == "Hello, world…"


def test_excerpt_of_one_long_word_is_cut_hard() -> None:
    excerpt = plain_text_excerpt("a" * 50, limit=10)

    assert excerpt == "a" * 9 + "…"


def test_excerpt_of_short_text_is_unchanged_and_of_long_text_never_raises() -> None:
    assert plain_text_excerpt("Short.") == "Short."
    assert plain_text_excerpt("word " * 10_000) == ("word " * 32).strip() + "…"


def test_excerpt_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"^An excerpt needs a limit of at least 1 character\.$"):
        plain_text_excerpt("text", limit=0)
