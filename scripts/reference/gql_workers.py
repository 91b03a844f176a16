"""The gql Python client (websockets transport, graphql-transport-ws) watching a distributed run
through `ltb serve`: it subscribes to workerEvents, submits a suite with
createBenchmark(distributed: true), waits for the session to end, then reads the workers query;
it prints what it saw as JSON for the end-to-end test to check.

usage: gql_workers.py WS_URL SUITE_FILE API_KEY
"""
import asyncio
import json
import sys

from gql import gql

from gql_connect import connect

WORKER_FIELDS = """name state providers maxConcurrentTasks cpuCores leasedTasks tasksDone tasksRefused
  tasksPerSecond scheduleLagP50Ms scheduleLagP99Ms lastHeartbeatAt"""


async def main(url, suite, key):
    async with connect(url, key) as session:
        events = []

        async def follow():
            query = gql("subscription { workerEvents { kind worker { %s } } }" % WORKER_FIELDS)
            async for result in session.subscribe(query):
                events.append(result["workerEvents"])

        task = asyncio.create_task(follow())
        await asyncio.sleep(1.5)  # the first reading announces the workers already there
        created = await session.execute(
            gql("mutation($s: String!) { createBenchmark(input: { suite: $s, distributed: true }) { id status } }"),
            variable_values={"s": suite},
        )
        session_id = created["createBenchmark"]["id"]
        final = None
        for _ in range(240):
            final = await session.execute(
                gql("query($id: UUID!) { benchmark(id: $id) { status resultCounts } }"),
                variable_values={"id": session_id},
            )
            if final["benchmark"]["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
                break
            await asyncio.sleep(0.25)
        await asyncio.sleep(2.5)  # heartbeats carry each worker's figures; events follow within a second
        workers = await session.execute(gql("{ workers { %s } }" % WORKER_FIELDS))
        task.cancel()
    print(json.dumps({"created": created, "final": final, "workers": workers["workers"], "events": events}))


asyncio.run(main(sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]))
