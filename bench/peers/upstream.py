"""A fast local upstream for the proxy workloads: 1 KB JSON at /items/<n>, echo on POST."""

import json
import sys

from aiohttp import web

PAYLOAD = json.dumps({"id": 42, "name": "widget", "tags": ["a", "b"], "pad": "x" * 960}).encode()


async def item(request: web.Request) -> web.Response:
    return web.Response(body=PAYLOAD, content_type="application/json")


async def echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read(), content_type="application/octet-stream")


app = web.Application()
app.router.add_get("/items/{n}", item)
app.router.add_post("/{tail:.*}", echo)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
