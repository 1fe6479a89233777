"""What WireMock's request journal costs: W1's stub on WireMock with its default journal (cleared
before each turn), bounded at 10,000 entries, and off, against pretenders' `/mockhttp/`.

`python bench/wiremock_journal.py [--runs 3] [--seconds 10] [--connections 32]`: the four run
at once on the server core (each WireMock warmed until its JIT settles) and are measured in
turns. Result: bench/results/wiremock_journal.json. W1x uses the default journal.
"""

import argparse
import json
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from harness import in_turns, machine, ratio, write
from systems import PAYLOAD, pretenders
from w1_mock import PATH, PRESET, loader, setup_mock
from w1x_baselines import STUB_HEADERS
from wiremock import JOURNALS, VERSION, java_version, warm_up, wiremock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    c = options.connections
    result: dict[str, object] = {"machine": machine(), "settings": vars(options)}
    with ExitStack() as stack:
        p = stack.enter_context(
            pretenders("serve", confdir=Path(stack.enter_context(tempfile.TemporaryDirectory())))
        )
        setup_mock(p.control, [PRESET])
        loads = {"pretenders /mockhttp/": loader(p.control + PATH, c)}
        warmed = {}
        for journal, flags in JOURNALS.items():
            mock = stack.enter_context(wiremock(journal))
            mock.stub(PATH, PAYLOAD, STUB_HEADERS)
            name = f"WireMock journal {journal} {' '.join(flags)}".strip()
            loads[name] = mock.cleared(loader(mock.url + PATH, c))
            warmed[name] = warm_up(loads[name], mock.service.pid)
        systems = in_turns(loads, options.runs, options.warmup, options.seconds)
    ours = systems["pretenders /mockhttp/"]["requests_per_s"]
    result |= {
        "wiremock": {"version": VERSION, "java": java_version(), "jit_warm_up": warmed},
        "systems": systems,
        "ratios": {
            f"pretenders / {name}": ratio(ours, figures["requests_per_s"])  # type: ignore[arg-type]
            for name, figures in systems.items()
            if name.startswith("WireMock")
        },
    }
    path = write("wiremock_journal", result)
    for name, figures in systems.items():
        print(f"{name:60s} {json.dumps({k: v for k, v in figures.items() if k != 'runs'})}")
    print(json.dumps(result["ratios"], indent=1), "->", path)


if __name__ == "__main__":
    main()
