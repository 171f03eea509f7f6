"""Browser tests fail on any console error or uncaught page error, in every tab and context a test opens, and on
a Content-Security-Policy refusal at any console level (Reflex reports a refused event with console.log)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, WebError

_CSP_REFUSAL = re.compile(r"Content Security Policy|Content-Security-Policy|unsafe-eval")


@dataclass
class ConsoleWatch:
    """What the pages of one test wrote to the console as errors, with the page's URL."""

    allowed: list[re.Pattern[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.on("console", self._on_console)
        context.on("weberror", self._on_web_error)
        return context

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" or _CSP_REFUSAL.search(message.text):
            self._note(f"console error on {message.page.url if message.page else '?'}: {message.text}")

    def _on_web_error(self, error: WebError) -> None:
        self._note(f"uncaught error on {error.page.url if error.page else '?'}: {error.error}")

    def _note(self, problem: str) -> None:
        if not any(pattern.search(problem) for pattern in self.allowed):
            self.problems.append(problem)


def _watching(original: Callable[..., Any], watch: ConsoleWatch) -> Callable[..., Any]:
    def wrapper(*arguments: Any, **keywords: Any) -> Any:
        created = original(*arguments, **keywords)
        watch.watch(created if isinstance(created, BrowserContext) else created.context)
        return created

    return wrapper


@pytest.fixture(autouse=True)
def console_errors_fail_the_test(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Mark a test `@pytest.mark.allow_console_errors("regex", …)` to allow errors it causes on purpose."""
    marker = request.node.get_closest_marker("allow_console_errors")
    watch = ConsoleWatch(allowed=[re.compile(pattern) for pattern in (marker.args if marker else ())])
    monkeypatch.setattr(Browser, "new_context", _watching(Browser.new_context, watch))
    monkeypatch.setattr(Browser, "new_page", _watching(Browser.new_page, watch))
    if "context" in request.fixturenames or "page" in request.fixturenames:
        watch.watch(request.getfixturevalue("context"))
    yield
    if watch.problems:
        pytest.fail("The page console had errors:\n" + "\n".join(watch.problems[:20]), pytrace=False)
