"""A `sentclf serve` process on a free port, for the tests that need a real server (signals, a
browser): started, waited for until ready, killed at the end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


class Server:
    def __init__(self, *args):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sentclf", "serve", "--port", "0", *map(str, args)],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: list = []
        self.url = None
        bound = threading.Event()

        def read():
            for line in self.process.stderr:
                self.lines.append(line)
                found = re.search(r"serving on (http://\S+)/", line)
                if found:
                    self.url = found.group(1)
                    bound.set()

        threading.Thread(target=read, daemon=True).start()
        assert bound.wait(30), "".join(self.lines)
        deadline = time.monotonic() + 30
        while self.get("/health")[0] != 200:
            assert time.monotonic() < deadline, "".join(self.lines)
            time.sleep(0.05)

    def get(self, path):
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def post(self, path, body):
        request = urllib.request.Request(
            self.url + path, json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
