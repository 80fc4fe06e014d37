"""One frame for every page, in the reader's language, on a phone: in headless Chromium and over HTTP.

The language chosen with the switch sticks (a cookie set by `?lang=`) across plain links; error pages
speak it too; a reader who asks for neither Swedish nor English gets English. At 390 px no page scrolls
sideways.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from ..live import chromium

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: Every kind of HTML page.
PAGES = ("/", "/doc/node-city/uppsala", "/doc/county/uppsala-lan", "/def/oms", "/def/shapes", "/sparql",
         "/download/", "/doc/county/no-such-county")  # fmt: skip

RESULTS = ("SELECT ?county ?name ?code WHERE { ?county a <https://w3id.org/oms-ld/def/oms#County> ; "
           "<http://www.w3.org/2000/01/rdf-schema#label> ?name ; <https://w3id.org/oms-ld/def/oms#countyCode> ?code }")


@pytest.fixture()
def swedish_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A fresh Chromium (no cookies) that asks for Swedish first."""
    driver = chromium(tmp_path_factory.mktemp("chromium-frame"), languages="sv,en")
    yield driver
    driver.quit()


def html_lang(driver: Any) -> str:
    return str(driver.execute_script("return document.documentElement.lang"))


def click(driver: Any, selector: str) -> None:
    from selenium.webdriver.common.by import By

    element = driver.find_element(By.CSS_SELECTOR, selector)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def test_the_language_choice_sticks_across_links(swedish_browser: Any, server: str) -> None:
    browser = swedish_browser
    browser.get(server + "/")
    assert html_lang(browser) == "sv"
    click(browser, "nav.langs a[hreflang='en']")
    assert html_lang(browser) == "en"
    # Three plain links later (no ?lang= in any of them) the page is still English.
    click(browser, "ul.members a[href='/id/node-city/gavle']")
    assert browser.current_url == server + "/doc/node-city/gavle" and html_lang(browser) == "en"
    click(browser, "nav.menu a[href='/download/']")
    assert html_lang(browser) == "en"
    assert browser.find_element("css selector", "h1").text == "Downloads"
    click(browser, "nav.menu a[href='/sparql']")
    assert html_lang(browser) == "en"
    browser.get(server + "/doc/county/no-such-county")
    assert html_lang(browser) == "en" and "404 Not Found" in browser.find_element("css selector", "h1").text
    # And back: Swedish sticks the same way.
    click(browser, "nav.langs a[hreflang='sv']")
    click(browser, "nav.menu a[href='/def/oms']")
    assert html_lang(browser) == "sv"


@pytest.mark.parametrize("path", ["/", "/doc/strategy/oms-2050"])
def test_a_reader_sees_the_directions_in_the_source_text_order(swedish_browser: Any, server: str, path: str) -> None:
    """As shown in the browser (not only in the markup): ÖMS 2050's directions by oms:ordinal, 1 to 5."""
    browser = swedish_browser
    browser.get(server + path)
    shown = browser.execute_script(
        "return [...document.querySelectorAll('a[href^=\"/id/strategy/oms-2050/direction-\"]')]"
        ".filter(a => a.offsetParent !== null).map(a => a.getAttribute('href').slice(-1))"
    )
    assert shown and all(shown[i : i + 5] == ["1", "2", "3", "4", "5"] for i in range(0, len(shown), 5)), shown


def test_the_404_page_in_swedish_and_english(swedish_browser: Any, server: str) -> None:
    browser = swedish_browser
    browser.get(server + "/doc/county/no-such-county")
    assert html_lang(browser) == "sv"
    assert browser.find_element("css selector", "h1").text == "404 Sidan finns inte"
    assert browser.find_elements("css selector", "header.site nav.menu a")
    browser.get(server + "/doc/county/no-such-county?lang=en")
    assert html_lang(browser) == "en"
    assert browser.find_element("css selector", "h1").text == "404 Not Found"


