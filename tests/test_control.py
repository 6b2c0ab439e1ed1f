"""The control endpoint on a real Unix socket: requests, permissions, one instance only.

Everything here is real: sockets, file modes, flock, and separate processes
for the race and for the other user account. Nothing is faked.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from reminder import paths
from reminder.control import (
    MAX_REQUEST_BYTES,
    AlreadyRunning,
    ControlServer,
    claim_endpoint,
    send_request,
)
from reminder.errors import NoServiceError, RuntimeFailure

AF_UNIX_PATH_MAX = 100  # 108 on Linux including the NUL; keep a margin


async def echo_handler(request: dict[str, Any]) -> dict[str, Any]:
    """Answers like the engine would: ok plus what it was asked."""
    if request["cmd"] == "boom":
        raise RuntimeError("the handler broke")
    return {"ok": True, "echo": request}


class ServerThread:
    """A ControlServer on its own event loop thread, as the engine runs it."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.started = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = ControlServer()
        try:
            await server.start(self.endpoint, echo_handler)
        except BaseException as error:
            self.error = error
            self.started.set()
            return
        self.started.set()
        await self._stop.wait()
        await server.close()

    def start(self) -> ServerThread:
        """Start serving and wait until the endpoint answers (or startup failed)."""
        self._thread.start()
        assert self.started.wait(30), "server thread did not start"
        if self.error is not None:
            self._thread.join()
            raise self.error
        return self

    def __enter__(self) -> ServerThread:
        if not self._thread.is_alive() and not self.started.is_set():
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._stop is not None and self.error is None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@pytest.fixture
def endpoint(isolated_dirs: dict[str, Path]) -> Iterator[str]:
    """The real endpoint path (in the test's XDG_RUNTIME_DIR), or a short one under /tmp."""
    path = paths.control_endpoint()
    if len(path.encode()) <= AF_UNIX_PATH_MAX:
        yield path
        return
    short = tempfile.mkdtemp(dir="/tmp", prefix="sr-")
    try:
        yield os.path.join(short, "sitting-reminder.sock")
    finally:
        shutil.rmtree(short, ignore_errors=True)


def raw_exchange(endpoint: str, payload: bytes) -> dict[str, Any]:
    """Send raw bytes (possibly not JSON) and parse the single answer line."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(30)
        conn.connect(endpoint)
        conn.sendall(payload)
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    result: dict[str, Any] = json.loads(answer)
    return result


def make_stale_socket(path: str) -> None:
    """What a crashed run leaves behind: a socket file nobody listens on."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(path)
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


# ------------------------------------------------------------------ requests


def test_a_request_gets_the_handlers_answer(endpoint: str) -> None:
    with ServerThread(endpoint):
        answer = send_request({"cmd": "snooze", "duration": "20s"}, endpoint)
    assert answer == {"ok": True, "echo": {"cmd": "snooze", "duration": "20s"}}


def test_the_client_finds_the_endpoint_in_the_runtime_dir(isolated_dirs: dict[str, Path]) -> None:
    if len(paths.control_endpoint().encode()) > AF_UNIX_PATH_MAX:
        pytest.skip("tmp path too long for AF_UNIX here; covered by the explicit-path tests")
    with ServerThread(paths.control_endpoint()):
        answer = send_request({"cmd": "status"})
    assert answer["echo"] == {"cmd": "status"}
    assert Path(paths.control_endpoint()).parent == isolated_dirs["runtime"]


def test_ping_is_answered_by_the_server_with_its_pid(endpoint: str) -> None:
    with ServerThread(endpoint):
        answer = send_request({"cmd": "ping"}, endpoint)
    assert answer["ok"] is True
    assert answer["pid"] == os.getpid()


@pytest.mark.parametrize(
    ("payload", "complaint"),
    [
        (b"this is not json\n", "not JSON"),
        (b'["cmd", "status"]\n', "must be a JSON object"),
        (b'{"duration": "20s"}\n', '"cmd"'),
        (b"\xff\xfe\n", "not UTF-8"),
        (b'{"cmd":"status","x":' + b"[" * 5000 + b"]" * 5000 + b"}\n", "nested deeper"),
        (b'{"cmd":"snooze","arg":' + b"9" * 5000 + b"}\n", "integer string conversion"),
    ],
    ids=["garbage", "array", "no-cmd", "not-utf8", "deeply-nested", "huge-integer"],
)
def test_a_malformed_request_gets_an_error_answer(
    endpoint: str, payload: bytes, complaint: str
) -> None:
    with ServerThread(endpoint):
        answer = raw_exchange(endpoint, payload)
        still_serving = send_request({"cmd": "status"}, endpoint)
    assert answer["ok"] is False
    assert complaint in answer["error"]
    assert still_serving["ok"] is True


def test_a_request_over_64_kib_is_refused(endpoint: str) -> None:
    huge = json.dumps({"cmd": "status", "padding": "x" * (MAX_REQUEST_BYTES + 10)}).encode()
    with ServerThread(endpoint):
        answer = raw_exchange(endpoint, huge + b"\n")
        still_serving = send_request({"cmd": "status"}, endpoint)
    assert answer == {
        "ok": False,
        "error": f"request refused: longer than {MAX_REQUEST_BYTES} bytes",
    }
    assert still_serving["ok"] is True


