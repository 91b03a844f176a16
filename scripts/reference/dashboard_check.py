"""Drives the dashboard in Debian's Chromium through chromedriver with Selenium, as a team lead
would: signs in, starts a benchmark from a suite, watches the live page reach 100 % (the socket
is dropped once on the way and must reconnect by itself), checks that the percentiles shown
equal the stored summary, opens a failed case, compares two sessions, creates and revokes an API
key, and sees a viewer refused the admin pages. Every page gets a screenshot, an axe-core audit
(serious or critical violations fail it) and a console check. Prints what it saw as JSON.

usage: dashboard_check.py BASE_URL SUITE_YAML OTHER_SESSION_ID ARTIFACTS_DIR
  (users admin / password-of-admin and viewer / password-of-viewer must exist)
"""
import json
import os
import sys
import time
import urllib.request

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE, SUITE, OTHER, ARTIFACTS = sys.argv[1:5]
report = {"pages": {}, "failures": []}


def fail(message):
    report["failures"].append(message)


def start():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


driver = start()
wait = WebDriverWait(driver, 60)


def css(selector):
    return wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, selector)))


def text_of(selector):
    return driver.find_element(By.CSS_SELECTOR, selector).text


def heading(expected):
    wait.until(lambda d: expected in d.find_element(By.TAG_NAME, "h1").text)


def audit(name):
    """Screenshot, axe-core, console: the checks every page gets."""
    time.sleep(0.3)
    driver.save_screenshot(os.path.join(ARTIFACTS, f"{name}.png"))
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    # The API's own refusals (a wrong password, a broken suite) are answers the page shows, which
    # Chromium also logs as failed loads; every other severe entry is a script error.
    logged = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    refusals = [e for e in logged if "/graphql - Failed to load resource" in e["message"]]
    console = [e for e in logged if e not in refusals]
    report.setdefault("apiRefusals", []).extend(e["message"][-60:] for e in refusals)
    report["pages"][name] = {
        "violations": [f'{v["id"]} ({v["impact"]}): {v["nodes"][0]["target"]}' for v in serious],
        "console": [entry["message"][:300] for entry in console],
    }
    for v in serious:
        fail(f'{name}: axe {v["id"]} ({v["impact"]}) at {v["nodes"][0]["target"]}')
    for entry in console:
        fail(f'{name}: console error {entry["message"][:300]}')


