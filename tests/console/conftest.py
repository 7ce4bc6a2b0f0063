"""Fixtures of the console tests: Chromium (one per worker), the console served over a real socket on the
test's database (both kinds), a signed-in page; a failing test keeps a screenshot of its page."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from interface.auth import mint_token
from tests.builders.console import CHROMIUM, keep_screenshot, require_chromium, served
from tests.builders.environment import JWT_SECRET

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from interface.bootstrap import Services


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Each phase's report on the test item, so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture
def console(running_services: Services) -> Iterator[str]:
    """The base URL of the app (API and console) on the test's database, served over a real socket."""
    from interface.app import create_app

    with served(create_app(running_services)) as url:
        yield url


@pytest.fixture
def new_page(browser: Browser, console: str, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """`new_page(role, sub)` → a page of a fresh browser context signed in to the console as `role`
    (`role=None`: not signed in). A failing test keeps a screenshot of each page it opened."""
    opened: list[Any] = []

    def open_page(role: str | None = "auditor", sub: str = "console-tester") -> Page:
        context = browser.new_context(base_url=console, accept_downloads=True, locale="zh-CN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        opened.append((context, page))
        if role is not None:
            page.goto("/console/sign-in")
            page.fill("#token", mint_token(JWT_SECRET, sub, role))
            page.click("form.card button[type=submit]")
            page.wait_for_url("**/console/")
        return page

    yield open_page
    failed = getattr(request.node, "report_call", None)
    for i, (context, page) in enumerate(opened):
        if failed is not None and failed.failed:
            keep_screenshot(page, f"{request.node.name}-{i}")
        context.close()
