"""`sentclf serve` as a process: it binds, serves, reloads on SIGHUP, and drains on SIGTERM (every
request in flight answered, then it ends); what it cannot start with is one `Error:` line."""

from __future__ import annotations

import re
import shutil
import signal
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner

from sentclf.cli import cli


def texts_taken(running) -> tuple:
    """(texts queued or being scored, texts scored) by the server's /metrics."""
    with urllib.request.urlopen(running.url + "/metrics", timeout=10) as response:
        metrics = response.read().decode()
    value = lambda name: float(re.search(rf"^{name} (\S+)$", metrics, re.M).group(1))  # noqa: E731
    return value("sentclf_queue_texts"), value("sentclf_texts_scored_total")


def test_sigterm_answers_every_request_in_flight_then_exits(server, trained_model):
    running = server("-m", trained_model, "--max-batch", "1000", "--max-queue", "40000")
    texts = [f"text {i} was great, or was it" for i in range(1000)]
    answered_at: list = []

    def post(i):
        answer = running.post("/predict", {"inputs": texts})
        answered_at.append(time.monotonic())
        return answer

    with ThreadPoolExecutor(32) as pool:
        futures = [pool.submit(post, i) for i in range(32)]
        while True:  # every request taken by the server (one still being sent is not in flight yet)
            queued, scored = texts_taken(running)
            if queued + scored >= 32 * 1000:
                break
            time.sleep(0.005)
        assert queued > 0, "every request was answered before SIGTERM: nothing left to drain"
        terminated_at = time.monotonic()
        running.process.send_signal(signal.SIGTERM)
        answers = [f.result() for f in futures]
    assert [status for status, _ in answers] == [200] * 32
    assert all(len(body) == 1000 and len(body[0]) == 2 for _, body in answers)
    assert max(answered_at) > terminated_at  # answered after SIGTERM: drained, not done before it
    # uvicorn re-raises the signal once drained, so the parent sees the process ended by SIGTERM (143)
    assert running.process.wait(20) in (0, -signal.SIGTERM)
    assert "Traceback" not in "".join(running.lines)


def test_sighup_reloads_and_a_bad_file_leaves_the_old_model(server, trained_model, trained_model_3class, tmp_path):
    served = tmp_path / "served.sentclf"
    shutil.copy(trained_model, served)
    running = server("-m", served)
    before = running.get("/info")[1]["sha256"]
    served.write_bytes(b"broken")
    running.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 20
    while not any("reload failed" in line for line in running.lines):
        assert time.monotonic() < deadline, "".join(running.lines)
        time.sleep(0.05)
    assert running.get("/info")[1]["sha256"] == before
    shutil.copy(trained_model_3class, served)
    running.process.send_signal(signal.SIGHUP)
    while running.get("/info")[1]["sha256"] == before:
        assert time.monotonic() < deadline, "".join(running.lines)
        time.sleep(0.05)
    assert len(running.post("/predict", {"inputs": "hi"})[1][0]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-m", "missing.sentclf"], "missing.sentclf"),
        (["--port", "70000"], "--port must be between 0 and 65535"),
        (["--host", "example.org"], "--host takes an IP address"),
        (["--max-batch", "0"], "--max-batch must be at least 1"),
        (["--token-file", "absent.txt"], "absent.txt: cannot read the token file"),
    ],
)
def test_what_serve_cannot_start_with_is_one_error_line(trained_model, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    full = args if args[0] == "-m" else ["-m", str(trained_model), *args]
    result = CliRunner().invoke(cli, ["serve", *full])
    assert result.exit_code == 1, result.output
    assert message in result.stderr and result.stderr.startswith("Error:") and "Traceback" not in result.stderr


def test_a_short_token_is_refused(trained_model, tmp_path):
    (tmp_path / "token").write_text("short\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "-m", str(trained_model), "--token-file", str(tmp_path / "token")])
    assert result.exit_code == 1 and "at least 16 characters" in result.stderr
