"""``serve``'s config: the model, where to listen, and every bound."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from sentclf.classify.modelfile.model import ModelSource
from sentclf.errors import ConfigError

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class ServeConfig:
    """The model to serve (its path is fixed at start: no request names a file), the address, the
    bearer token (None: no authentication, and no ``POST /reload``), and the bounds: a batch of at
    most ``max_batch`` texts gathered for at most ``max_wait_ms``, at most ``max_queue`` texts
    waiting (more: 429), ``max_body`` bytes per request (413), ``max_texts`` texts of at most
    ``max_chars`` characters each (413, 422), ``timeout`` seconds per request (503), ``read_timeout``
    seconds to send a body (408)."""

    model: ModelSource = field(default_factory=ModelSource)
    host: str = LOOPBACK
    port: int = 8000
    token: str | None = None
    max_batch: int = 256
    max_wait_ms: float = 5.0
    max_queue: int = 8192
    max_body: int = 1_000_000
    max_texts: int = 1000
    max_chars: int = 20_000
    timeout: float = 30.0
    read_timeout: float = 10.0
    min_confidence: float = 0.0
    neutral_band: float = 0.0

    def validate(self) -> None:
        self.model.validate()
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            if self.host != "localhost":
                raise ConfigError(f"--host takes an IP address (127.0.0.1, 0.0.0.0, ::1), not '{self.host}'") from None
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"--port must be between 0 and 65535, not {self.port}")
        if self.token is not None and len(self.token) < 16:
            raise ConfigError("the bearer token must be at least 16 characters: make one with `openssl rand -hex 32`")
        for name in ("max_batch", "max_queue", "max_body", "max_texts", "max_chars"):
            if getattr(self, name) < 1:
                raise ConfigError(f"--{name.replace('_', '-')} must be at least 1, not {getattr(self, name)}")
        if self.max_queue < self.max_texts:
            raise ConfigError(
                f"--max-queue ({self.max_queue}) must hold at least one request of --max-texts ({self.max_texts})"
            )
        if not 0 <= self.max_wait_ms <= 10_000:
            raise ConfigError(f"--max-wait-ms must be between 0 and 10,000, not {self.max_wait_ms}")
        if self.timeout <= 0 or self.read_timeout <= 0:
            raise ConfigError("--timeout and --read-timeout must be above 0 seconds")
        if not 0 <= self.min_confidence < 1 or not 0 <= self.neutral_band < 0.5:
            raise ConfigError("--min-confidence is below 1 and --neutral-band below 0.5, both at least 0")

    def is_public(self) -> bool:
        return self.host not in (LOOPBACK, "localhost", "::1")