def test_a_handler_failure_is_answered_and_logged_and_the_server_goes_on(
    endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    with ServerThread(endpoint):
        answer = send_request({"cmd": "boom"}, endpoint)
        after = send_request({"cmd": "status"}, endpoint)
    assert answer["ok"] is False
    assert "internal error" in answer["error"]
    assert after["ok"] is True
    assert "the handler broke" in caplog.text


def test_several_requests_on_one_connection_each_get_an_answer(endpoint: str) -> None:
    with ServerThread(endpoint), socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(30)
        conn.connect(endpoint)
        stream = conn.makefile("rwb")
        answers = []
        for cmd in ("status", "resume"):
            stream.write(json.dumps({"cmd": cmd}).encode() + b"\n")
            stream.flush()
            answers.append(json.loads(stream.readline()))
        stream.close()
    assert [a["echo"]["cmd"] for a in answers] == ["status", "resume"]


# --------------------------------------------------------------- permissions


def test_the_socket_is_user_only(endpoint: str) -> None:
    with ServerThread(endpoint):
        mode = os.stat(endpoint).st_mode
    assert stat.S_ISSOCK(mode)
    assert stat.S_IMODE(mode) == 0o600


def test_a_missing_runtime_folder_is_created_user_only(endpoint: str) -> None:
    nested = os.path.join(os.path.dirname(endpoint), "new")
    with ServerThread(os.path.join(nested, "s.sock")):
        folder_mode = stat.S_IMODE(os.stat(nested).st_mode)
    assert folder_mode == 0o700


def _python_for(user: str) -> str | None:
    """A Python interpreter the other account can run (ours may live under /root)."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if not os.path.exists(candidate):
            continue
        probe = subprocess.run(
            [candidate, "-c", "pass"], user=user, capture_output=True, check=False
        )
        if probe.returncode == 0:
            return candidate
    return None


OTHER_USER_CLIENT = """
import os, socket, sys
path = sys.argv[1]
os.stat(path)  # the folder lets this account reach the file; only its mode can stop it
conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    conn.connect(path)
except PermissionError:
    print("permission denied")
else:
    conn.sendall(b'{"cmd": "status"}\\n')
    print("connected:", conn.recv(4096))
"""


def test_another_user_account_cannot_reach_the_endpoint() -> None:
    """Runs a client as `nobody`; needs root to switch accounts."""
    if os.geteuid() != 0:
        reason = "needs root to run a client as another user (nobody)"
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    python = _python_for("nobody")
    if python is None:
        pytest.skip("no Python interpreter that the nobody account may run")
    # A folder everybody may traverse, so the socket's own mode is what is tested.
    folder = tempfile.mkdtemp(dir="/tmp", prefix="sr-perm-")
    try:
        os.chmod(folder, 0o711)
        sock = os.path.join(folder, "sitting-reminder.sock")
        # A permissive umask: the socket's 0600 must come from the server, not the umask.
        previous_umask = os.umask(0)
        try:
            server = ServerThread(sock).start()
        finally:
            os.umask(previous_umask)
        with server:
            other = subprocess.run(
                [python, "-c", OTHER_USER_CLIENT, sock],
                user="nobody",
                capture_output=True,
                text=True,
                check=False,
                timeout=60,
            )
            owner = send_request({"cmd": "status"}, sock)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "permission denied"
    assert owner["ok"] is True


# ----------------------------------------------------------- single instance


def test_a_stale_socket_from_a_crash_is_replaced(
    endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    make_stale_socket(endpoint)
    with caplog.at_level(logging.WARNING), ServerThread(endpoint):
        answer = send_request({"cmd": "ping"}, endpoint)
    assert answer["pid"] == os.getpid()
    assert "stale control socket" in caplog.text


def test_a_regular_file_in_the_sockets_place_is_left_alone(endpoint: str) -> None:
    Path(endpoint).write_text("not mine to delete\n")
    with pytest.raises(RuntimeFailure, match="is not a socket"), ServerThread(endpoint):
        pass
    assert Path(endpoint).read_text() == "not mine to delete\n"


def test_closing_removes_the_socket_and_frees_the_endpoint(endpoint: str) -> None:
    with ServerThread(endpoint):
        pass
    assert not os.path.exists(endpoint)
    with ServerThread(endpoint):
        assert send_request({"cmd": "ping"}, endpoint)["ok"] is True


def test_closing_does_not_wait_for_an_idle_client(endpoint: str) -> None:
    """A stuck `status` in another terminal must not keep the service from quitting."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as idle:
        idle.settimeout(30)
        with ServerThread(endpoint):
            idle.connect(endpoint)
            idle.sendall(b'{"cmd": "status"}\n')
            with idle.makefile("rb") as answers:
                assert json.loads(answers.readline())["ok"] is True
        assert idle.recv(1) == b""  # the server hung up on it while closing
    assert not os.path.exists(endpoint)


def test_a_claim_made_early_is_used_by_the_server_started_later(endpoint: str) -> None:
    """`run` claims first (to exit 0 quickly) and serves later on the engine's loop."""
    make_stale_socket(endpoint)
    asyncio.run(claim_endpoint(endpoint))
    assert not os.path.exists(endpoint)  # the stale socket went at claim time
    with ServerThread(endpoint):
        assert send_request({"cmd": "ping"}, endpoint)["pid"] == os.getpid()
    with ServerThread(endpoint):  # closing released the claim
        assert send_request({"cmd": "ping"}, endpoint)["ok"] is True


def test_a_second_server_in_the_same_process_is_refused(endpoint: str) -> None:
    with ServerThread(endpoint):
        with pytest.raises(AlreadyRunning) as refused:
            asyncio.run(claim_endpoint(endpoint))
        with pytest.raises(AlreadyRunning), ServerThread(endpoint):
            pass
        still = send_request({"cmd": "ping"}, endpoint)
    assert refused.value.pid == os.getpid()
    assert refused.value.exit_code == 0
    assert still["ok"] is True


CLAIMANT = """
import asyncio, os, sys
from reminder.control import AlreadyRunning, ControlServer

async def handler(request):
    return {"ok": True}

async def main():
    sys.stdin.readline()  # start line: both processes are loaded and waiting
    server = ControlServer()
    try:
        await server.start(sys.argv[1], handler)
    except AlreadyRunning as error:
        print("already", error.pid, flush=True)
        return
    print("won", os.getpid(), flush=True)
    await asyncio.to_thread(sys.stdin.readline)  # serve until the test closes stdin
    await server.close()

asyncio.run(main())
"""


def test_two_services_started_at_once_leave_exactly_one(endpoint: str) -> None:
    claimants = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMANT, endpoint],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for proc in claimants:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
        for proc in claimants:
            assert proc.stdin is not None
            proc.stdin.flush()
        outcomes = {}
        for proc in claimants:
            assert proc.stdout is not None
            verdict, pid = proc.stdout.readline().split()
            outcomes[proc.pid] = (verdict, int(pid))
        winners = [pid for pid, (verdict, _) in outcomes.items() if verdict == "won"]
        assert len(winners) == 1, outcomes
        (loser_verdict, reported) = next(v for p, v in outcomes.items() if p != winners[0])
        assert loser_verdict == "already"
        assert reported == winners[0]
        assert outcomes[winners[0]][1] == winners[0]
        assert send_request({"cmd": "ping"}, endpoint)["pid"] == winners[0]
    finally:
        for proc in claimants:
            assert proc.stdin is not None
            proc.stdin.close()
        for proc in claimants:
            proc.wait(60)
            assert proc.stderr is not None
            proc.stderr.close()
            assert proc.stdout is not None
            proc.stdout.close()
    assert all(proc.returncode == 0 for proc in claimants)
    assert not os.path.exists(endpoint)


