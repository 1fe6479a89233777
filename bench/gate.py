"""What the control port's gate (issue 15) costs per request: `Gate.refusal` timed alone, for a
mock GET (the Host check) and a control POST from the UI (Host and Origin checks).

    ./dev run python bench/gate.py [--number 200000]
"""

import argparse
import os
import timeit

from aiohttp.test_utils import make_mocked_request

from pretenders_proxy.api.gate import Gate
from pretenders_proxy.settings import Settings

CASES = [
    ("mock GET", "GET", "/mockhttp/m/items/42", {"Host": "127.0.0.1:8000"}, False),
    (
        "control POST",
        "POST",
        "/api/v1/presets",
        {"Host": "localhost:8000", "Origin": "http://localhost:8000"},
        True,
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=200_000)
    number = parser.parse_args().number
    gate = Gate.of(Settings())
    print(f"load average {os.getloadavg()[0]:.2f}")
    for name, method, path, headers, control in CASES:
        request = make_mocked_request(method, path, headers)
        timer = timeit.Timer(
            "gate.refusal(request, control=control)",
            globals={"gate": gate, "request": request, "control": control},
        )
        seconds = timer.timeit(number)
        print(f"{name}: {seconds / number * 1e6:.2f} us per request")


if __name__ == "__main__":
    main()
