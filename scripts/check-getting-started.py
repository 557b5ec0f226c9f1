#!/usr/bin/env python3
"""Runs docs/getting-started.md as a user would: its ```sh blocks in order in one shell (so
`cd` and `export` carry over), its files (a code block preceded by `<!-- file: PATH -->`)
written where they say, and each ```text block checked against the output of the commands
before it (every line must appear). HOME is a temporary folder, and 127.0.0.1:8080 becomes a
free port (ZIBRI_PORT). A command ending with `&` runs in the background; the next waits until
the port answers. Exit status 0 when everything ran and matched.

Usage: scripts/check-getting-started.py [GUIDE]
"""
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def blocks(text):
    """(language, body, file) for each fenced block."""
    pattern = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<language>\w*)\n(?P<body>.*?)```", re.S)
    for match in pattern.finditer(text):
        yield match.group("language"), match.group("body"), match.group("file")


def main():
    guide = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs/getting-started.md")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    work = tempfile.mkdtemp(prefix="zibri-guide-")
    text = open(guide).read().replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    lines = [
        "set -uo pipefail",
        f"export HOME={shlex.quote(work)} ZIBRI_PORT={port}",
        f"cd {shlex.quote(ROOT)}",
        "trap 'kill $(jobs -p) 2>/dev/null' EXIT",
        f"wait_for_port() {{ for _ in $(seq 1800); do (echo > /dev/tcp/127.0.0.1/{port}) 2>/dev/null && return; sleep 1; done; echo 'the server never listened'; exit 1; }}",
    ]
    step = 0
    for language, body, file in blocks(text):
        if file:
            delimiter = "ZIBRI_GUIDE_FILE"
            lines += [f"mkdir -p \"$(dirname {shlex.quote(file)})\"", f"cat > {shlex.quote(file)} <<'{delimiter}'", body.rstrip("\n"), delimiter]
        elif language == "sh":
            step += 1
            output = os.path.join(work, f"step-{step}.out")
            for command in body.strip().splitlines():
                lines.append(f"echo '$ '{shlex.quote(command)}")
                if command.rstrip().endswith("&"):
                    lines += [f"{command.rstrip()[:-1]} > {shlex.quote(os.path.join(work, 'server.log'))} 2>&1 &", "wait_for_port"]
                else:
                    lines += [
                        f"{{ {command} ; }} > >(tee -a {shlex.quote(output)}) 2>&1",
                        f"status=$?; if [ $status -ne 0 ]; then echo \"failed ($status): \"{shlex.quote(command)}; cat {shlex.quote(os.path.join(work, 'server.log'))} 2>/dev/null | tail -20; exit 1; fi",
                    ]
        elif language == "text" and step:
            output = os.path.join(work, f"step-{step}.out")
            for expected in filter(None, (line.strip() for line in body.splitlines())):
                lines.append(
                    f"sleep 0.2; grep -qF -- {shlex.quote(expected)} {shlex.quote(output)} || "
                    f"{{ echo 'expected in the output:' {shlex.quote(expected)}; cat {shlex.quote(output)}; exit 1; }}"
                )
    lines.append("echo 'getting-started: every command ran and printed what the guide says'")
    script = os.path.join(work, "guide.sh")
    with open(script, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    status = subprocess.call(["bash", script])
    if status == 0:
        # About 1 GB of the new package's build; kept after a failure, to look into.
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"getting-started: kept {work} to look into")
    return status


if __name__ == "__main__":
    sys.exit(main())
