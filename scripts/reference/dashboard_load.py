"""Watches a fast run on the dashboard's live page in headless Chromium and measures how far the
page's figures trail the stored data, and whether the page's memory stays flat.

usage: dashboard_load.py BASE_URL SUITE_YAML SECONDS   (user admin / password-of-admin must exist)

Every 2 s it reads the completed count the page shows, then the count of stored results from
the API; the lag is how long the run takes to add the difference at its current rate. Every
30 s it reads Chromium's JavaScript heap after a garbage collection.
"""
import json
import statistics
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE, SUITE, SECONDS = sys.argv[1], sys.argv[2], float(sys.argv[3])
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,900", "--js-flags=--expose-gc", "--enable-precise-memory-info"]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 60)


def api(query, variables=None):
    token = driver.execute_script("return JSON.parse(localStorage.getItem('ltb.auth')).accessToken")
    request = urllib.request.Request(
        BASE + "/graphql", data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    return json.load(urllib.request.urlopen(request))["data"]


def heap():
    driver.execute_script("window.gc && window.gc()")
    return driver.execute_script("return performance.memory.usedJSHeapSize")


try:
    driver.get(BASE + "/")
    wait.until(EC.presence_of_element_located((By.NAME, "username"))).send_keys("admin")
    driver.find_element(By.NAME, "password").send_keys("password-of-admin")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(lambda d: "Sessions" in d.find_element(By.TAG_NAME, "h1").text)
    session = api("mutation($s: String!) { createBenchmark(input: { suite: $s }) { id } }",
                  {"s": open(SUITE).read()})["createBenchmark"]["id"]
    driver.get(BASE + f"/dashboard/#/sessions/{session}")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-live=completed]")))
    lags, heaps, rates = [], [], []
    start = time.time()
    next_heap = start
    previous = None
    while time.time() - start < SECONDS:
        # Read in the page itself: the figures are redrawn every second, so a found element can
        # be replaced before its text is asked for.
        text = driver.execute_script("return document.querySelector('[data-live=completed]')?.textContent || ''")
        if not text:
            time.sleep(0.2)
            continue
        shown = int(text.split()[0].replace(",", ""))
        counts = api("query($id: UUID!) { benchmark(id: $id) { status resultCounts } }", {"id": session})["benchmark"]
        stored = sum(counts["resultCounts"].values())
        now = time.time()
        if previous:
            rate = (stored - previous[1]) / (now - previous[0])
            if rate > 0:
                rates.append(rate)
                lags.append(max(0, stored - shown) / rate)
        previous = (now, stored)
        if now >= next_heap:
            heaps.append(heap())
            next_heap = now + 30
        if counts["status"] != "RUNNING":
            break
        time.sleep(2)
    api("mutation($id: UUID!) { cancelBenchmark(id: $id) { id } }", {"id": session})
    lags.sort()
    print(f"dashboard live page over {time.time() - start:.0f} s at {statistics.median(rates):.0f} results/s stored (median): "
          f"figures trail the store by p50 {statistics.median(lags):.2f} s, max {lags[-1]:.2f} s over {len(lags)} samples")
    print(f"  JavaScript heap after GC: first {heaps[0] / 1e6:.1f} MB, last {heaps[-1] / 1e6:.1f} MB, "
          f"max {max(heaps) / 1e6:.1f} MB over {len(heaps)} samples")
finally:
    driver.quit()
