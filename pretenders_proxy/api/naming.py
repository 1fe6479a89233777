"""Handlers a function makes for several kinds (HTTP and SMTP), named as if written out."""

from collections.abc import Callable

from pretenders_proxy.api.router import Handler


def named(module: str, name: str) -> Callable[[Handler], Handler]:
    """Name a made handler `name` in `module`: the OpenAPI operationId is made of the two
    (`<module>_<name>`), so it stays what it was when each handler was written out."""

    def rename(handler: Handler) -> Handler:
        handler.__module__ = module
        handler.__name__ = handler.__qualname__ = name
        return handler

    return rename
