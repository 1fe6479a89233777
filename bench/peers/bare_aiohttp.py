"""Baseline for W1: one bare aiohttp route serving the same 1 KB JSON (the floor of the stack)."""

import json
import sys

from aiohttp import web

PAYLOAD = json.dumps({"id": 42, "name": "widget", "tags": ["a", "b"], "pad": "x" * 960}).encode()


async def item(request: web.Request) -> web.Response:
    return web.Response(body=PAYLOAD, content_type="application/json")


app = web.Application()
app.router.add_get("/mockhttp/bench/items/42", item)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
