"""Deliver one message to one channel over the network: HTTP webhooks and SMTP."""

from __future__ import annotations

import json
import smtplib
import ssl
from collections.abc import Mapping

import requests

from brandpulse.alerts import render
from brandpulse.config import Alert


class DeliveryError(Exception):
    """A message did not reach its channel; the text says why (timeout, HTTP 500, SMTP...)."""


def deliver(alert: Alert, message: render.Message, env: Mapping[str, str]) -> None:
    """Send `message` to `alert`'s channel or raise DeliveryError."""
    if alert.channel == "email":
        _email(alert, message, env)
        return
    url = alert.url or env.get(alert.url_env or "", "")
    if not url:
        raise DeliveryError(f"no URL: set {alert.url_env} in the environment")
    headers = {"Content-Type": "application/json", "User-Agent": "brandpulse-alerts"}
    if alert.channel == "slack":
        body = json.dumps(render.slack_payload(message)).encode()
    elif alert.channel == "teams":
        body = json.dumps(render.teams_payload(message)).encode()
    else:
        secret = env.get(alert.secret_env or "")
        if not secret:
            raise DeliveryError(f"no signing secret: set {alert.secret_env} in the environment")
        body = render.webhook_body(message)
        headers["X-Brandpulse-Signature"] = render.signature(secret, body)
        headers["X-Brandpulse-Event"] = str(message.event.get("type", "message"))
    try:
        response = requests.post(
            url, data=body, headers=headers, timeout=alert.timeout, allow_redirects=False
        )
    except requests.Timeout:
        raise DeliveryError(f"timed out after {alert.timeout:g}s") from None
    except requests.RequestException as exc:
        raise DeliveryError(f"could not connect: {type(exc).__name__}") from None
    if response.status_code >= 300:
        raise DeliveryError(f"HTTP {response.status_code} from the {alert.channel} webhook")


def _email(alert: Alert, message: render.Message, env: Mapping[str, str]) -> None:
    mail = render.email_message(message, alert.sender or "", alert.recipients)
    user = env.get(alert.username_env or "") or None
    password = env.get(alert.password_env or "") or None
    host, port = alert.smtp_host or "", alert.smtp_port
    try:
        if alert.smtp_security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=alert.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=alert.timeout)
        with client:
            if alert.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if user and password:
                client.login(user, password)
            client.send_message(mail)
    except TimeoutError:
        raise DeliveryError(f"SMTP timed out after {alert.timeout:g}s") from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"SMTP error: {exc}") from None
    except OSError as exc:
        raise DeliveryError(f"SMTP connection failed: {exc.strerror or exc}") from None
