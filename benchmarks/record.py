"""Run a benchmark and keep what it printed, with the command and the machine, as a result file.

    python benchmarks/record.py NAME -- python benchmarks/SCRIPT.py [ARGS]

writes `benchmarks/results/NAME.md`; `python benchmarks/record.py --readme` then copies every
result file into README.md between the `<!-- benchmarks -->` markers, so no figure in the README
is typed by hand.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
START, END = "<!-- benchmarks -->", "<!-- /benchmarks -->"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
    if names:
        cpu = names[0]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, load {load}"


def record(name: str, command: list[str]) -> Path:
    started = time.time()
    before = machine()
    env = {**os.environ, "COLUMNS": "160"}  # rich tables unwrapped in the result file
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=env)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"benchmark {name} failed with exit code {result.returncode}")
    shown = " ".join(shlex.quote(part) for part in command).replace(sys.executable, "python")
    text = (
        f"### {name}\n\n"
        f"`{shown}` on {datetime.now(UTC):%Y-%m-%d}, {before}; "
        f"{time.time() - started:.0f} s in all.\n\n"
        f"```\n{result.stdout.strip()}\n```\n"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def update_readme() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"README.md lacks the {START} ... {END} markers")
    sections = [path.read_text(encoding="utf-8") for path in sorted(RESULTS.glob("*.md"))]
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    readme.write_text(f"{head}{START}\n\n" + "\n".join(sections) + f"\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", help="result name (file benchmarks/results/NAME.md)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    parser.add_argument("--readme", action="store_true", help="copy the results into README.md")
    args = parser.parse_args()
    if args.readme:
        update_readme()
        return
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not args.name or not command:
        parser.error("give NAME -- COMMAND, or --readme")
    print(record(args.name, command))


if __name__ == "__main__":
    main()
