"""Presets: answers proxied requests from the presets of their session."""

import asyncio
import logging

from mitmproxy import ctx, http

from pretenders_proxy.model.journal import Source
from pretenders_proxy.model.preset import Fault
from pretenders_proxy.proxy.convert import reply_to_flow, request_of
from pretenders_proxy.proxy.tags import answered, is_control, session_of
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.server.sockets import reset_on_close

logger = logging.getLogger(__name__)


class Presets:
    """The first preset of the flow's session that matches answers it (after its delay)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def request(self, flow: http.HTTPFlow) -> None:
        if flow.response is not None or flow.error is not None or is_control(flow):
            return
        session = self.runtime.store.find(session_of(flow))
        if session is None or not session.presets:  # none to try: no request to convert
            return
        answer = session.answer(request_of(flow))
        if answer.preset is None:
            return
        reply = answer.preset.preset.reply
        answered(flow, Source.PRESET, preset_id=answer.preset.id)
        if reply.after:
            await asyncio.sleep(reply.after)
        if reply.fault is None:
            flow.response = reply_to_flow(reply)
            return
        answered(flow, Source.PRESET, preset_id=answer.preset.id, fault=str(reply.fault))
        if reply.fault is Fault.RESET:
            _reset_client(flow)
        flow.kill()


def _reset_client(flow: http.HTTPFlow) -> None:
    """Arrange for the client connection to close with a RST (mitmproxy itself sends a FIN)."""
    try:
        handler = ctx.master.addons.get("proxyserver").connections[flow.client_conn.id]
        reset_on_close(handler.transports[flow.client_conn].writer.get_extra_info("socket"))
    except (AttributeError, KeyError) as e:  # internals moved: a FIN is the next best thing
        logger.debug("cannot reset the client connection of %s: %r", flow.request.url, e)
