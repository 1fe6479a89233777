"""W5: matching scale. The same preset reply with 5,000 presets on the mock as with one.

The 5,000 rules are `GET /items/<n>$`; the request matches one in the middle. A rule literal up
to its `$` is found by the request line itself (matching/index.py), so no other rule is tried.
The two mocks are measured in turns (one, many, one, ...). Target (issue 20): >= 0.9 of the
one-preset figure.
"""

import tempfile
from pathlib import Path
from typing import Any

from harness import in_turns
from systems import pretenders
from w1_mock import PRESET, loader, setup_mock

MANY = 5_000
TARGET = MANY // 2


def run(options: Any) -> dict[str, Any]:
    many = [dict(PRESET, rule={"rule": f"GET /items/{n}$"}) for n in range(MANY)]
    with tempfile.TemporaryDirectory() as confdir, pretenders("serve", confdir=Path(confdir)) as p:
        setup_mock(p.control, [dict(PRESET, rule={"rule": f"GET /items/{TARGET}$"})], "one")
        setup_mock(p.control, many, "many")
        urls = {name: f"{p.control}/mockhttp/{name}/items/{TARGET}" for name in ("one", "many")}
        measured = in_turns(
            {name: loader(url, options.connections) for name, url in urls.items()},
            options.runs,
            options.warmup,
            options.seconds,
        )
        one, several = measured["one"], measured["many"]
    share = round(several["requests_per_s"] / one["requests_per_s"], 3)
    return {
        "systems": {"1 preset": one, f"{MANY} presets": several},
        "ratios": {f"{MANY} presets / 1 preset": share},
        "targets": {">= 0.9 of 1 preset": share >= 0.9},
    }
