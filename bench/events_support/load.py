"""The HTTP load of bench/events.py, standard library only, run as its own process so that its
threads never share an interpreter lock with the measurement of the other load.

    python bench/events_support/load.py < config.json > records.json

Two modes (config "mode"):

- ``intake``: ``clients`` threads, each with one keep-alive connection, POST /api/events/ as the
  grid workers of the config (token auth, a fresh UUID client_id every time, the worker's own
  grid, a category and text drawn from the config). With ``rate`` > 0 the threads share a fixed
  schedule of that many requests a second (open loop, no catch-up bursts beyond the threads);
  with 0 each thread sends its next request when the last one is answered (closed loop: the
  highest rate those clients sustain).
- ``pages``: a center staff user's session browsing: ``queue_threads`` threads GET
  /events/queue/ and ``event_threads`` threads GET /events/<id>/ for ids drawn from the config,
  each waiting ``think`` seconds between its requests.

Everything starts at ``start_at`` (a time.time() value shared by both processes) and runs for
``warmup`` + ``duration`` seconds. Output: JSON {"records": [[kind, start, seconds, status],
...], "errors": [...]}, ``start`` relative to start_at.
"""

from __future__ import annotations

import http.client
import json
import random
import sys
import threading
import time
import uuid
from typing import Any

FORWARDED = {"X-Forwarded-Proto": "https"}
DROPPED = (http.client.HTTPException, ConnectionError, TimeoutError, OSError)


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.body = b""

    def send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> int:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.conn.request(method, path, body=body, headers={**FORWARDED, **headers})
                response = self.conn.getresponse()
                self.body = response.read()
                if response.will_close:
                    self.conn.close()
                    self.conn = None
                return response.status
            except DROPPED:
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def run_intake(config: dict[str, Any], out: list[list[Any]], errors: list[str]) -> None:
    start_at, total = config["start_at"], config["warmup"] + config["duration"]
    rate = float(config.get("rate") or 0)
    workers, categories, texts = config["workers"], config["categories"], config["texts"]
    lock = threading.Lock()
    slot = [0]

    def client(index: int) -> None:
        rng = random.Random(f"{config.get('seed', 0)}:{index}")
        http_client = Client(config["port"])
        while time.time() < start_at:
            time.sleep(0.005)
        while True:
            if rate:
                with lock:
                    mine = slot[0]
                    slot[0] += 1
                due = start_at + mine / rate
                if due - start_at >= total:
                    return
                wait = due - time.time()
                if wait > 0:
                    time.sleep(wait)
            worker = rng.choice(workers)
            title, description = rng.choice(texts)
            payload = {
                "client_id": str(uuid.uuid4()),
                "category": rng.choice(categories),
                "title": title,
                "description": description,
                "grid": worker["grid"],
                "priority": "urgent" if rng.random() < 0.1 else "normal",
                "source": "grid_worker",
            }
            started = time.time()
            if started - start_at >= total:
                return
            try:
                status = http_client.send(
                    "POST",
                    "/api/events/",
                    json.dumps(payload, ensure_ascii=False).encode(),
                    {
                        "Authorization": f"Token {worker['token']}",
                        # as the field app does: a receipt, not the whole event page
                        "Prefer": "return=minimal",
                        "Content-Type": "application/json",
                        "Accept": "application/json",
                    },
                )
            except DROPPED as error:
                status = 0
                with lock:
                    errors.append(f"intake: {type(error).__name__}: {error}")
            seconds = time.time() - started
            with lock:
                out.append(["intake", started - start_at, seconds, status])
                if status not in (200, 201) and len(errors) < 20:
                    errors.append(f"intake {status}: {http_client.body[:300]!r}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(config["clients"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_pages(config: dict[str, Any], out: list[list[Any]], errors: list[str]) -> None:
    start_at, total = config["start_at"], config["warmup"] + config["duration"]
    think, ids = config["think"], config["event_ids"]
    headers = {"Cookie": f"sessionid={config['session']}", "Accept": "text/html"}
    lock = threading.Lock()

    def browse(kind: str, index: int) -> None:
        rng = random.Random(f"{config.get('seed', 0)}:{kind}:{index}")
        http_client = Client(config["port"])
        time.sleep(max(0.0, start_at - time.time()) + rng.uniform(0, think))
        while True:
            path = "/events/queue/" if kind == "queue" else f"/events/{rng.choice(ids)}/"
            started = time.time()
            if started - start_at >= total:
                return
            try:
                status = http_client.send("GET", path, None, headers)
            except DROPPED as error:
                status = 0
                with lock:
                    errors.append(f"{kind}: {type(error).__name__}: {error}")
            seconds = time.time() - started
            with lock:
                out.append([kind, started - start_at, seconds, status])
                if status != 200 and len(errors) < 20:
                    errors.append(f"{kind} {path} {status}: {http_client.body[:200]!r}")
            time.sleep(think)

    threads = [
        threading.Thread(target=browse, args=(kind, i))
        for kind, count in (("queue", config["queue_threads"]), ("event", config["event_threads"]))
        for i in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> int:
    config = json.load(sys.stdin)
    records: list[list[Any]] = []
    errors: list[str] = []
    {"intake": run_intake, "pages": run_pages}[config["mode"]](config, records, errors)
    json.dump({"records": records, "errors": errors}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
