"""The explorer in a real browser: a mediator builds a search by clicking, runs it with a role,
reads the matches as a list and on the map, and opens a detail that says what was withheld.

Headless Chromium (VUM_TEST_CHROMIUM, default /usr/bin/chromium; Debian: `apt-get install
chromium`) against a gateway with the demo's organisations and personas. Every request to a host
other than this machine is blocked and fails the test, and so does any Content-Security-Policy
violation: the explorer must work offline, from the gateway alone. Screenshots go to
var/artifacts/explorer/ (VUM_TEST_ARTIFACTS), which CI keeps. Skipped locally without Chromium.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, Route, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from subgraphs.sdk.adapter import InMemoryAdapter

from .conftest import ROOT, need
from .personas import MEHMET, role_presets, start_demo_data_stack
from .stack import Source, Stack, consented, organisation_app, start_stack

CHROMIUM = Path(os.environ.get("VUM_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("VUM_TEST_ARTIFACTS", ROOT / "var" / "artifacts" / "explorer"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL = {"127.0.0.1", "localhost", "::1", "[::1]"}
TIMEOUT = 20_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        need(f"Chromium not found at {CHROMIUM}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return CHROMIUM


@pytest_asyncio.fixture(scope="module")
async def stack(chromium: Path) -> AsyncIterator[Stack]:
    running = await start_demo_data_stack(demo=True)
    running.gateway.graphiql_presets = role_presets(running)
    yield running
    await running.close()


@pytest_asyncio.fixture(scope="module")
async def browser(stack: Stack) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        await launched.close()


@asynccontextmanager
async def opened(browser: Browser, url: str) -> AsyncIterator[Page]:
    """The explorer at `url`, opened; on leaving, no request may have left this machine and no CSP
    violation may have happened."""
    context = await browser.new_context(viewport={"width": 1600, "height": 1000}, service_workers="block")
    outside: list[str] = []

    async def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL:
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort("blockedbyclient")

    await context.route("**/*", only_local)
    page = await context.new_page()
    await page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    await page.goto(url, wait_until="networkidle")
    await page.wait_for_selector(".graphiql-container", timeout=TIMEOUT)
    await page.wait_for_selector(".graphiql-explorer-root", timeout=TIMEOUT)
    yield page
    violations = await page.evaluate("window.__cspViolations")
    await context.close()
    assert outside == [], f"the explorer asked a host other than the gateway: {outside}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"


@pytest_asyncio.fixture
async def page(browser: Browser, stack: Stack) -> AsyncIterator[Page]:
    async with opened(browser, stack.server.url) as explorer:
        yield explorer


async def _screenshot(page: Page, name: str) -> None:
    # Playwright scrolled the explorer panel sideways to click; a person sees it from the left.
    await page.evaluate("document.querySelectorAll('.graphiql-explorer-root *').forEach(e => { e.scrollLeft = 0; })")
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


async def _tick(page: Page, selector: str) -> None:
    """Tick a field in the explorer plugin: `name` for a field, or a CSS selector."""
    target = page.locator(".graphiql-explorer-root").locator(
        selector if selector.startswith(".") else f'[data-field-name="{selector}"]'
    )
    await target.first.wait_for(timeout=TIMEOUT)  # the explorer renders a ticked field's children
    assert await target.count() == 1, f"one {selector} in the explorer"
    await target.click()


async def _new_search(page: Page) -> None:
    """Start from an empty query, and wait until the explorer plugin shows it (the default query's
    fields gone), so the next tick adds a field instead of removing one."""
    await page.get_by_role("button", name="Nieuwe zoekvraag").click()
    await page.locator('.graphiql-explorer-root [data-field-name="vumID"]').wait_for(state="detached", timeout=TIMEOUT)


async def _execute(page: Page) -> None:
    """Press ▶ and wait for the gateway's answer; if none comes, say what the page shows (the
    button's state, GraphiQL's response pane) and keep a screenshot, so a failure names its cause."""
    button = page.locator(".graphiql-execute-button")
    await page.get_by_label("Execute query (Ctrl-Enter)").wait_for(timeout=TIMEOUT)  # not "Stop query"
    try:
        async with page.expect_response(lambda r: r.request.method == "POST", timeout=TIMEOUT):
            await button.click()
    except PlaywrightTimeoutError:
        await page.screenshot(path=str(ARTIFACTS / "no-answer.png"))
        label = await button.get_attribute("aria-label")
        pane = await page.locator(".graphiql-response").all_inner_texts()
        raise AssertionError(
            f"▶ brought no answer in {TIMEOUT} ms; the button says {label!r}, the response pane {pane}"
        ) from None


async def _matches(page: Page) -> list[str]:
    try:
        await page.locator(".vum-matches li").first.wait_for(timeout=TIMEOUT)
    except PlaywrightTimeoutError:
        shown = await page.locator(".vum-results").all_inner_texts()
        raise AssertionError(f"no matches listed; the results panel shows {shown}") from None
    return await page.locator(".vum-matches li").all_inner_texts()


async def test_a_mediator_builds_a_search_by_clicking_and_reads_the_list_the_map_and_a_detail(page: Page) -> None:
    assert await page.locator("#role option").all_text_contents() == [
        "Anja, bemiddelaar (SUWI)",
        "Mehmet, werkgever",
        "Zonder token",
    ]
    await page.select_option("#role", label="Mehmet, werkgever")
    await _new_search(page)
    # The search, built in the explorer plugin by ticking fields and filling its form: no GraphQL typed.
    for field in ("werkzoekendeProfielMatches", "totalCount", "bronnen", "naam", "status", "edges"):
        await _tick(page, field)
    await _tick(page, ".graphiql-explorer-bronnen [data-field-name=bronID]")
    await _tick(page, ".graphiql-explorer-edges [data-field-name=bronID]")
    for field in ("node", "vumID", "mobiliteit", "bemiddelingspostcode", "werktijden"):
        await _tick(page, field)
    for field in ("aantalWerkurenPerWeekMinimaal", "aantalWerkurenPerWeekMaximaal", "arbeidsmarktkwalificatie"):
        await _tick(page, field)
    for field in ("rijbewijs", "codeSoortRijbewijs", "bemiddelingsberoep", "omschrijvingBeroepsnaam"):
        await _tick(page, field)
    afstand = page.locator(".graphiql-explorer-root [data-arg-name=afstand] input")
    await afstand.fill("15")
    query = (await page.locator(".graphiql-query-editor").inner_text()).replace("\xa0", " ")
    assert "werkzoekendeProfielMatches" in query and '"5611AB"' in query and "afstand: 15" in query
    assert "omschrijvingBeroepsnaam" in query and "codeSoortRijbewijs" in query

    await _execute(page)
    rows = await _matches(page)
    heading = await page.locator(".vum-results h2").inner_text()
    found = int(re.search(r"(\d+) gevonden", heading).group(1))  # type: ignore[union-attr]
    assert heading.startswith("Werkzoekenden") and found >= len(rows) > 0
    text = "\n".join(rows)
    assert "Eindhoven" in text, "the place of the postcode area"
    assert re.search(r"uren per week \d+–\d+ uur", text), "the hours"
    assert "Bij Organisatie gemeente-eindhoven" in text, "the organisation that holds it, by its name"
    assert "rijbewijs" in text and "niet gevraagd" not in text and "onbekend beroep" not in text
    sources = await page.locator(".vum-sources li").all_inner_texts()
    assert len(sources) == 5 and all("antwoordde" in s for s in sources), sources
    assert await page.locator(".vum-map-radius").count() == 1, "the search radius on the map"
    assert await page.locator(".vum-map-match").count() >= 1, "the matches on the map"
    assert "15 km rond 5611AB" in await page.locator(".vum-results").inner_text()
    await _screenshot(page, "1-zoekvraag-lijst-kaart")

    await page.locator(".vum-match").first.click()
    detail = page.locator(".vum-detail")
    await detail.locator(".vum-fields").wait_for(timeout=TIMEOUT)
    assert await detail.locator("[data-field=mobiliteit]").count() == 1, "what Mehmet may see"
    withheld = await detail.locator(".vum-withheld-summary").inner_text()
    assert "uw rol ziet contactgegevens nooit" in withheld and "emailadres" in withheld
    assert "uw rol ziet bijzondere gegevens nooit" in withheld
    email = await detail.locator("[data-field=emailadres]").inner_text()
    assert "achtergehouden" in email
    await _screenshot(page, "2-detail-achtergehouden")


async def test_each_persona_search_loads_with_its_role_and_shows_its_matches(page: Page) -> None:
    for persona, role, kind in (
        ("anja-henk", "Anja, bemiddelaar (SUWI)", "Vacatures"),
        ("jessica-soort-werk", "Anja, bemiddelaar (SUWI)", "Vacatures"),
        ("mehmet-competentie", "Mehmet, werkgever", "Werkzoekenden"),
    ):
        await page.locator(f"[data-persona={persona}]").click()
        await page.locator(".vum-results h2", has_text=kind).wait_for(timeout=TIMEOUT)
        rows = await _matches(page)
        assert rows, persona
        assert await page.locator("#role").input_value() == role, f"{persona} runs as {role}"
        await _screenshot(page, f"3-persona-{persona}")
    text = "\n".join(await page.locator(".vum-matches li").all_inner_texts())
    assert "onbekend beroep" not in text, "every occupation with its label"


async def test_without_a_token_the_page_says_what_is_wrong(page: Page) -> None:
    await page.select_option("#role", label="Zonder token")
    await _execute(page)
    await page.locator(".vum-results .vum-error").first.wait_for(timeout=TIMEOUT)
    assert "UNAUTHENTICATED" in await page.locator(".vum-results").inner_text()


async def test_a_search_the_gateway_never_answers_is_reported_in_the_results_panel(page: Page) -> None:
    async def dropped(route: Route) -> None:
        await route.abort("connectionreset")

    await page.route("**/graphql", dropped)
    await page.locator("[data-persona=anja-henk]").click()
    await page.locator(".vum-results .vum-error").first.wait_for(timeout=TIMEOUT)
    assert "De gateway is niet bereikbaar" in await page.locator(".vum-results").inner_text()


async def test_the_docs_panel_shows_the_standard(page: Page) -> None:
    await page.get_by_label("Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    await docs.get_by_text("Query", exact=True).click()
    await docs.get_by_text("werkzoekendeProfielMatches", exact=True).first.click()
    await docs.get_by_text("Koppelvlak 3.0: zoek met één selectievraag in de profielen van werkzoekenden").wait_for(
        timeout=TIMEOUT
    )
    await docs.get_by_text("WerkzoekendeProfielMatches", exact=True).first.click()
    await docs.get_by_text("edges", exact=True).first.click()
    await docs.get_by_text("WerkzoekendeProfielMatchEdge", exact=True).first.click()
    await docs.get_by_text("node", exact=True).first.click()
    await docs.get_by_text("WerkzoekendeProfielMatch", exact=True).first.click()
    await docs.get_by_text("mobiliteit", exact=True).first.click()
    await docs.get_by_text("Gewenste reisafstand woon-werk.").first.wait_for(timeout=TIMEOUT)  # the standard's words


async def test_a_gateway_that_refuses_forbidden_fields_whole_still_shows_what_may_be_seen(
    browser: Browser, chromium: Path
) -> None:
    """With `reject_unauthorized_operations` the detail query (which names contact fields an
    employer may not select) is refused whole; the explorer asks again without those fields."""
    record = {
        "idWerkzoekende": "w1",
        "mobiliteit": {"bemiddelingspostcode": "5611AB"},
        "persoonlijkePresentatie": "Ik werk graag met mijn handen.",
        "emailadres": ["w1@example.org"],
    }
    strict = await start_stack(
        [Source("gemeente", organisation_app(InMemoryAdapter(consented([record])), "gemeente"))],
        auth={"reject_unauthorized_operations": True},
        demo=True,
    )
    strict.gateway.graphiql_presets = {"Mehmet, werkgever": strict.issuer.headers(MEHMET)}
    try:
        async with opened(browser, strict.server.url) as page:
            await _new_search(page)
            for field in ("werkzoekendeProfielMatches", "edges", "node", "vumID"):
                await _tick(page, field)
            await _execute(page)
            await _matches(page)
            await page.locator(".vum-match").first.click()
            detail = page.locator(".vum-detail")
            await detail.locator(".vum-fields").wait_for(timeout=TIMEOUT)
            assert (
                "Ik werk graag met mijn handen."
                in await detail.locator("[data-field=persoonlijkePresentatie]").inner_text()
            )
            withheld = await detail.locator(".vum-withheld-summary").inner_text()
            assert "uw rol ziet contactgegevens nooit" in withheld and "emailadres" in withheld
            assert "w1@example.org" not in await page.locator(".vum-results").inner_text()
    finally:
        await strict.close()
