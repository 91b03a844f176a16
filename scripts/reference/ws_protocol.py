"""Drives the graphql-transport-ws protocol at the socket level with the `websockets` library
and prints, per scenario, what the server did (messages received, close code and reason) as JSON.

usage: ws_protocol.py WS_URL ADMIN_KEY VIEWER_KEY OTHER_SESSION_ID

The admin's key authenticates the protocol scenarios; the authentication scenarios try no
credential, a wrong one, and a viewer subscribing to a session that is not theirs.
"""
import asyncio
import json
import sys

import websockets

URL, ADMIN_KEY, VIEWER_KEY, OTHER_SESSION = sys.argv[1:5]
PROTOCOL = "graphql-transport-ws"


async def scenario(messages, wait=2.0):
    received = []
    try:
        async with websockets.connect(URL, subprotocols=[PROTOCOL]) as socket:
            for message in messages:
                await socket.send(message if isinstance(message, str) else json.dumps(message))
            try:
                while True:
                    received.append(json.loads(await asyncio.wait_for(socket.recv(), wait)))
            except asyncio.TimeoutError:
                return {"received": received, "open": True, "subprotocol": socket.subprotocol}
    except websockets.exceptions.ConnectionClosed as closed:
        return {"received": received, "code": closed.rcvd.code if closed.rcvd else None,
                "reason": closed.rcvd.reason if closed.rcvd else None}


async def no_subprotocol():
    try:
        async with websockets.connect(URL):
            return {"upgraded": True}
    except websockets.exceptions.InvalidStatus as error:
        return {"upgraded": False, "status": error.response.status_code}


async def main():
    init = {"type": "connection_init", "payload": {"token": ADMIN_KEY}}
    viewer = {"type": "connection_init", "payload": {"Authorization": "Bearer " + VIEWER_KEY}}
    progress = "subscription($id: UUID!) { benchmarkProgress(sessionId: $id) { completed } }"
    results = {
        "no_token": await scenario([{"type": "connection_init", "payload": {}}]),
        "bad_token": await scenario([{"type": "connection_init", "payload": {"token": "ltb_" + "x" * 32}}]),
        "bad_jwt": await scenario([{"type": "connection_init", "payload": {"token": "a.b.c"}}]),
        "viewer_other_session": await scenario([viewer,
            {"id": "v", "type": "subscribe", "payload": {"query": progress, "variables": {"id": OTHER_SESSION}}}],
            wait=1.0),
        "ack_ping": await scenario([init, {"type": "ping"}], wait=1.0),
        "query": await scenario([init, {"id": "1", "type": "subscribe", "payload": {"query": "{ health { status } }"}}], wait=1.0),
        "invalid_query": await scenario([init, {"id": "2", "type": "subscribe", "payload": {"query": "{ nope }"}}], wait=1.0),
        "subscribe_before_init": await scenario([{"id": "1", "type": "subscribe", "payload": {"query": "{ health { status } }"}}]),
        "second_init": await scenario([init, init]),
        "bad_json": await scenario([init, "not json"]),
        "unknown_type": await scenario([init, {"type": "hello"}]),
        "duplicate_id": await scenario([init,
            {"id": "7", "type": "subscribe", "payload": {"query": "subscription { alerts { message } }"}},
            {"id": "7", "type": "subscribe", "payload": {"query": "subscription { alerts { message } }"}}]),
        "complete_stops": await scenario([init,
            {"id": "8", "type": "subscribe", "payload": {"query": "subscription { alerts { message } }"}},
            {"id": "8", "type": "complete"},
            {"id": "8", "type": "subscribe", "payload": {"query": "{ health { status } }"}}], wait=1.0),
        "init_timeout": await scenario([], wait=5.0),
        "no_subprotocol": await no_subprotocol(),
    }
    print(json.dumps(results))


asyncio.run(main())
