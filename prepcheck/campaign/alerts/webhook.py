"""The webhook channel: one JSON POST per alert (httpx), bounded, TLS verified.

Contract: ``send`` POSTs the alert as JSON with ``Idempotency-Key: <alert id>`` (a delivery
retried after a lost answer can be recognised by the receiver) and, with ``token_env``, an
``Authorization: Bearer`` token read from that environment variable at send time. Any 2xx is
delivered; anything else, a timeout (``timeout_seconds`` per phase) or a connection failure
raises ``SendError``. TLS is verified against ``ca_file`` or the system store, never disabled.
Redirects are not followed.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx

from prepcheck.campaign.alerts.channels import SendError, secret
from prepcheck.config.settings.campaign import WebhookSettings

USER_AGENT = "prepcheck-alertas/1"


class Webhook:
    name = "webhook"

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings

    def send(self, payload: dict[str, Any]) -> None:
        headers = {"User-Agent": USER_AGENT, "Idempotency-Key": str(payload["id"])}
        if self.settings.token_env:
            headers["Authorization"] = f"Bearer {secret(self.settings.token_env)}"
        verify: ssl.SSLContext | bool = True
        if self.settings.ca_file is not None:
            verify = ssl.create_default_context(cafile=str(self.settings.ca_file))
        timeout = httpx.Timeout(self.settings.timeout_seconds)
        try:
            with httpx.Client(verify=verify, timeout=timeout, follow_redirects=False) as client:
                response = client.post(self.settings.url, json=payload, headers=headers)
        except httpx.TimeoutException:
            raise SendError(
                f"el webhook no respondió en {self.settings.timeout_seconds:g} s"
            ) from None
        except httpx.HTTPError as exc:
            raise SendError(f"el webhook no se pudo contactar: {type(exc).__name__}") from None
        if not response.is_success:
            raise SendError(f"el webhook respondió HTTP {response.status_code}")
