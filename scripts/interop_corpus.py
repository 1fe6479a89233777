"""Run every recording of an interop corpus through `pretenders cassette convert`, `show` and
`stats`, and print one row each: imported (exchanges, what was said dropped) or refused (why).

    ./dev run python scripts/interop_corpus.py PATH/TO/interop-corpus [--base-url URL]

The corpus is a folder of tool folders (vcr/, har/, hoverfly/, mitm/, wiremock/); a WireMock
tree is one item, and files other recordings name beside themselves are not items. The corpus
stays outside this repository (see docs/reliability.md for its summary).
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ATTACHMENTS = ("responses", "har-sha1-main-response.txt")
"""Files Playwright's `_file` and Hoverfly's `bodyFile` name: read through their recordings."""


def items(corpus: Path) -> list[Path]:
    tools = sorted(p for p in corpus.iterdir() if p.is_dir())
    return [p for tool in tools for p in sorted(tool.iterdir()) if p.name not in ATTACHMENTS]


def cassette(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pretenders_proxy", "cassette", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def row(item: Path, name: str, output: Path, base_url: str) -> str:
    extra = ["--base-url", base_url] if item.parent.name == "wiremock" else []
    done = cassette("convert", str(item), str(output), *extra)
    if done.returncode and "give --base-url" in done.stderr:  # Hoverfly pairs for any host
        name += " (with --base-url)"
        done = cassette("convert", str(item), str(output), "--base-url", base_url)
    problems = ["TRACEBACK"] if "Traceback" in done.stderr else []
    if done.returncode:
        return " | ".join([name, "refused", done.stderr.strip().splitlines()[-1], *problems])
    count = re.search(r"(\d+) exchanges written", done.stdout)
    said = [line for line in done.stderr.splitlines() if line.startswith("dropped")]
    for command in ("show", "stats"):
        check = cassette(command, str(output))
        if check.returncode or "Traceback" in check.stderr:
            problems.append(f"{command} failed: {check.stderr.strip()[-200:]}")
    imported = f"imported {count.group(1) if count else '?'}"
    return " | ".join([name, imported, "; ".join(said), *problems])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--base-url", default="http://localhost:8080")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "out.cassette"
        for item in items(args.corpus):
            output.unlink(missing_ok=True)
            print(row(item, str(item.relative_to(args.corpus)), output, args.base_url), flush=True)


if __name__ == "__main__":
    main()
