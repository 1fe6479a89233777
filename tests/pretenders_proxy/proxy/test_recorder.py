import logging
from pathlib import Path

import pytest
from mitmproxy.test import taddons, tflow

from pretenders_proxy.cassette import reading, writing
from pretenders_proxy.matching.modes import Mode, ModeConfig, OnMiss
from pretenders_proxy.model.exchange import REDACTED
from pretenders_proxy.proxy.convert import exchange_from_flow
from pretenders_proxy.proxy.options import Options
from pretenders_proxy.proxy.recorder import Recorder
from pretenders_proxy.proxy.tags import tags
from pretenders_proxy.server.runtime import Runtime


def test_flows_marked_for_recording_are_appended_redacted(tmp_path: Path) -> None:
    path = tmp_path / "r.cassette"
    runtime = Runtime()
    recorder = Recorder(runtime)
    with taddons.context(Options(runtime), recorder) as tctx:
        tctx.configure(recorder, pretenders_redact_headers=["X-Secret"])
        marked = tflow.tflow(resp=True)
        marked.request.headers["X-Secret"] = "s3cr3t"
        tags(marked)["record"] = str(path)
        recorder.response(marked)
        recorder.response(tflow.tflow(resp=True))  # not marked: not recorded
        recorder.done()
    (stored,) = reading.read(path).exchanges
    assert dict(stored.exchange.request.headers)[b"X-Secret"] == REDACTED
    assert marked.request.headers["X-Secret"] == "s3cr3t"  # what went upstream is untouched
    assert stored.exchange.meta.redacted == ("request header X-Secret",)


def test_a_write_failure_is_loud_and_answers_with_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder(Runtime())
    flow = tflow.tflow(resp=True)
    tags(flow)["record"] = str(tmp_path / "missing-dir" / "r.cassette")
    with taddons.context(recorder), caplog.at_level(logging.ERROR):
        recorder.response(flow)
    assert flow.response is not None and flow.response.status_code == 500
    assert flow.response.headers["X-Pretenders-Error"] == "1"
    assert b"could not be recorded: cannot write cassette" in flow.response.content
    assert "NOT RECORDED: GET http://address:22/path" in caplog.text


def test_on_miss_record_makes_the_new_exchange_replayable(tmp_path: Path) -> None:
    path = tmp_path / "r.cassette"
    flow = tflow.tflow(resp=True)
    writing.write(path, [])
    runtime = Runtime()
    store = runtime.store
    session = store.get("default")
    runtime.cassettes.switch(store, session, ModeConfig(Mode.REPLAY, (str(path),), OnMiss.RECORD))
    recorder = Recorder(runtime)
    with taddons.context(recorder):
        tags(flow)["record"] = str(path)
        recorder.response(flow)
        recorder.done()
    again = exchange_from_flow(tflow.tflow(resp=True)).request
    replayed = session.playback.tape.play(again)
    assert replayed is not None and replayed.where == f"{path} #1"
