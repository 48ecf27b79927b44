"""Prometheus metrics of one server (their own registry, so two apps in one process never mix):
requests and errors by endpoint and status, latency, batch sizes, texts waiting, reloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)


@dataclass
class Metrics:
    registry: Any = None
    requests: Any = field(default=None)
    latency: Any = field(default=None)
    batch_size: Any = field(default=None)
    texts: Any = field(default=None)
    queue_depth: Any = field(default=None)
    reloads: Any = field(default=None)
    ready: Any = field(default=None)

    @classmethod
    def create(cls, waiting) -> Metrics:
        """``waiting()``: the texts queued now (read when scraped)."""
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        registry = CollectorRegistry()
        queue_depth = Gauge("sentclf_queue_texts", "Texts waiting to be scored or being scored", registry=registry)
        queue_depth.set_function(waiting)
        return cls(
            registry=registry,
            requests=Counter(
                "sentclf_requests", "HTTP requests by endpoint and status", ["endpoint", "status"], registry=registry
            ),
            latency=Histogram(
                "sentclf_request_seconds",
                "Time from request to response, by endpoint",
                ["endpoint"],
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            batch_size=Histogram(
                "sentclf_batch_texts", "Texts per scoring call (micro-batch)", buckets=BATCH_BUCKETS, registry=registry
            ),
            texts=Counter("sentclf_texts_scored", "Texts scored", registry=registry),
            queue_depth=queue_depth,
            reloads=Counter("sentclf_reloads", "Model reloads by outcome", ["outcome"], registry=registry),
            ready=Gauge("sentclf_ready", "1 once a model has loaded", registry=registry),
        )

    def observe_batch(self, n: int) -> None:
        self.batch_size.observe(n)
        self.texts.inc(n)

    def exposition(self) -> tuple:
        """(body, content type) of the scrape."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST
