"""The UI as a person sees it, in real headless Chromium against the real stack.

Run by scripts/test after the Swift tests, with a worker whose backtests take a
few seconds (GAUNTLET_TEST_EXECUTOR_DELAY_MS) so badges can be seen while jobs
run. Environment: GAUNTLET_TEST_BASE_URL, GAUNTLET_ADMIN_TOKEN,
GAUNTLET_TEST_SCREENSHOTS (a directory). Prints "N passed, M failed".
"""

import json
import os
import re
import sys
import time
import traceback
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

BASE = os.environ["GAUNTLET_TEST_BASE_URL"]
TOKEN = os.environ["GAUNTLET_ADMIN_TOKEN"]
SHOTS = os.environ.get("GAUNTLET_TEST_SCREENSHOTS", "/tmp")


def api(method, path, body=None, admin=False):
    request = urllib.request.Request(BASE + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if admin:
        request.add_header("X-Admin-Token", TOKEN)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def wait_for(what, condition, timeout=60.0, every=0.25):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = condition()
        except (NoSuchElementException, StaleElementReferenceException):
            value = None  # the page is still rendering or just re-rendered
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def browser():
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,1000"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def badge_states(driver):
    return [b.get_attribute("data-badge-state") for b in driver.find_elements(By.CSS_SELECTOR, "#bots-table .badge[data-badge-state]")]


def console_errors(driver):
    # Only errors the page itself raised; the tests ask for no wrong ids, so no 4xx either.
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_badges_and_kickoff(driver):
    # Every bot loses its evidence, so Kickoff has a whole wave to queue and run.
    api("POST", "/api/admin/reset-metrics", {"dryRun": False, "scope": "ALL", "reasonCode": "UI_TEST_RESET"}, admin=True)
    driver.get(BASE + "/")
    wait_for("bot rows", lambda: len(driver.find_elements(By.CSS_SELECTOR, "#bots-table tr[data-bot-id]")) >= 20)
    driver.find_element(By.ID, "health-button").click()
    wait_for("the health drawer", lambda: driver.find_element(By.ID, "health-drawer").is_displayed())
    completed_before = int(wait_for("the completed counter",
                                    lambda: driver.find_element(By.ID, "count-completed").get_attribute("data-count")))
    driver.find_element(By.ID, "kickoff-button").click()

    seen = set()

    def badges_seen():
        seen.update(badge_states(driver))
        return {"BACKTEST_RUNNING", "BACKTEST_QUEUED"} <= seen

    wait_for("purple Backtesting and grey Queued badges on bot rows", badges_seen, timeout=45)
    driver.save_screenshot(os.path.join(SHOTS, "bots-while-running.png"))
    running = driver.find_element(By.CSS_SELECTOR, '#bots-table .badge[data-badge-state="BACKTEST_RUNNING"]')
    assert running.text.startswith("Backtesting ×"), running.text
    queued = driver.find_element(By.CSS_SELECTOR, '#bots-table .badge[data-badge-state="BACKTEST_QUEUED"]')
    assert queued.text.startswith("Queued ×"), queued.text

    wait_for("the completed counter to move",
             lambda: int(driver.find_element(By.ID, "count-completed").get_attribute("data-count") or 0) > completed_before,
             timeout=60)

    # A bot whose backtest has finished keeps its badge (frozen) rather than going blank.
    def persisted():
        for bot in api("GET", "/api/bots")["bots"]:
            now = bot.get("now") or {}
            if now.get("state") == "BACKTEST_RUNNING" and not now.get("activeJobId"):
                return bot["id"]
        return None

    finished_bot = wait_for("a finished backtest's badge in the API", persisted, timeout=60)
    row_badge = wait_for("the finished bot's row", lambda: driver.find_elements(
        By.CSS_SELECTOR, f'#bots-table tr[data-bot-id="{finished_bot}"] .badge[data-badge-state]'))[0]
    assert row_badge.get_attribute("data-badge-state") == "BACKTEST_RUNNING", row_badge.get_attribute("data-badge-state")
    assert row_badge.text.startswith("Backtesting ×"), row_badge.text
    # The frozen badge shows how long the job ran (the worker sleeps 2 s per
    # backtest here), formatted by the UI from elapsedSeconds — never "• 0s".
    assert re.search(r" • (\d+\.\d|\d+)s$", row_badge.text), row_badge.text
    assert not row_badge.text.endswith("• 0s"), row_badge.text
    now = api("GET", f"/api/bots/{finished_bot}")["now"]
    if now["state"] == "BACKTEST_RUNNING" and not now.get("activeJobId"):
        assert now["elapsedSeconds"] is not None and now["elapsedSeconds"] >= 2, now
    driver.save_screenshot(os.path.join(SHOTS, "bots-page.png"))
    errors = console_errors(driver)
    assert not errors, errors


def test_backtest_page(driver):
    session = wait_for("a completed backtest with trades", lambda: next(
        (b for b in api("GET", "/api/backtests?status=COMPLETED&limit=50")["backtests"] if b["tradesCount"] > 0), None))
    driver.get(BASE + f"/backtest.html?id={session['id']}")
    drawn = wait_for("the equity chart", lambda: driver.find_element(By.ID, "equity-chart").get_attribute("data-drawn"))
    assert int(drawn) > 1, drawn
    rows = driver.find_elements(By.CSS_SELECTOR, "#trades-table tbody tr[data-trade-seq]")
    assert len(rows) == session["tradesCount"], (len(rows), session["tradesCount"])
    # The canvas really has pixels on it, not just an attribute.
    painted = driver.execute_script("""
        const c = document.querySelector('#equity-chart canvas') || document.getElementById('equity-chart');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
        return false;""")
    assert painted, "the equity chart canvas is blank"
    driver.save_screenshot(os.path.join(SHOTS, "backtest-page.png"))
    errors = console_errors(driver)
    assert not errors, errors


def test_research_page(driver):
    # Empty → Running → Completed through the page's own controls, then one grid's
    # heat map. scripts/test deletes the manual research runs before this test.
    driver.get(BASE + "/research.html")
    badge = driver.find_element(By.ID, "research-badge")
    state = wait_for("the research state", lambda: badge.get_attribute("data-state"))
    if state != "idle":
        raise AssertionError(f"the Research page is not Empty (the newest run is '{state}'): this test needs no research "
                             "runs at its start (scripts/test deletes the manual research runs before it)")
    root = driver.find_element(By.ID, "research-root")
    wait_for("the Empty state", lambda: "No runs yet" in root.text)
    assert not driver.find_elements(By.CSS_SELECTOR, ".research-tile"), "tiles in the Empty state"
    driver.save_screenshot(os.path.join(SHOTS, "research-empty.png"))

    archetype = "orb-30-es-1m"
    wait_for("the archetype list", lambda: driver.find_elements(By.CSS_SELECTOR, f'#research-archetype option[value="{archetype}"]'))
    Select(driver.find_element(By.ID, "research-archetype")).select_by_value(archetype)
    cells = driver.find_element(By.ID, "research-max-cells")
    cells.clear()
    cells.send_keys("9")
    driver.find_element(By.ID, "research-run").click()

    # Queued first (0/0), then planned: 9 cells of one grid.
    wait_for("the running badge with 9 cells", lambda: next(
        (p for p in driver.find_elements(By.ID, "research-progress") if re.match(r"Researching \d+/9 • ", p.text)), None), timeout=120)
    assert badge.get_attribute("data-state") == "running", badge.get_attribute("data-state")
    assert driver.find_element(By.ID, "research-run").get_attribute("disabled") is not None, "Run research is enabled while a run runs"
    driver.save_screenshot(os.path.join(SHOTS, "research-running.png"))

    # Completed, without a reload: the badge and the ES tile of that archetype.
    tile = wait_for("the completed tiles", lambda: badge.get_attribute("data-state") == "completed" and next(
        iter(driver.find_elements(By.CSS_SELECTOR, f'.research-tile[data-instrument="ES"][data-archetype="{archetype}"]')), None),
        timeout=240, every=0.5)
    assert driver.find_element(By.ID, "research-window").text.startswith("Completed"), driver.find_element(By.ID, "research-window").text
    assert "score" in tile.text, tile.text
    driver.save_screenshot(os.path.join(SHOTS, "research-completed.png"))

    # A click on the tile opens its grid: 9 cells, the selected one outlined, 9 rows.
    tile.click()
    heat_cells = wait_for("the heat map's 9 cells", lambda: (lambda c: c if len(c) == 9 else None)(
        driver.find_elements(By.CSS_SELECTOR, "#research-heatmap svg [data-cell]")))
    assert "selected" in tile.get_attribute("class"), tile.get_attribute("class")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#research-heatmap svg [data-selected]")) == 1, "no single selected cell"
    assert all(c.find_element(By.TAG_NAME, "title").get_attribute("textContent") for c in heat_cells), "a cell without its tooltip"
    rows = driver.find_elements(By.CSS_SELECTOR, "#research-rows tbody tr[data-cell]")
    assert len(rows) == 9, len(rows)
    selected = driver.find_element(By.CSS_SELECTOR, "#research-heatmap svg [data-selected]").get_attribute("data-cell")
    best = api("GET", "/api/backtests/latest")["instruments"]["ES"]
    assert int(selected) == best["cell"], (selected, best["cell"])
    # Rows sort by a header click: trades, descending first.
    driver.find_element(By.CSS_SELECTOR, '#research-rows th[data-sort="trades"] button').click()
    wait_for("rows sorted by trades", lambda: driver.find_element(
        By.CSS_SELECTOR, '#research-rows th[data-sort="trades"]').get_attribute("aria-sort") == "descending")
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", driver.find_element(By.ID, "research-grid"))
    time.sleep(0.5)  # the page scrolls smoothly to the grid; let it settle
    driver.save_screenshot(os.path.join(SHOTS, "research-heatmap.png"))

    # History: the run is listed under its ISO week and can be shown from there.
    run = api("GET", "/api/research/runs")["runs"][0]
    week = Select(driver.find_element(By.ID, "research-week"))
    wait_for("the run's week in the history", lambda: any(o.get_attribute("value") == run["isoWeek"] for o in week.options))
    week.select_by_value(run["isoWeek"])
    wait_for("the run shown from its week", lambda: driver.find_element(By.ID, "research-window").get_attribute("data-run-id") == run["id"]
             and driver.find_elements(By.CSS_SELECTOR, '.research-tile[data-instrument="ES"]'))
    errors = console_errors(driver)
    assert not errors, errors


def test_paper_page(driver):
    # scripts/test's end-to-end PaperTests ran a real runner replay before this
    # test, so at least one finished run (and its account) exists.
    driver.get(BASE + "/paper.html")
    select = Select(wait_for("the run selector", lambda: (lambda s: s if s.get_attribute("disabled") is None else None)(
        driver.find_element(By.ID, "paper-run-select"))))
    assert len(select.options) >= 1, "no paper run in the selector"
    wait_for("the runner heartbeat", lambda: driver.find_element(By.ID, "paper-running-count").get_attribute("data-running") is not None)
    wait_for("the kill switch state", lambda: driver.find_element(By.ID, "paper-kill-switch").get_attribute("data-engaged"))
    # The default run is the running one, else the newest; its account has an equity curve.
    wait_for("the equity curve", lambda: driver.find_elements(By.CSS_SELECTOR, "#paper-equity svg polyline"))
    points = driver.find_element(By.CSS_SELECTOR, "#paper-equity svg polyline").get_attribute("points")
    assert len(points.split()) >= 2, points
    rows = wait_for("order rows", lambda: driver.find_elements(By.CSS_SELECTOR, "#paper-orders tbody tr[data-order-id]"))
    assert rows, "no orders"
    limits = driver.find_element(By.ID, "paper-limits").text
    assert "daily loss $" in limits, limits
    time.sleep(0.3)
    driver.save_screenshot(os.path.join(SHOTS, "paper-page.png"))
    errors = console_errors(driver)
    assert not errors, errors
    # The run's bot page shows its paper evidence and paper equity beside the backtest's.
    run_id = driver.find_element(By.ID, "paper-root").get_attribute("data-run-id")
    run = json.loads(urllib.request.urlopen(f"{BASE}/api/paper/runs/{run_id}").read())
    driver.get(f"{BASE}/bot.html?id={run['botId']}")
    wait_for("the bot's paper equity", lambda: driver.find_elements(By.CSS_SELECTOR, "#bot-paper-equity svg polyline"))
    trades = driver.find_element(By.CSS_SELECTOR, "#bot-paper-evidence [data-metric='trades'] .val").text
    assert trades.isdigit(), trades
    driver.save_screenshot(os.path.join(SHOTS, "bot-paper.png"))
    errors = console_errors(driver)
    assert not errors, errors


def main():
    passed = failed = 0
    driver = browser()
    try:
        for test in (test_badges_and_kickoff, test_backtest_page, test_research_page, test_paper_page):
            try:
                test(driver)
                passed += 1
                print(f"ok   {test.__name__}")
            except Exception:
                failed += 1
                print(f"FAIL {test.__name__}")
                traceback.print_exc()
                driver.save_screenshot(os.path.join(SHOTS, f"failed-{test.__name__}.png"))
    finally:
        driver.quit()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
