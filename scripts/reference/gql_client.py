"""A real third-party GraphQL client (gql with its websockets transport, speaking
graphql-transport-ws) driving `ltb serve`: the schema fetched by introspection, a query, a mutation that creates a benchmark, a
benchmarkProgress subscription, and the mutation that starts the run; it prints what it saw as
JSON for the end-to-end test to check.

usage: gql_client.py WS_URL SUITE_FILE API_KEY

The key goes in the connection_init payload, as graphql-transport-ws servers expect.
"""
import asyncio
import json
import sys

from gql import gql

from gql_connect import connect


async def main(url, suite, key):
    async with connect(url, key) as session:
        schema_types = sorted(session.client.schema.type_map)
        health = await session.execute(gql("{ health { status } }"))
        created = await session.execute(
            gql("mutation($s: String!) { createBenchmark(input: { suite: $s, start: false }) { id totalTasks status } }"),
            variable_values={"s": suite},
        )
        session_id = created["createBenchmark"]["id"]
        events = []

        async def follow():
            query = gql(
                "subscription($id: UUID!) { benchmarkProgress(sessionId: $id) { completed total progressPercent } }"
            )
            async for result in session.subscribe(query, variable_values={"id": session_id}):
                events.append(result["benchmarkProgress"])

        task = asyncio.create_task(follow())
        await asyncio.sleep(0.5)  # the subscription is registered before the run starts
        await session.execute(
            gql("mutation($id: UUID!) { resumeBenchmark(id: $id) { id } }"), variable_values={"id": session_id}
        )
        await asyncio.wait_for(task, 180)
        final = await session.execute(
            gql("query($id: UUID!) { benchmark(id: $id) { status resultCounts } }"), variable_values={"id": session_id}
        )
    print(json.dumps({"health": health, "created": created, "events": events, "final": final, "schemaTypes": schema_types}))


asyncio.run(main(sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]))
