#!/usr/bin/env python3
"""The README test: runs every ```sh / ```bash block of README.md, top to bottom, on a fresh copy of the repository,
against a server started as the README says, and compares each command's output with the `# ...` lines the README
shows right below it.

Rules (README.md says them too):
  - Only blocks fenced as ```sh or ```bash run. A block whose fence is preceded, on the line before it, by
    `<!-- readme-test: skip (reason) -->` does not run.
  - The block preceded by `<!-- readme-test: server (...) -->` starts the server: it runs in the background, and the
    other blocks run once /v2/health/ready answers 200.
  - In a block, the comment lines right below a command (no blank line between) are its output. `...` stands for
    anything; job ids, timestamps and durations are masked on both sides; text after two or more spaces in
    parentheses at the end of a line is a note, not output. Inline comments (`cmd   # note`) are notes.
  - Every command must exit with status 0.

The copy is the working tree's tracked and unignored files plus the build output (artifacts/modelhost) and the
fetched demo detectors, so the test needs no second build. The server listens on a free port: `:8080` in the
commands becomes that port, and the CLI finds it through MODELHOST_SERVER.

  python3 tests/readme/readme_test.py [--keep] [--readme PATH]
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = re.compile(r"^<!--\s*readme-test:\s*skip\s*\(.+\)\s*-->\s*$")
SERVER = re.compile(r"^<!--\s*readme-test:\s*server\b.*-->\s*$")
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([^\s`]*)")
NOTE = re.compile(r"^(.*?\S)\s{2,}\(.*\)\s*$")
MASKS = [
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r'("(?:id|job_id|\w+_job|next_cursor|next_after)"\s*:\s*"?)\d+'), r"\1<id>"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|s)\b"), "<duration>"),
]
SERVER_START_SECONDS = 300
RUN_SECONDS = 900


class Block:
    def __init__(self, line, lang, lines, skip, server):
        self.line, self.lang, self.lines, self.skip, self.server = line, lang, lines, skip, server

    @property
    def runs(self):
        return self.lang in ("sh", "bash") and not self.skip


class Step:
    def __init__(self, line, command, expected):
        self.line, self.command, self.expected = line, command, expected


def blocks(text):
    """The fenced blocks, with the line (1-based) of their first content line."""
    lines = text.split("\n")
    found, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        before = lines[i - 1] if i > 0 else ""
        fence, lang = m.group(1), m.group(2).lower()
        start, body = i + 1, []
        i += 1
        # The block ends at a fence of the same kind, at least as long, with nothing after it (CommonMark).
        while i < len(lines) and not re.match(r"^\s{0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$", lines[i]):
            body.append(lines[i])
            i += 1
        found.append(Block(start + 1, lang, body, bool(SKIP.match(before)), bool(SERVER.match(before))))
        i += 1
    return found


def complete(command):
    """Whether bash parses the text as whole commands (no open quote, heredoc or continuation)."""
    if command.rstrip().endswith("\\"):
        return False
    r = subprocess.run(["bash", "-n"], input=command, capture_output=True, text=True)
    return r.returncode == 0 and "here-document" not in r.stderr


def steps(block):
    """Splits a block into commands, each with the output lines the README shows below it."""
    result, lines, i = [], block.lines, 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start, command = i, [lines[i]]
        i += 1
        while not complete("\n".join(command)) and i < len(lines):
            command.append(lines[i])
            i += 1
        expected = []
        while i < len(lines) and lines[i].startswith("#"):
            expected.append(lines[i][2:] if lines[i].startswith("# ") else lines[i][1:])
            i += 1
        result.append(Step(block.line + start, "\n".join(command), expected))
    return result


def mask(text):
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def matches(expected, actual):
    shown = []
    for line in expected:
        note = NOTE.match(line)
        shown.append(note.group(1) if note else line.rstrip())
    pattern = ".*?".join(re.escape(part) for part in mask("\n".join(shown)).split("..."))
    return re.fullmatch(pattern, mask(actual.replace("\r\n", "\n").strip()), re.DOTALL) is not None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_copy(root, target):
    """The working tree's tracked and unignored files, the build output and the fetched detectors, mtimes kept."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=root, capture_output=True, check=True).stdout.decode().split("\0")
    for name in files:
        source = os.path.join(root, name)
        if not name or not os.path.isfile(source):
            continue
        os.makedirs(os.path.dirname(os.path.join(target, name)), exist_ok=True)
        shutil.copy2(source, os.path.join(target, name), follow_symlinks=False)
    shutil.copytree(os.path.join(root, "artifacts", "modelhost"), os.path.join(target, "artifacts", "modelhost"), symlinks=True)
    for detector in ("face-front", "face-back"):
        source = os.path.join(root, "models", detector, "1", "model.onnx")
        if os.path.exists(source):
            os.makedirs(os.path.join(target, "models", detector, "1"), exist_ok=True)
            shutil.copy2(source, os.path.join(target, "models", detector, "1", "model.onnx"))


