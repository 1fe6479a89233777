from datetime import datetime

from pretenders_proxy.api import cassette_views
from pretenders_proxy.matching.modes import Mode, ModeConfig, OnStale
from pretenders_proxy.store.playback import Playback
from pretenders_proxy.store.session import Session, SessionProtocol
from pretenders_proxy.store.tape import Recorded
from tests.pretenders_proxy.samples import exchanges


def test_a_cassette_exchange_shows_decoded_bodies_and_the_sizes_as_recorded() -> None:
    news = exchanges()[2]
    shown = cassette_views.cassette_exchange(news, 7)
    assert (shown["position"], shown["url"], shown["status"]) == (
        7,
        "http://api.example.test/news",
        200,
    )
    assert shown["response_body"] == "héllo news\n"
    assert shown["response_size"] == len(news.response.body)
    assert shown["response_encoding"] == "gzip"
    assert shown["request_body"] == "" and shown["request_size"] == 0


def test_a_binary_body_has_no_preview() -> None:
    upload = cassette_views.cassette_exchange(exchanges()[1], 0)
    assert upload["request_body"] is None and upload["response_body"] is None


def test_a_recording_says_where_it_is_stored() -> None:
    recorded = Recorded.of("api.cassette", 3, 100, exchanges()[0])
    assert cassette_views.recording(recorded, "s") == {
        "session": "s",
        "cassette": "api.cassette",
        "position": 3,
        "method": "GET",
        "url": "https://api.example.test/users/42?page=2&q=x",
        "status": 200,
    }


def test_the_mode_names_the_recording_problem_of_its_cassette_only() -> None:
    session = Session("s", SessionProtocol.HTTP, None, datetime(2026, 1, 1), 0.0, 10)
    config = ModeConfig(Mode.RECORD, ("a.cassette",))
    session.playback = Playback(config, warnings=("cut short",))
    shown = cassette_views.mode(session, {"a.cassette": "disk full", "b.cassette": "other"}, 0)
    assert (shown["mode"], shown["recording_to"], shown["recording_error"]) == (
        "record",
        "a.cassette",
        "disk full",
    )
    assert shown["warnings"] == ["cut short"]
    assert cassette_views.mode(session, {}, 0)["recording_error"] is None


def test_the_mode_shows_the_sessions_replay_speed_else_the_servers() -> None:
    session = Session("s", SessionProtocol.HTTP, None, datetime(2026, 1, 1), 0.0, 10)
    session.playback = Playback(ModeConfig())
    assert cassette_views.mode(session, {}, 2.5)["replay_speed"] == 2.5
    session.playback = Playback(ModeConfig(replay_speed=1))
    assert cassette_views.mode(session, {}, 2.5)["replay_speed"] == 1


def test_the_mode_shows_max_age_as_a_duration_and_on_stale() -> None:
    session = Session("s", SessionProtocol.HTTP, None, datetime(2026, 1, 1), 0.0, 10)
    session.playback = Playback(ModeConfig())
    shown = cassette_views.mode(session, {}, 0)
    assert (shown["max_age"], shown["on_stale"]) == (None, "warn")
    session.playback = Playback(ModeConfig(max_age=14 * 86400, on_stale=OnStale.FAIL))
    shown = cassette_views.mode(session, {}, 0)
    assert (shown["max_age"], shown["on_stale"]) == ("2w", "fail")