def test_no_page_scrolls_sideways_on_a_phone(swedish_browser: Any, server: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser = swedish_browser
    browser.set_window_size(390, 844)
    try:
        for path in PAGES:
            browser.get(server + path)
            width = browser.execute_script("return document.documentElement.scrollWidth")
            inner = browser.execute_script("return window.innerWidth")
            assert inner <= 390 and width <= 390, (path, width)
        # The query page with YASGUI's results table.
        browser.get(server + "/sparql?run=1&query=" + quote(RESULTS, safe=""))
        WebDriverWait(browser, 15).until(
            lambda d: d.execute_script("return document.querySelectorAll('#yasgui .yasr tbody tr').length >= 7")
        )
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    finally:
        browser.set_window_size(1280, 800)


def test_the_download_table_fits_at_1280_px(swedish_browser: Any, server: str) -> None:
    browser = swedish_browser
    browser.get(server + "/download/")
    box = browser.execute_script(
        "const s = document.querySelector('.downloads .scroll'); return [s.scrollWidth, s.clientWidth]"
    )
    assert box[0] <= box[1], "the SHA-256 column is cut off"


# --- over HTTP, without a browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def web() -> Any:
    from oms_ld import create_app

    return create_app({"TESTING": True}).test_client()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_frame(web: Any, path: str) -> None:
    for lang in ("sv", "en"):
        text = web.get(f"{path}?lang={lang}", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
        assert f'<html lang="{lang}">' in text
        assert 'name="viewport"' in text and 'href="/static/style.css"' in text and 'rel="icon"' in text
        for part in ('<header class="site">', '<nav class="langs"', '<nav class="wrap menu"', "<main", "<footer"):
            assert part in text, (path, part)


@pytest.mark.parametrize(
    ("accept_language", "cookie", "query", "expected"),
    [
        ("sv", None, "", "sv"),
        ("en-GB,en;q=0.9", None, "", "en"),
        ("de-DE,de;q=0.9", None, "", "en"),
        (None, None, "", "sv"),  # no preference: the language of the source text
        ("sv", "en", "", "en"),
        ("en", "sv", "", "sv"),
        ("en", "sv", "?lang=en", "en"),
        ("sv", "xx", "", "sv"),
    ],
)
def test_page_language(web: Any, accept_language: str | None, cookie: str | None, query: str, expected: str) -> None:
    headers = {"Accept": BROWSER_ACCEPT, **({"Accept-Language": accept_language} if accept_language else {})}
    if cookie:
        web.set_cookie("lang", cookie)
    else:
        web.delete_cookie("lang")
    for path in ("/", "/doc/node-city/uppsala", "/download/", "/doc/county/no-such-county"):
        response = web.get(path + query, headers=headers)
        assert response.headers["Content-Language"] == expected, path
        assert {"Accept-Language", "Cookie"} <= set(response.vary), path
    web.delete_cookie("lang")


def test_lang_sets_the_cookie_once(web: Any) -> None:
    web.delete_cookie("lang")
    first = web.get("/?lang=en", headers={"Accept": BROWSER_ACCEPT})
    assert re.match(r"lang=en;", first.headers["Set-Cookie"])
    assert "SameSite=Lax" in first.headers["Set-Cookie"]
    again = web.get("/?lang=en", headers={"Accept": BROWSER_ACCEPT})
    assert "Set-Cookie" not in again.headers
    assert web.get("/?lang=xx", headers={"Accept": BROWSER_ACCEPT}).headers["Content-Language"] == "en"
    web.delete_cookie("lang")


def test_landing_title_does_not_repeat_itself(web: Any) -> None:
    text = web.get("/?lang=sv", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", text)
    assert title is not None and title.group(1).count("ÖMS länkade data") == 1


def test_favicon_ico(web: Any) -> None:
    response = web.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    response.close()


def test_a_page_does_not_claim_rdf_it_does_not_have(web: Any) -> None:
    """A node city's page shows its places' points; they are not in its document, and the page says so."""
    city = web.get("/doc/node-city/uppsala?lang=en", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
    city_rdf = web.get("/doc/node-city/uppsala.nt").get_data(as_text=True)
    assert "POINT(" in city and "POINT(" not in city_rdf
    assert "own documents" in city and "The same content as RDF" not in city
    place = web.get("/doc/place/uppsala?lang=en", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
    assert "POINT(" in web.get("/doc/place/uppsala.nt").get_data(as_text=True)
    assert "own documents" not in place


@pytest.mark.parametrize(("lang", "heading"), [("sv", "406 Formatet finns inte"), ("en", "406 Not Acceptable")])
def test_a_406_page_speaks_the_page_language(web: Any, lang: str, heading: str) -> None:
    response = web.get(f"/.well-known/void?lang={lang}", headers={"Accept": "text/html"})
    text = response.get_data(as_text=True)
    assert response.status_code == 406 and response.headers["Content-Language"] == lang
    assert f"<h1>{heading}</h1>" in text and f'<html lang="{lang}">' in text
    assert "text/turtle" in text  # the formats that are available
    web.delete_cookie("lang")


def test_no_ui_string_is_shadowed_by_a_dict_method() -> None:
    """Templates read `t.key`; Jinja tries attributes first, so `t.copy` would be dict.copy, not the text."""
    from oms_ld.web.i18n import UI

    assert [key for key in UI["sv"] if hasattr(dict, key)] == []


def test_the_download_page_copy_buttons(web: Any) -> None:
    text = web.get("/download/?lang=sv", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
    button = r'<button type="button" class="copy" data-copy="[0-9a-f]{64}" hidden>Kopiera<span class="vh">'
    assert re.search(button, text)
    assert "built-in method" not in text
