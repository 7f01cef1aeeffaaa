"""The GraphiQL explorer in a real browser: it loads, offers the roles, runs a search.

Needs Chromium (VUM_TEST_CHROMIUM, default /usr/bin/chromium; Debian: `apt-get install chromium`)
and GraphiQL's files offline (VUM_TEST_GRAPHIQL_ASSETS, default var/graphiql-assets; make them
with `deploy/graphiql-assets.sh var/graphiql-assets`). Skipped locally without them; CI has both.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from subgraphs.sdk.adapter import InMemoryAdapter

from .conftest import ROOT, need
from .issuer import MEDIATOR
from .stack import Source, Stack, consented, organisation_app, start_stack

CHROMIUM = Path(os.environ.get("VUM_TEST_CHROMIUM", "/usr/bin/chromium"))
ASSETS = Path(os.environ.get("VUM_TEST_GRAPHIQL_ASSETS", ROOT / "var" / "graphiql-assets"))
SCREENSHOT = ROOT / "var" / "explorer.png"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser_available() -> None:
    if not CHROMIUM.exists():
        need(f"Chromium not found at {CHROMIUM}")
    if not (ASSETS / "graphiql@3.8.3" / "graphiql.min.js").exists():
        need(f"GraphiQL assets not found in {ASSETS} (run deploy/graphiql-assets.sh {ASSETS})")


@pytest_asyncio.fixture(scope="module")
async def stack(browser_available: None) -> AsyncIterator[Stack]:
    profile = {
        "mobiliteit": {"bemiddelingspostcode": "5611AB"},
        "werktijden": {"aantalWerkurenPerWeekMinimaal": 16, "aantalWerkurenPerWeekMaximaal": 32},
    }
    records = consented(
        [{"idWerkzoekende": f"w{i}", **profile} for i in range(3)]
    )  # what the explorer's first query finds
    running = await start_stack(
        [Source("gemeente", organisation_app(InMemoryAdapter(records), "gemeente"))],
        codelijsten=False,
        graphiql_assets_dir=str(ASSETS),
    )
    running.gateway.graphiql_presets = {
        "Anja, bemiddelaar": running.issuer.headers(MEDIATOR),
        "Zonder token": {},
    }
    yield running
    await running.close()


async def test_the_explorer_runs_a_search_with_a_role_from_the_list(stack: Stack) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 900})
            await page.goto(stack.server.url, wait_until="networkidle")
            await page.wait_for_selector(".graphiql-container", timeout=20_000)
            assert await page.locator("#role option").all_text_contents() == ["Anja, bemiddelaar", "Zonder token"]
            await page.locator(".graphiql-execute-button").click()
            result = page.locator(".result-window")
            await result.get_by_text("totalCount").wait_for(timeout=20_000)
            text = (await result.inner_text()).replace("\xa0", " ")
            assert '"totalCount": 3' in text and '"status": "OK"' in text
            await page.select_option("#role", "Zonder token")
            await page.wait_for_selector(".graphiql-container")
            await page.locator(".graphiql-execute-button").click()
            await page.locator(".result-window").get_by_text("UNAUTHENTICATED").wait_for(timeout=20_000)
            await page.select_option("#role", "Anja, bemiddelaar")
            await page.locator(".graphiql-execute-button").click()
            await page.locator(".result-window").get_by_text("totalCount").wait_for(timeout=20_000)
            SCREENSHOT.parent.mkdir(exist_ok=True)
            await page.screenshot(path=str(SCREENSHOT))
        finally:
            await browser.close()


async def test_the_docs_panel_shows_the_standard(stack: Stack) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = await browser.new_page()
            await page.goto(stack.server.url, wait_until="networkidle")
            await page.wait_for_selector(".graphiql-container", timeout=20_000)
            await page.get_by_label("Show Documentation Explorer").click()
            docs = page.locator(".graphiql-doc-explorer")
            await docs.get_by_text("Query", exact=True).click()
            await docs.get_by_text("werkzoekendeProfielMatches", exact=True).first.click()
            await docs.get_by_text("Search the job-seeker profiles of every connected organisation").wait_for(
                timeout=10_000
            )
            await docs.get_by_text("WerkzoekendeSelectievraag", exact=True).first.click()
            await docs.get_by_text("Required: the area to search in.", exact=False).wait_for(timeout=10_000)
        finally:
            await browser.close()