def api(query, variables=None):
    """The API as the signed-in page is: with the page's own access token."""
    token = driver.execute_script("return JSON.parse(localStorage.getItem('ltb.auth')).accessToken")
    request = urllib.request.Request(
        BASE + "/graphql", data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    return json.load(urllib.request.urlopen(request))


def sign_in(user, password):
    driver.get(BASE + "/")
    css("input[name=username]").send_keys(user)
    css("input[name=password]").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    heading("Sessions")


try:
    # Sign in: / redirects to the dashboard's sign-in page.
    driver.get(BASE + "/")
    css("input[name=username]")
    report["landing"] = driver.current_url
    audit("sign-in")
    css("input[name=username]").send_keys("admin")
    css("input[name=password]").send_keys("wrong password")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    report["wrongPassword"] = css(".problem").text
    sign_in("admin", "password-of-admin")
    audit("sessions")

    # Start a benchmark from the suite, pasted into the form.
    driver.get(BASE + "/dashboard/#/sessions/new")
    box = css("textarea[name=suite]")
    box.clear()
    driver.execute_script("arguments[0].value = arguments[1]", box, "name: broken\ndatasets: [\n")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    report["badSuite"] = css(".problem").text
    audit("new-run")
    driver.execute_script("arguments[0].value = arguments[1]", box, open(SUITE).read())
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(lambda d: "/sessions/" in d.current_url and d.current_url.count("-") >= 4)
    session_id = driver.current_url.rsplit("/", 1)[1]
    report["sessionId"] = session_id

    # Live: figures arrive, the socket is dropped once and comes back, the run reaches 100 %.
    css("[data-live=percent]")
    first = text_of("[data-live=completed]")
    driver.execute_script("window.dispatchEvent(new Event('ltb-drop-socket'))")
    seen = set()
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            seen.add(text_of("[data-live=percent]"))
            if "Stored summary" in driver.find_element(By.ID, "main").text:
                break
        except Exception:
            pass
        time.sleep(0.2)
    report["livePercents"] = sorted(seen)
    report["firstCompleted"] = first
    report["finalPercent"] = text_of("[data-live=percent]")
    audit("live-run")

    # The figures shown equal the stored summary's (the API's own numbers, formatted alike).
    stored = api("query($id: UUID!) { metrics(sessionId: $id) { timeToFirstToken { p50 p90 p99 mean } endToEnd { p50 p90 p99 mean } } }",
                 {"id": session_id})["data"]["metrics"][0]
    shown = {}
    for metric, key in (("ttft", "timeToFirstToken"), ("e2e", "endToEnd")):
        for p in ("p50", "p90", "p99", "mean"):
            want = f'{stored[key][p]:,.1f}'
            for place in ("live", "stored"):
                got = text_of(f'[data-metric="{place}-{metric}-{p}"]')
                shown[f"{place}-{metric}-{p}"] = got
                if got != want:
                    fail(f"{place} {metric} {p}: shown {got}, stored {want}")
    report["shown"] = shown

    # Results: filter to the failures, open one.
    driver.get(BASE + f"/dashboard/#/sessions/{session_id}/results")
    heading("Results")
    audit("results")
    Select(css("select[name=status]")).select_by_value("TIMEOUT")
    driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait.until(lambda d: "status=TIMEOUT" in d.current_url)
    time.sleep(0.5)
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr td:first-child a")
    report["timeoutRows"] = len(rows)
    rows[0].click()
    heading("Case")
    report["failedCase"] = driver.find_element(By.ID, "main").text[:600]
    audit("case")

    # Compare the run with the other session.
    driver.get(BASE + f"/dashboard/#/compare?sessions={OTHER},{session_id}")
    css("[data-verdict]")
    css("table.matrix")
    report["verdicts"] = {e.get_attribute("data-verdict"): e.text for e in driver.find_elements(By.CSS_SELECTOR, "[data-verdict]")}
    report["matrixCells"] = len(driver.find_elements(By.CSS_SELECTOR, "table.matrix .cell"))
    report["pareto"] = text_of("[data-pareto=front]") if driver.find_elements(By.CSS_SELECTOR, "[data-pareto=front]") else None
    audit("compare")

    # An API key: created (shown once, and it works), then revoked (and refused).
    driver.get(BASE + "/dashboard/#/admin/keys")
    heading("API keys")
    css("input[name=name]").send_keys("from the browser")
    driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    key = css("code.key").text
    report["keyPrefix"] = key[:4]

    def me(with_key):
        request = urllib.request.Request(BASE + "/api/v1/me", headers={"Authorization": f"Bearer {with_key}"})
        try:
            return urllib.request.urlopen(request).status
        except urllib.error.HTTPError as error:
            return error.code

    report["keyWorks"] = me(key)
    audit("keys")
    key_id = css("code.key").get_attribute("data-created-key")
    css(f'button[data-revoke="{key_id}"]').click()
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, f'button[data-revoke="{key_id}"]'))
    report["keyAfterRevoke"] = me(key)
    driver.get(BASE + "/dashboard/#/admin/users")
    heading("Users")
    audit("users")
    for tab in ("providers", "plugins", "alerts", "audit", "workers"):
        driver.get(BASE + f"/dashboard/#/admin/{tab}")
        css("nav.tabs")
        time.sleep(0.5)
        audit(f"admin-{tab}")

    # Dark theme and a phone's screen.
    driver.find_element(By.ID, "theme").click()
    driver.get(BASE + f"/dashboard/#/sessions/{session_id}")
    heading("")
    css("[data-metric]")
    report["theme"] = driver.execute_script("return document.documentElement.dataset.theme")
    audit("run-dark")
    driver.set_window_size(390, 844)
    driver.get(BASE + "/dashboard/#/sessions")
    heading("Sessions")
    report["phoneNavVisible"] = driver.find_element(By.ID, "nav").is_displayed()
    report["phoneOverflow"] = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    audit("sessions-phone")
    driver.set_window_size(1280, 900)

    # What a first visit loads, in bytes (uncompressed, the cache off).
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    driver.get("about:blank")
    driver.get(BASE + "/dashboard/#/sessions")
    heading("Sessions")
    report["transferBytes"] = driver.execute_script(
        "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
        ".filter(e => !e.name.includes('/graphql')).reduce((sum, e) => sum + e.decodedBodySize, 0)")

    # A viewer: no admin link, and the admin pages refused.
    driver.find_element(By.ID, "signout").click()
    css("input[name=username]")
    sign_in("viewer", "password-of-viewer")
    report["viewerNav"] = text_of("#nav")
    driver.get(BASE + "/dashboard/#/admin/users")
    heading("Not allowed")
    report["viewerAdmin"] = driver.find_element(By.ID, "main").text[:300]
    audit("viewer-refused")
    report["viewerUsersAPI"] = api("{ users { id } }").get("errors", [{}])[0].get("extensions", {}).get("code")
except Exception as error:  # noqa: BLE001 - every failure is reported with a screenshot
    driver.save_screenshot(os.path.join(ARTIFACTS, "failure.png"))
    fail(f"{type(error).__name__}: {error}")
    report["url"] = driver.current_url
    try:
        report["main"] = driver.find_element(By.ID, "main").text[:1000]
    except Exception:
        pass
finally:
    driver.quit()

print(json.dumps(report, indent=1))
sys.exit(1 if report["failures"] else 0)