# -------------------------------------------------------------------- client


def test_the_client_reports_no_service_when_nothing_is_there(endpoint: str) -> None:
    with pytest.raises(NoServiceError) as missing:
        send_request({"cmd": "status"}, endpoint)
    assert missing.value.exit_code == 3
    assert endpoint in str(missing.value)
    assert "sitting-reminder run" in str(missing.value)


def test_the_client_reports_no_service_for_a_stale_socket(endpoint: str) -> None:
    make_stale_socket(endpoint)
    with pytest.raises(NoServiceError):
        send_request({"cmd": "status"}, endpoint)


@pytest.mark.parametrize("command", [["status"], ["run", "--no-tray"]], ids=["status", "run"])
@pytest.mark.parametrize("how", ["unset", "named"])
def test_a_runtime_folder_of_another_user_is_named_not_crashed_on(
    isolated_dirs: dict[str, Path], tmp_path: Path, command: list[str], how: str
) -> None:
    """With XDG_RUNTIME_DIR unset the socket folder falls back to $TMPDIR/runtime-<uid>,
    a predictable name another account may have made first ("unset"; TMPDIR points at the
    test's folder so the machine's /tmp is not touched); or XDG_RUNTIME_DIR names a folder
    of another account ("named")."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give a folder to another account (chown)")
    env = {**os.environ}
    env.pop("DISPLAY", None)
    if how == "unset":
        foreign = tmp_path / f"runtime-{os.geteuid()}"
        env.pop("XDG_RUNTIME_DIR", None)
        env["TMPDIR"] = str(tmp_path)
        expected = f"runtime directory {foreign} is owned by uid 65534"
    else:
        foreign = tmp_path / "foreign-runtime"
        env["XDG_RUNTIME_DIR"] = str(foreign)
        expected = f"the folder for the control socket, {foreign}, belongs to another user"
    foreign.mkdir(mode=0o700)
    os.chown(foreign, 65534, 65534)  # nobody
    done = subprocess.run(
        [sys.executable, "-m", "reminder", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert expected in done.stderr
    assert "XDG_RUNTIME_DIR" in done.stderr
