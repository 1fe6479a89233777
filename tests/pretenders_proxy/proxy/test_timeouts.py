import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons, tflow

from pretenders_proxy.proxy.options import Options
from pretenders_proxy.proxy.timeouts import UpstreamTimeout
from pretenders_proxy.server.runtime import Runtime


@pytest.mark.parametrize("seconds", [-1.0, float("inf"), float("nan")])
def test_a_bad_timeout_is_refused(seconds: float) -> None:
    timeout = UpstreamTimeout()
    with (
        taddons.context(Options(Runtime()), timeout) as tctx,
        pytest.raises(exceptions.OptionsError, match="0 or"),
    ):
        tctx.configure(timeout, pretenders_upstream_timeout=seconds)


async def test_only_flows_going_upstream_are_timed_until_they_end() -> None:
    timeout = UpstreamTimeout()
    with taddons.context(Options(Runtime()), timeout) as tctx:
        tctx.configure(timeout, pretenders_upstream_timeout=5)
        answered, upstream, failed = tflow.tflow(resp=True), tflow.tflow(), tflow.tflow()
        for flow in (answered, upstream, failed):
            timeout.request(flow)
        assert set(timeout._timers) == {upstream.id, failed.id}
        timeout.response(upstream)
        timeout.error(failed)
        assert timeout._timers == {}
        tctx.configure(timeout, pretenders_upstream_timeout=0)
        timeout.request(tflow.tflow())
        assert timeout._timers == {}
