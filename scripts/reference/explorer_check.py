"""Drives the built-in GraphQL explorer in headless Chromium over the DevTools protocol, as a
user would: the schema browser fills from introspection, a typed query runs, clicking a root
field inserts a skeleton, and a subscription receives a run's events live until the server
completes it. Prints what it saw as JSON for the end-to-end test to check.

usage: explorer_check.py BASE_URL SESSION_ID API_KEY (typed into the page's token field)
"""
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websockets


def start_chromium(profile):
    process = subprocess.Popen(
        ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    marker = os.path.join(profile, "DevToolsActivePort")
    deadline = time.time() + 30
    while time.time() < deadline:
        if os.path.exists(marker):
            lines = open(marker).read().split()
            if lines:
                return process, int(lines[0])
        time.sleep(0.1)
    process.kill()
    raise SystemExit("Chromium did not open its DevTools port")


class Page:
    def __init__(self, socket):
        self.socket = socket
        self.next_id = 0

    async def call(self, method, **params):
        self.next_id += 1
        ident = self.next_id
        await self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(await self.socket.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    async def evaluate(self, expression):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if await self.evaluate(expression):
                return
            await asyncio.sleep(0.1)
        status = await self.evaluate("document.getElementById('status').textContent")
        raise RuntimeError(f"timed out waiting for {expression}; status: {status}")


def graphql(base, query, variables, key):
    request = urllib.request.Request(
        base + "/graphql", data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    return json.load(urllib.request.urlopen(request))


async def main(base, session_id, key):
    profile = tempfile.mkdtemp()
    chromium, port = start_chromium(profile)
    out = {}
    try:
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        target = next(t for t in targets if t["type"] == "page")
        async with websockets.connect(target["webSocketDebuggerUrl"], max_size=None) as socket:
            page = Page(socket)
            await page.call("Page.navigate", url=base + "/graphql")
            await page.wait_for("document.querySelectorAll('#types li').length > 0")
            await page.evaluate(f"document.getElementById('token').value = {json.dumps(key)}; true")
            out["title"] = await page.evaluate("document.title")
            out["types"] = await page.evaluate("document.querySelectorAll('#types li').length")
            out["roots"] = await page.evaluate(
                "Object.fromEntries([...document.querySelectorAll('[data-root]')].map(u => [u.dataset.root, u.children.length]))")

            await page.evaluate("document.querySelector('#types a').click(); true")
            out["typePage"] = await page.evaluate("document.querySelector('#schema h2').textContent")
            await page.evaluate("document.querySelector('#schema a').click(); true")  # back to the schema

            await page.evaluate(
                "document.getElementById('query').value = '{ health { status } }';"
                "document.getElementById('run').click(); true")
            await page.wait_for("document.getElementById('result').textContent.includes('status')")
            out["query"] = json.loads(await page.evaluate("document.getElementById('result').textContent"))

            await page.evaluate(
                "[...document.querySelectorAll('[data-root=query] a')].find(a => a.textContent === 'benchmark').click(); true")
            out["skeleton"] = await page.evaluate("document.getElementById('query').value")
            out["skeletonVariables"] = json.loads(await page.evaluate("document.getElementById('variables').value"))

            subscription = "subscription($id: UUID!) { testCompleted(sessionId: $id) { testId status } }"
            await page.evaluate(
                f"document.getElementById('query').value = {json.dumps(subscription)};"
                f"document.getElementById('variables').value = {json.dumps(json.dumps({'id': session_id}))};"
                "document.getElementById('run').click(); true")
            await page.wait_for("document.getElementById('status').textContent.includes('subscribed')")
            out["resumed"] = graphql(base, "mutation($id: UUID!) { resumeBenchmark(id: $id) { id } }", {"id": session_id}, key)
            await page.wait_for("document.getElementById('status').textContent.includes('complete')", timeout=120)
            out["status"] = await page.evaluate("document.getElementById('status').textContent")
            out["events"] = json.loads(await page.evaluate("document.getElementById('result').textContent"))
            # The fields of every event arrive in the order the subscription selected them.
            out["keyOrders"] = sorted({",".join(e["data"]["testCompleted"].keys()) for e in out["events"]})
    finally:
        chromium.kill()
        chromium.wait()
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(out))


asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
