"""Walking the pages of a v1 list, as a script would: follow X-Next-Cursor to the end."""

from typing import Any

import requests


def every(url: str, params: dict[str, Any] | None = None, **options: Any) -> list[Any]:
    """Every item of the list at `url`, page after page; `options` go to each requests.get."""
    items: list[Any] = []
    asked = dict(params or {})
    while True:
        answer = requests.get(url, params=asked, timeout=options.pop("timeout", 10), **options)
        answer.raise_for_status()
        items += answer.json()
        if not (cursor := answer.headers.get("X-Next-Cursor")):
            return items
        asked["cursor"] = cursor
