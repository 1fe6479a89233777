from pretenders_proxy.store.events import Hub


def test_listeners_get_items_until_they_unsubscribe() -> None:
    hub, got = Hub(), []
    stop = hub.subscribe(got.append)
    hub.publish(1)
    stop()
    stop()  # twice is harmless
    hub.publish(2)
    assert got == [1] and len(hub) == 0


def test_a_failing_listener_does_not_stop_the_others() -> None:
    hub, got = Hub(), []

    def broken(item: object) -> None:
        raise RuntimeError("boom")

    hub.subscribe(broken)
    hub.subscribe(got.append)
    hub.publish("x")
    assert got == ["x"]
