"""Serving (issue 26): `sentclf serve` under load from wrk, against the same stack answering a constant
and against offline predict, in one run.

    python bench/serve.py [MODEL [ACCURATE_MODEL]]

MODEL defaults to the six-feature model of the default corpus (trained into build/bench/ if absent).
For each model: start to ready (median of three starts); requests/s and p50/p99 latency at 1, 8, 32
and 128 connections of one text each; 100 texts per request (32 connections) against offline
predict's docs/s (whole process and in-process on the same texts). For the first model also: 32
connections against the constant-answer FastAPI server (the HTTP ceiling), in three alternating
rounds, 4x overload (every answer a 200 equal to offline predict's, or a 429/503), RSS
before and after 100,000 requests, and 1,000 malformed requests (bad JSON, wrong types, huge bodies,
invalid UTF-8, slow clients). Needs Debian's wrk (apt-get install wrk) and the serve extra.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEPT = ROOT / "build" / "bench"
BIN = Path(sys.executable).parent
DURATION = 10  # seconds per wrk run
CONNECTIONS = (1, 8, 32, 128)

WRK_SCRIPT = """
local texts = {}
for line in io.lines(os.getenv("BENCH_TEXTS")) do texts[#texts + 1] = line end
local per = tonumber(os.getenv("BENCH_PER_REQUEST") or "1")
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local parts = {}
  for k = 1, per do
    i = i % #texts + 1
    parts[k] = texts[i]
  end
  local body = per == 1 and ('{"inputs": ' .. parts[1] .. '}') or ('{"inputs": [' .. table.concat(parts, ",") .. ']}')
  return wrk.format(nil, nil, nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format('RESULT {"requests": %d, "seconds": %f, "p50_ms": %f, "p99_ms": %f, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""
# wrk's threads each run the script: statuses are counted per thread, so they are printed per thread
WRK_STATUS = """
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end
init = function() statuses = {} end
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
done_statuses = function()
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do total[code] = (total[code] or 0) + n end
  end
  local out = {}
  for code, n in pairs(total) do out[#out + 1] = string.format('"%d": %d', code, n) end
  io.write("STATUSES {" .. table.concat(out, ", ") .. "}\\n")
end
local base_done = done
done = function(summary, latency, requests) base_done(summary, latency, requests); done_statuses() end
"""

CONSTANT_APP = """
import sys, uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
app = FastAPI()
ANSWER = [[{"label": "positive", "score": 0.9}, {"label": "neutral", "score": 0.07},
           {"label": "negative", "score": 0.03}]]
@app.post("/predict")
async def predict():
    return JSONResponse(ANSWER)
@app.get("/health")
async def health():
    return {"ready": True}
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False, server_header=False)
"""


REQUEST_HEAD = b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int, timeout: float = 120) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"port {port}: not ready in {timeout} s")


def start(args: list) -> tuple:
    port = free_port()
    began = time.perf_counter()
    process = subprocess.Popen([*args, str(port)], stderr=subprocess.DEVNULL)
    wait_ready(port)
    return process, port, time.perf_counter() - began


def serve(model: str, *options) -> tuple:
    return start([str(BIN / "sentclf"), "serve", "-m", model, "-q", *options, "--port"])


def wrk(port: int, connections: int, texts: Path, per_request: int = 1, seconds: int = DURATION) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT + WRK_STATUS)
    env = {**os.environ, "BENCH_TEXTS": str(texts), "BENCH_PER_REQUEST": str(per_request)}
    threads = min(2, connections)
    done = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            script.name,
            f"http://127.0.0.1:{port}/predict",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result = json.loads(re.search(r"RESULT (\{.*\})", done.stdout).group(1))
    result["statuses"] = json.loads(re.search(r"STATUSES (\{.*\})", done.stdout).group(1))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def tweets(limit: int = 20_000) -> list:
    from sentclf.data.corpus import load_default_corpus

    return [t.replace("\n", " ") for t in load_default_corpus().texts[:limit]]


