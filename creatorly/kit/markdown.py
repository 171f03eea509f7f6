"""Creator Markdown to sanitised HTML, and to plain-text excerpts for meta descriptions."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

MAX_MARKDOWN_LENGTH = 20_000

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "b", "i", "del", "s", "a", "ul", "ol", "li", "blockquote",
        "code", "pre", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow ugc"

# The page owns h1: every heading moves one level down, and anything past h4 stays h4.
_HEADING_TAGS = {"h1": "h2", "h2": "h3", "h3": "h4", "h4": "h4", "h5": "h4", "h6": "h4"}
_WHITESPACE = re.compile(r"\s+")
_ELLIPSIS = "…"


class MarkdownTooLong(ValueError):
    """The Markdown is longer than the renderer accepts."""


def _render_image_as_alt_text(
    renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    # Creator text may not embed remote images (tracking pixels); keep the words instead.
    children = tokens[index].children or []
    return escapeHtml(renderer.renderInlineAsText(children, options, env))


def _build_parser() -> MarkdownIt:
    # Raw HTML is escaped as text by the parser; nh3 below is the real security boundary.
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parser.add_render_rule("image", _render_image_as_alt_text)
    return parser


_PARSER = _build_parser()


def _demote_headings(tokens: Sequence[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = _HEADING_TAGS[token.tag]


def sanitise_html(unsafe_html: str) -> str:
    """Keep only the allowed tags, `href`/`title` on links, and http(s)/mailto URLs; scripts and styles go."""
    cleaned: str = nh3.clean(
        unsafe_html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return cleaned


def render_markdown(text: str, *, max_length: int = MAX_MARKDOWN_LENGTH) -> str:
    """Render creator Markdown to HTML that is safe to embed in a page.

    CommonMark plus tables and ~~strikethrough~~; raw HTML is shown as text, images become their alt
    text, `#` headings start at h2, and every link gets rel="noopener noreferrer nofollow ugc".
    Raises MarkdownTooLong (a ValueError) when the text is longer than max_length characters.
    """
    if len(text) > max_length:
        raise MarkdownTooLong(f"Text can be at most {max_length:,} characters long.")
    env: dict[str, Any] = {}
    tokens = _PARSER.parse(text, env)
    _demote_headings(tokens)
    return sanitise_html(_PARSER.renderer.render(tokens, _PARSER.options, env))


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - len(_ELLIPSIS)]
    boundary = cut.rfind(" ")
    is_mid_word = text[len(cut)] != " "
    if is_mid_word and boundary > 0:
        cut = cut[:boundary]
    return cut.rstrip(" ,;:.-–—") + _ELLIPSIS


def plain_text_excerpt(text: str, limit: int = 160) -> str:
    """The first words of creator Markdown as plain text (not HTML-escaped), at most limit characters.

    Tags are dropped, whitespace collapsed, and a longer text is cut at a word boundary ending in "…".
    Only the first MAX_MARKDOWN_LENGTH characters are read, so long input never raises.
    """
    if limit < 1:
        raise ValueError("An excerpt needs a limit of at least 1 character.")
    rendered = render_markdown(text[:MAX_MARKDOWN_LENGTH])
    without_tags = html.unescape(nh3.clean(rendered, tags=set()))
    return _cut_at_word(_WHITESPACE.sub(" ", without_tags).strip(), limit)
