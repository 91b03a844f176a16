"""Connects to graphql-transport-ws with an access token, subscribes, and waits for the server
to close the socket when the token expires; prints the close code and the seconds it took.

usage: ws_expiry.py WS_URL ACCESS_TOKEN
"""
import asyncio
import json
import sys
import time

import websockets


async def main(url, token):
    started = time.monotonic()
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
        ack = json.loads(await socket.recv())
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "subscription { alerts { message } }"}}))
        try:
            while True:
                await asyncio.wait_for(socket.recv(), 30)
        except websockets.exceptions.ConnectionClosed as closed:
            print(json.dumps({"ack": ack["type"], "code": closed.rcvd.code if closed.rcvd else None,
                              "seconds": round(time.monotonic() - started, 1)}))


asyncio.run(main(sys.argv[1], sys.argv[2]))