def offline(model: str, texts: list) -> dict:
    """docs/s of `sentclf predict` (whole process) and of the scorer in-process, and its answers."""
    from sentclf.classify.modelfile import load
    from sentclf.classify.prediction import Scorer
    from sentclf.text import tokenize_all

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        handle.write("\n".join(texts) + "\n")
    began = time.perf_counter()
    subprocess.run(
        [str(BIN / "sentclf"), "predict", "-m", model, handle.name, "--csv", "-q"],
        stdout=subprocess.DEVNULL,
        check=True,
    )
    whole = len(texts) / (time.perf_counter() - began)
    scorer = Scorer.of(load(model))
    began = time.perf_counter()
    labels, probabilities = [], []
    for i in range(0, len(texts), 1000):
        proba, batch = scorer.score_tokens(tokenize_all(texts[i : i + 1000]))
        labels += batch
        probabilities += proba.tolist()
    inside = len(texts) / (time.perf_counter() - began)
    return {
        "whole_process": whole,
        "in_process": inside,
        "labels": labels,
        "proba": probabilities,
        "classes": scorer.classes,
    }


def overload(port: int, texts: list, expected: dict, clients: int = 128, each: int = 40) -> dict:
    """Many more clients than the server's queue holds, each sending distinct texts: every 200 must equal
    offline predict's answer for its text; anything else must be a 429 or a 503."""
    seen: dict = {}
    wrong = []

    def client(k: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for j in range(each):
            i = (k * each + j) % len(texts)
            body = json.dumps({"inputs": texts[i : i + 20]})
            connection.request("POST", "/predict", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            payload = response.read()
            seen[response.status] = seen.get(response.status, 0) + 1
            if response.status == 200:
                for offset, scores in enumerate(json.loads(payload)):
                    got = {s["label"]: s["score"] for s in scores}
                    want = expected[i + offset]
                    if any(abs(got[c] - want[c]) > 1e-9 for c in want):
                        wrong.append(i + offset)
            if response.getheader("connection") == "close":
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return {"statuses": seen, "wrong_answers": len(wrong)}


def malformed(port: int, n: int = 1000) -> dict:
    """n bad requests over raw sockets, then whether the server still answers a good one."""
    kinds = [
        b'{"inputs": "unclosed',
        b'{"inputs": 42}',
        b'{"inputs": ["a", {"b": 1}]}',
        b'{"inputs": "\xff\xfe\xfd"}',
        b"[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
        b'{"inputs": "ok", "extra": true}',
        b"",
    ]
    statuses: dict = {}
    for k in range(n):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        if k % 100 == 99:  # a huge body, declared
            head = REQUEST_HEAD + b"Content-Length: 50000000\r\n\r\n"
            sock.sendall(head + b"x" * 65536)
        else:
            body = kinds[k % len(kinds)]
            sock.sendall(REQUEST_HEAD + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        try:
            status = int(sock.recv(64).split()[1])
        except (OSError, IndexError, ValueError):
            status = 0
        statuses[status] = statuses.get(status, 0) + 1
        sock.close()
    slow = []  # clients that send half a body and stall: the server gives up on each after its read timeout
    for _ in range(4):
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        sock.sendall(
            b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        slow.append(sock)
    good = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    good.request("POST", "/predict", json.dumps({"inputs": "still serving"}), {"Content-Type": "application/json"})
    served_meanwhile = good.getresponse().status
    slow_statuses = [int(s.recv(64).split()[1]) for s in slow]
    return {"statuses": statuses, "slow_clients": slow_statuses, "good_request_meanwhile": served_meanwhile}


def started(model: str, times: int = 3) -> tuple:
    """The server started ``times`` times: the last one kept running, and the median start to ready."""
    seconds = []
    for i in range(times):
        process, port, ready = serve(model)
        seconds.append(ready)
        if i < times - 1:
            process.terminate()
            process.wait(60)
    return process, port, statistics.median(seconds)


def bench_model(model: str, texts_file: Path, texts: list, full: bool, constant_port: int) -> dict:
    scored = offline(model, texts)  # first: a server left scoring a backlog would slow it
    process, port, ready = started(model)
    row: dict = {"model": model, "start_to_ready_s": round(ready, 2), "latency": {}}
    try:
        wrk(port, 8, texts_file, seconds=3)  # warm up
        for connections in CONNECTIONS:
            result = wrk(port, connections, texts_file)
            row["latency"][connections] = {k: round(result[k], 2) for k in ("rps", "p50_ms", "p99_ms")}
            row["latency"][connections]["statuses"] = result["statuses"]
        hundred = wrk(port, 32, texts_file, per_request=100)
        row["docs_per_s_100_per_request"] = round(hundred["rps"] * 100)
        row["statuses_100_per_request"] = hundred["statuses"]
        row["offline_docs_per_s"] = {k: round(scored[k]) for k in ("whole_process", "in_process")}
        if full:
            # the machine's speed drifts by a third within minutes: the ceiling and the server are
            # measured in alternation, and the ratio is the median of the rounds'
            rounds = [(wrk(constant_port, 32, texts_file)["rps"], wrk(port, 32, texts_file)["rps"]) for _ in range(3)]
            row["rounds_32_constant_vs_served_rps"] = [[round(c), round(o)] for c, o in rounds]
            row["ratio_32_vs_constant"] = round(statistics.median(o / c for c, o in rounds), 3)
            expected = [dict(zip(scored["classes"], p)) for p in scored["proba"]]
            row["rss_mb_before"] = round(rss_mb(process.pid), 1)
            requests = 0
            while requests < 100_000:
                requests += wrk(port, 32, texts_file, seconds=10)["requests"]
            row["requests_for_rss"] = requests
            row["rss_mb_after"] = round(rss_mb(process.pid), 1)
    finally:
        process.terminate()
        process.wait(60)
    if full:
        small, port, _ = serve(model, "--max-queue", "2000", "--max-texts", "1000")
        try:
            row["overload"] = overload(port, texts, expected)
            row["malformed"] = malformed(port)
        finally:
            small.terminate()
            small.wait(60)
    return row


def constant_server(texts_file: Path) -> tuple:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(CONSTANT_APP)
    process, port, _ = start([sys.executable, script.name])
    wrk(port, 32, texts_file, seconds=3)
    result = wrk(port, 32, texts_file)
    return process, port, {k: round(result[k], 2) for k in ("rps", "p50_ms", "p99_ms")}


def six_model() -> str:
    path = KEPT / "six.sentclf"
    if not path.exists():
        KEPT.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(BIN / "sentclf"), "train", "--model", "lr", "-o", str(path), "-q"],
            stdout=subprocess.DEVNULL,
            check=True,
        )
    return str(path)


def main(argv: list) -> None:
    models = argv or [six_model()]
    texts = tweets()
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as handle:
        handle.write("\n".join(json.dumps(t) for t in texts) + "\n")
    texts_file = Path(handle.name)
    constant, constant_port, ceiling = constant_server(texts_file)
    report: dict = {"constant_fastapi_32": ceiling}
    try:
        report["models"] = [
            bench_model(m, texts_file, texts, full=i == 0, constant_port=constant_port) for i, m in enumerate(models)
        ]
    finally:
        constant.terminate()
        constant.wait(30)
    first = report["models"][0]
    report["ratios"] = {
        "one_text_32_vs_constant_median_of_rounds": first["ratio_32_vs_constant"],
        "hundred_texts_vs_offline_whole_process": round(
            first["docs_per_s_100_per_request"] / first["offline_docs_per_s"]["whole_process"], 3
        ),
        "hundred_texts_vs_offline_in_process": round(
            first["docs_per_s_100_per_request"] / first["offline_docs_per_s"]["in_process"], 3
        ),
        "rss_after_vs_before": round(first["rss_mb_after"] / first["rss_mb_before"], 3),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