def environment(port):
    env = {k: v for k, v in os.environ.items() if not (k.upper().startswith("MODELHOST_") or k == "PORT")}
    env["MODELHOST_URLS"] = f"http://127.0.0.1:{port}"
    env["MODELHOST_SERVER"] = f"http://127.0.0.1:{port}"
    # The gRPC service's default port (8081) may be taken on a shared machine; the README runs no gRPC command.
    env["MODELHOST_GRPC__URLS"] = "http://127.0.0.1:0"
    env["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1"
    env["DOTNET_NOLOGO"] = "1"
    return env


def wait_ready(port, server, log):
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"error: the README's server exited with {server.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/health/ready", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"error: the README's server was not ready after {SERVER_START_SECONDS} s:\n{tail(log)}")


def tail(path, lines=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def stop(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


SELF_TEST = """
<!-- readme-test: server (started in the background) -->
```sh
./modelhost serve
```
<!-- readme-test: skip (an illustration) -->
```sh
exit 1
```
```bash title="runs"
curl -s localhost:8080/predict -d '{"a": 1,
  "b": 2}'
# {"result":[2]}            (a note)
echo "id 4"    # an inline note, not output

# a heading, not output
printf 'x\\n'
```
````text
```sh
exit 1
```
````
```console
exit 1
```
"""


def self_test():
    """Checks the rules above on a small README: which blocks run, how commands and outputs are split, matching."""
    found = blocks(SELF_TEST)
    assert [(b.lang, b.runs, b.server) for b in found] == [
        ("sh", True, True), ("sh", False, False), ("bash", True, False), ("text", False, False), ("console", False, False)], found
    parsed = steps(found[2])
    assert [s.command.split("\n")[0] for s in parsed] == ["curl -s localhost:8080/predict -d '{\"a\": 1,", 'echo "id 4"    # an inline note, not output', "printf 'x\\n'"], parsed
    assert [s.expected for s in parsed] == [['{"result":[2]}            (a note)'], [], []]
    assert matches(parsed[0].expected, '{"result":[2]}\n')
    assert not matches(parsed[0].expected, '{"result":[3]}')
    assert matches(["{\"id\":4,...,\"created_at\":\"2024-01-01T00:00:00Z\"}"], '{"id":9,"x":1,"created_at":"2026-12-03T13:16:36.409Z"}')
    assert not matches(["a ... b"], "a c")
    print("readme-test: self-test passed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--self-test", action="store_true", help="check the parser and the matching rules, then stop")
    parser.add_argument("--keep", action="store_true", help="keep the copy and the outputs")
    parser.add_argument("--readme", help="the README to run (default: README.md of the repository)")
    args = parser.parse_args()
    if args.self_test:
        self_test()
        return 0
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=os.path.dirname(os.path.abspath(__file__)),
                          capture_output=True, text=True, check=True).stdout.strip()
    readme = args.readme or os.path.join(root, "README.md")
    with open(readme) as f:
        all_blocks = blocks(f.read())
    servers = [b for b in all_blocks if b.server]
    if len(servers) != 1:
        raise SystemExit(f"error: README.md needs exactly one block marked '<!-- readme-test: server (...) -->', found {len(servers)}")
    runnable = [b for b in all_blocks if b.runs and not b.server]
    all_steps = [s for b in runnable for s in steps(b)]
    print(f"readme-test: {len(runnable)} blocks, {len(all_steps)} commands "
          f"({sum(1 for s in all_steps if s.expected)} with shown output); "
          f"{sum(1 for b in all_blocks if b.lang in ('sh', 'bash') and b.skip)} blocks skipped", flush=True)

    # The build the README's first command makes, once, before the clock of the run starts.
    subprocess.run([os.path.join(root, "modelhost"), "--version"], cwd=root, check=True, stdout=subprocess.DEVNULL)

    work = tempfile.mkdtemp(prefix="modelhost-readme-")
    clone = os.path.join(work, "clone")
    outputs = os.path.join(work, "out")
    os.makedirs(outputs)
    fresh_copy(root, clone)
    port = free_port()
    env = environment(port)
    log = os.path.join(work, "server.log")
    server_command = "\n".join(servers[0].lines)
    failures = []
    with open(log, "w") as server_log:
        server = subprocess.Popen(["bash", "-c", server_command], cwd=clone, env=env, stdout=server_log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        started = time.monotonic()
        wait_ready(port, server, log)
        print(f"readme-test: '{server_command}' ready on port {port} after {time.monotonic() - started:.1f} s", flush=True)

        script = ["cd " + shlex_quote(clone)]
        for n, step in enumerate(all_steps):
            command = re.sub(r"(localhost|127\.0\.0\.1):8080\b", rf"\g<1>:{port}", step.command)
            script.append(f"echo {n} > {outputs}/current")
            script.append(f"{{\n{command}\n}} > {outputs}/{n}.out 2> {outputs}/{n}.err < /dev/null")
            script.append(f"echo $? > {outputs}/{n}.rc")
        with open(os.path.join(work, "readme.sh"), "w") as f:
            f.write("\n".join(script) + "\n")
        started = time.monotonic()
        try:
            subprocess.run(["bash", os.path.join(work, "readme.sh")], cwd=clone, env=env, timeout=RUN_SECONDS,
                           start_new_session=True)
        except subprocess.TimeoutExpired:
            current = open(os.path.join(outputs, "current")).read().strip()
            failures.append(f"README.md:{all_steps[int(current)].line}: still running after {RUN_SECONDS} s")
        elapsed = time.monotonic() - started

        for n, step in enumerate(all_steps):
            rc_path = os.path.join(outputs, f"{n}.rc")
            if not os.path.exists(rc_path):
                break
            out = open(os.path.join(outputs, f"{n}.out"), errors="replace").read()
            err = open(os.path.join(outputs, f"{n}.err"), errors="replace").read()
            rc = int(open(rc_path).read().strip() or "1")
            first = step.command.split("\n")[0]
            if rc != 0:
                failures.append(f"README.md:{step.line}: exit status {rc}: {first}\n  stderr: {err.strip()[-800:]}\n  stdout: {out.strip()[:800]}")
            elif step.expected and not matches(step.expected, out):
                shown = "\n".join("    # " + e for e in step.expected)
                failures.append(f"README.md:{step.line}: the output differs from the README's: {first}\n"
                                f"  README shows:\n{shown}\n  got:\n" + "\n".join("    " + l for l in out.strip().split("\n")[:20]))
        print(f"readme-test: ran the commands in {elapsed:.1f} s", flush=True)
    finally:
        stop(server)

    if failures:
        print(f"readme-test: {len(failures)} of {len(all_steps)} commands failed:\n", file=sys.stderr)
        for failure in failures:
            print(failure + "\n", file=sys.stderr)
        print(f"server log (last lines):\n{tail(log)}", file=sys.stderr)
        print(f"readme-test: the copy and the outputs are in {work}", file=sys.stderr)
        return 1
    print(f"readme-test: all {len(all_steps)} commands ran and printed what the README shows")
    if args.keep:
        print(f"readme-test: the copy and the outputs are in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def shlex_quote(text):
    return "'" + text.replace("'", "'\"'\"'") + "'"


if __name__ == "__main__":
    sys.exit(main())
