"""The email channel: SMTP with STARTTLS, always, the server certificate verified.

Contract: ``send`` connects to ``host:port`` (bounded by ``timeout_seconds``), requires
STARTTLS (a server without it is a ``SendError``: alerts never travel in clear), verifies the
server's certificate and name against ``ca_file`` or the system store, logs in when
``username`` is set (password from ``password_env`` at send time) and sends one message per
alert whose ``Message-ID`` derives from the alert id. Any SMTP or network failure raises
``SendError`` naming it, never the password.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from prepcheck.campaign.alerts.channels import SendError, secret
from prepcheck.config.settings.campaign import EmailSettings
from prepcheck.redaction import from_environment


class Email:
    name = "correo"

    def __init__(self, settings: EmailSettings) -> None:
        self.settings = settings

    def send(self, payload: dict[str, Any]) -> None:
        settings = self.settings
        context = ssl.create_default_context(
            cafile=str(settings.ca_file) if settings.ca_file else None
        )
        message = compose(settings, payload)
        try:
            with smtplib.SMTP(
                settings.host, settings.port, timeout=settings.timeout_seconds
            ) as smtp:
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise SendError(f"el servidor SMTP {settings.host} no ofrece STARTTLS")
                smtp.starttls(context=context)
                smtp.ehlo()
                if settings.username and settings.password_env:
                    smtp.login(settings.username, secret(settings.password_env))
                smtp.send_message(message)
        except SendError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"el servidor SMTP rechazó el usuario ({exc.smtp_code})") from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            redact = from_environment([settings.password_env], [settings.username or ""])
            raise SendError(
                redact(f"SMTP {settings.host}:{settings.port}: {_reason(exc)}")
            ) from None


def compose(settings: EmailSettings, payload: dict[str, Any]) -> EmailMessage:
    """The message of one alert (Spanish subject and body)."""
    message = EmailMessage()
    message["Subject"] = f"[prepcheck] {payload['titulo']}"
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{payload['id']}@prepcheck.alertas>"
    lines = [payload["mensaje"], "", f"Difusor: {payload['nombre']} ({payload['difusor']})"]
    lines += [f"Elección: {payload['eleccion']}", f"Momento: {payload['momento']}"]
    lines += ["", "Enviado por prepcheck (una alerta por cambio de estado)."]
    message.set_content("\n".join(lines))
    return message


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificado del servidor no válido ({exc.verify_message})"
    if isinstance(exc, TimeoutError):
        return "sin respuesta a tiempo"
    return f"{type(exc).__name__}: {exc}"[:200]
