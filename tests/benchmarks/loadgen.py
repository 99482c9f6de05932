"""A small HTTP load generator (standard library only), run as its own process by bench_http.

    python tests/benchmarks/loadgen.py --port 8118 --path /severity/ --cookie 'sessionid=…' \
        --requests 300 --warmup 20 --threads 4 --time-limit 60 --warmup-time-limit 5

Several threads share a fixed number of GET requests to 127.0.0.1, each thread on its own
keep-alive `http.client` connection (opened again whenever the server closes it, as gunicorn's
sync workers do after each response). Prints one JSON object: requests done, errors, status
codes, p50/p90/p99 latency in ms, requests per second and the bytes of the last body.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time

HOST = "127.0.0.1"


class Worker(threading.Thread):
    def __init__(self, args: argparse.Namespace, budget: Budget, deadline: float) -> None:
        super().__init__(daemon=True)
        self.args = args
        self.budget = budget
        self.deadline = deadline
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors: list[str] = []
        self.body_bytes = 0
        self.connection: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.args.port, timeout=30)
        return self.connection

    def _close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self) -> None:
        headers = {"Host": HOST, "Accept": "*/*", "Connection": "keep-alive"}
        if self.args.cookie:
            headers["Cookie"] = self.args.cookie
        began = time.perf_counter()
        try:
            connection = self._connection()
            connection.request("GET", self.args.path, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            self._close()
            self.errors.append(f"{type(error).__name__}: {error}")
            return
        self.latencies.append((time.perf_counter() - began) * 1000)
        self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
        self.body_bytes = len(body)
        if response.will_close:
            self._close()

    def run(self) -> None:
        while time.perf_counter() < self.deadline and self.budget.take():
            self.request()
        self._close()


class Budget:
    """The requests left to send, shared by the threads."""

    def __init__(self, count: int) -> None:
        self.left = count
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def run(args: argparse.Namespace, count: int, time_limit: float) -> dict[str, object]:
    budget = Budget(count)
    began = time.perf_counter()
    workers = [Worker(args, budget, began + time_limit) for _ in range(args.threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    latencies = [value for worker in workers for value in worker.latencies]
    statuses: dict[str, int] = {}
    for worker in workers:
        for status, seen in worker.statuses.items():
            statuses[str(status)] = statuses.get(str(status), 0) + seen
    errors = [error for worker in workers for error in worker.errors]
    return {
        "path": args.path,
        "requests": len(latencies),
        "asked": count,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "statuses": statuses,
        "seconds": round(elapsed, 3),
        "timed_out": budget.left > 0,
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p90_ms": round(percentile(latencies, 0.90), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None,
        "rps": round(len(latencies) / elapsed, 1) if elapsed > 0 else None,
        "bytes": max((worker.body_bytes for worker in workers), default=0),
        "threads": args.threads,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True, help="Path and query string, from /.")
    parser.add_argument("--cookie", default="", help="Cookie header to send (the session).")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=60.0, help="Seconds, measured phase.")
    parser.add_argument("--warmup-time-limit", type=float, default=5.0, help="Seconds, warm-up.")
    args = parser.parse_args(argv)
    if not args.path.startswith("/"):
        parser.error("--path must start with /")
    if args.warmup:
        run(args, args.warmup, args.warmup_time_limit)
    result = run(args, args.requests, args.time_limit)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
