"""The Python gql client following the `alerts` subscription of `ltb serve` while a benchmark
it creates runs: prints every alert event it saw, as JSON, once a RESOLVED one for RULE came
(or after the timeout).

usage: gql_alerts.py WS_URL SUITE_FILE API_KEY RULE
"""
import asyncio
import json
import sys

from gql import gql

from gql_connect import connect


async def main(url, suite, key, rule):
    async with connect(url, key) as session:
        events = []

        async def follow():
            query = gql("subscription { alerts { id rule state severity message value threshold sessionId provider } }")
            async for result in session.subscribe(query):
                events.append(result["alerts"])
                if result["alerts"]["rule"] == rule and result["alerts"]["state"] == "RESOLVED":
                    return

        task = asyncio.create_task(follow())
        await asyncio.sleep(0.5)  # the subscription is registered before the run starts
        created = await session.execute(
            gql("mutation($s: String!) { createBenchmark(input: { suite: $s }) { id } }"),
            variable_values={"s": suite},
        )
        try:
            await asyncio.wait_for(task, 120)
        except asyncio.TimeoutError:
            pass
        stored = await session.execute(
            gql("query($id: UUID!) { alerts(sessionId: $id) { id rule state value resolvedAt } }"),
            variable_values={"id": created["createBenchmark"]["id"]},
        )
    print(json.dumps({"session": created["createBenchmark"]["id"], "events": events, "stored": stored["alerts"]}))


asyncio.run(main(sys.argv[1], open(sys.argv[2]).read(), sys.argv[3], sys.argv[4]))
