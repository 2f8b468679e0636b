"""The help page's steps in a real browser: Debian's headless Chromium, driven by Selenium
through Debian's chromedriver, against ``order-cancellation serve`` on a SQLite file.

Screenshots of each step go to ``test-artifacts/browser/NN-step.png``. Without Chromium
the tests skip, saying why; under ``CI=true`` they fail instead, so CI cannot pass without
running them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from order_cancellation import LineItem, Money, PaymentRef, Sales

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "browser"


def _need_chromium() -> None:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).exists()]
    if not missing:
        return
    reason = f"{', '.join(missing)} missing: apt-get install chromium chromium-driver"
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests must run in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _on(port: int) -> list[str]:
    return ["--shop", "acme", "--port", str(port)]


@attrs.frozen
class Served:
    url: str
    db: Path
    token: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """acme on a SQLite file with an open and a fulfilled order, served by `serve`."""
    _need_chromium()
    db = tmp_path_factory.mktemp("browser") / "shop.db"
    with Sales.sqlite(db, shop="acme") as sales:
        sales.set_stock("MUG", 10)
        sales.set_stock("TEE", 10)
        sales.define_status_label("Canceled - out of stock")
        card = PaymentRef(provider="card", reference="pay-1")
        sales.place_order(
            [
                LineItem("MUG", 2, Money.of("12.50", "EUR")),
                LineItem("TEE", 1, Money.of("20", "EUR")),
            ],
            payment=card,
            order_id="1001",
        )
        sales.place_order(
            [LineItem("TEE", 3, Money.of("20", "EUR"))], payment=card, order_id="1002"
        )
        sales.fulfill("1002")
        token = sales.create_api_token(name="browser test")[0]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "order_cancellation", "serve", "--db", str(db), *_on(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{url}/sign-in", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield Served(url, db, token)
    finally:
        server.terminate()
        server.wait(timeout=10)
        assert server.stdout is not None
        server.stdout.close()


@pytest.fixture(scope="module")
def browser(served: Served) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,900")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: WebDriver, name: str) -> None:
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def stock(served: Served, sku: str) -> int:
    with Sales.sqlite(served.db, shop="acme") as sales:
        return sales.stock_level(sku)


def test_canceling_an_open_order_as_the_help_page_says(browser: WebDriver, served: Served) -> None:
    d = browser
    d.get(f"{served.url}/sign-in")
    d.find_element(By.ID, "token").send_keys(served.token)
    shot(d, "01-sign-in")
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    # 1. Go to Sales.
    d.find_element(By.LINK_TEXT, "Sales").click()
    shot(d, "02-sales")
    # 2. Open the order.
    d.find_element(By.LINK_TEXT, "1001").click()
    shot(d, "03-order")
    # 3. Click Cancel Order: the dialog opens with the focus inside it.
    d.find_element(By.ID, "cancel-order").click()
    dialog = d.find_element(By.ID, "cancel-dialog")
    assert dialog.get_attribute("open") is not None
    assert d.execute_script(
        "return document.getElementById('cancel-dialog').contains(document.activeElement)"
    )
    # 4. The status after cancellation: Canceled by default; pick another.
    select = Select(d.find_element(By.ID, "status"))
    assert select.first_selected_option.text == "Canceled"
    select.select_by_visible_text("Canceled - out of stock")
    # 5. The reason.
    d.find_element(By.ID, "reason").send_keys("Supplier cannot deliver")
    shot(d, "04-cancel-dialog")
    # 6. Confirm.
    d.find_element(By.ID, "confirm-cancel").click()
    status = d.find_element(By.ID, "order-status").text
    assert status == "Canceled - out of stock"
    assert "Cancel Order" not in d.page_source
    shot(d, "05-order-canceled")
    # The refund order is under Sales > Returns, and the stock is back.
    d.find_element(By.LINK_TEXT, "Returns").click()
    row = d.find_element(By.XPATH, "//tr[td/a[text()='1001']]")
    assert "Cancellation" in row.text
    assert "Supplier cannot deliver" in row.text
    shot(d, "06-returns")
    assert (stock(served, "MUG"), stock(served, "TEE")) == (10, 10 - 3)


def test_a_fulfilled_order_offers_a_return_instead(browser: WebDriver, served: Served) -> None:
    d = browser
    d.get(f"{served.url}/orders/1002")
    assert d.find_elements(By.ID, "cancel-order") == []
    shot(d, "07-fulfilled-order")
    d.find_element(By.ID, "create-return").click()
    units = d.find_element(By.CSS_SELECTOR, "input[type=number]")
    units.clear()
    units.send_keys("2")
    d.find_element(By.ID, "reason").send_keys("Wrong size")
    shot(d, "08-return-form")
    d.find_element(By.ID, "confirm-return").click()
    assert "Return created" in d.find_element(By.CSS_SELECTOR, ".flash").text
    shot(d, "09-return-created")
    assert stock(served, "TEE") == 10 - 3 + 2


def test_a_form_without_the_csrf_token_is_refused(browser: WebDriver, served: Served) -> None:
    d = browser
    d.get(f"{served.url}/orders")
    d.execute_script(
        "const form = document.createElement('form');"
        "form.method = 'post'; form.action = '/orders/1002/cancel';"
        "document.body.appendChild(form); form.submit();"
    )
    heading = d.find_element(By.TAG_NAME, "h1").text
    assert heading == "Form refused"
    shot(d, "10-csrf-refused")
    with Sales.sqlite(served.db, shop="acme") as sales:
        assert sales.get_order("1002").state == "fulfilled"
