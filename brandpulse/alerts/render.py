"""Alert, digest and test messages as plain values, and each channel's wire format (no I/O)."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlencode

STATE_WORDS = {
    "new": "New incident",
    "growing": "Incident growing",
    "ongoing": "Incident ongoing",
    "over": "Incident over",
}


@dataclass(frozen=True)
class Message:
    """What every channel says, before it is shaped for that channel."""

    subject: str
    headline: str
    facts: list[str] = field(default_factory=list)
    terms: list[list[Any]] = field(default_factory=list)  # [term, mentions]
    mentions: list[dict[str, Any]] = field(default_factory=list)  # title, url, source, engagement
    link: str | None = None
    event: dict[str, Any] = field(default_factory=dict)  # the webhook's machine-readable body

    def to_dict(self) -> dict[str, Any]:
        """Return the message as JSON-ready values (what the outbox stores)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        """Return the message the outbox stored."""
        return cls(**data)


def incident_link(base: str | None, brand: str, first: date, last: date) -> str | None:
    """Return the Spikes page filtered to the brand and the incident's days, if a base is set."""
    if not base:
        return None
    query = urlencode(
        {"brand": brand, "period": "custom", "from": first.isoformat(), "to": last.isoformat()}
    )
    return f"{base.rstrip('/')}/spikes?{query}"


def incident_message(
    incident: dict[str, Any],
    state: str,
    terms: list[tuple[str, int]],
    mentions: list[dict[str, Any]],
    link: str | None,
) -> Message:
    """Return the alert for one incident state: open (new or grown) or over."""
    brand, status = incident["brand"], incident["status"]
    word = STATE_WORDS.get(status, "Incident")
    if state.startswith("open") and status != "new" and state != "open:first":
        word = f"{word} ({incident['severity']})"
    span = f"{incident['start']}" + (
        f" to {incident['end']}" if incident["end"] != incident["start"] else ""
    )
    what = {
        "volume": "mentions far above the usual",
        "negative": "negative share far above the usual",
        "volume+negative": "mentions and negative share far above the usual",
    }[incident["kind"]]
    ratio = incident["peak_value"] / incident["peak_expected"] if incident["peak_expected"] else 0
    facts = [
        f"{brand}: {what}, {span} (severity {incident['severity']}, status {status}).",
        f"Peak {incident['peak']}: {incident['peak_value']:,} mentions vs"
        f" {incident['peak_expected']:.1f} expected (×{ratio:.1f}).",
        f"All {incident['days']} day(s): {incident['mentions']:,} mentions vs"
        f" {incident['expected']:.1f} expected; {incident['negative']:,} negative vs"
        f" {incident['negative_expected']:.1f} expected.",
    ]
    event = {
        "type": "incident",
        "state": state,
        "incident": {k: (str(v) if isinstance(v, date) else v) for k, v in incident.items()},
        "terms": [{"term": t, "mentions": n} for t, n in terms],
        "mentions": mentions,
        "link": link,
    }
    return Message(
        subject=f"[brandpulse] {word}: {brand} {span}",
        headline=f"{word}: {brand}",
        facts=facts,
        terms=[[t, int(n)] for t, n in terms],
        mentions=mentions,
        link=link,
        event=event,
    )


def test_message(channel: str) -> Message:
    """Return the message `brandpulse alerts test` sends."""
    return Message(
        subject=f"[brandpulse] Test message for {channel}",
        headline="brandpulse test message",
        facts=[f"This channel ({channel}) receives brandpulse alerts and digests."],
        event={"type": "test", "channel": channel},
    )


def text(message: Message) -> str:
    """Return the plain-text body (e-mail text part, Slack/Teams fallback)."""
    out = [message.headline, "", *message.facts]
    if message.terms:
        out += ["", "Top terms: " + ", ".join(f"{t} ({n})" for t, n in message.terms)]
    if message.mentions:
        out += ["", "Most engaged mentions:"]
        out += [
            f"- {m['title']} ({m['source']}, engagement {m['engagement']})"
            f" {m.get('url') or ''}".rstrip()
            for m in message.mentions
        ]
    if message.link:
        out += ["", f"Open in the dashboard: {message.link}"]
    return "\n".join(out) + "\n"


def html_body(message: Message) -> str:
    """Return the HTML body of the e-mail; every value is escaped."""
    e = html.escape
    parts = [
        '<html><body style="font-family:sans-serif">',
        f"<h2>{e(message.headline)}</h2>",
        *(f"<p>{e(fact)}</p>" for fact in message.facts),
    ]
    if message.terms:
        cells = "".join(f"<tr><td>{e(str(t))}</td><td>{int(n)}</td></tr>" for t, n in message.terms)
        parts.append(
            f"<h3>Top terms</h3><table><tr><th>Term</th><th>Mentions</th></tr>{cells}</table>"
        )
    if message.mentions:
        items = "".join(
            f'<li><a href="{e(m["url"])}">{e(m["title"])}</a> ({e(m["source"])},'
            f" engagement {int(m['engagement'])})</li>"
            if _safe_url(m.get("url"))
            else f"<li>{e(m['title'])} ({e(m['source'])}, engagement {int(m['engagement'])})</li>"
            for m in message.mentions
        )
        parts.append(f"<h3>Most engaged mentions</h3><ul>{items}</ul>")
    if message.link and _safe_url(message.link):
        parts.append(f'<p><a href="{e(message.link)}">Open in the dashboard</a></p>')
    parts.append("</body></html>")
    return "\n".join(parts)


def _safe_url(url: str | None) -> bool:
    return bool(url) and str(url).lower().startswith(("https://", "http://"))


def slack_payload(message: Message) -> dict[str, Any]:
    """Return a Slack incoming-webhook body: a text fallback plus Block Kit sections."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.headline[:150]}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "\n".join(_slack(f) for f in message.facts)},
        },
    ]
    if message.terms:
        terms = ", ".join(f"{_slack(str(t))} ({n})" for t, n in message.terms)
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*Top terms:* {terms}"}}
        )
    if message.mentions:
        lines = [
            f"• <{m['url']}|{_slack(m['title'])}> ({m['source']}, engagement {m['engagement']})"
            if _safe_url(m.get("url"))
            else f"• {_slack(m['title'])} ({m['source']}, engagement {m['engagement']})"
            for m in message.mentions
        ]
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "*Most engaged mentions:*\n" + "\n".join(lines)},
            }
        )
    if message.link:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"<{message.link}|Open in the dashboard>"},
            }
        )
    return {"text": message.subject, "blocks": blocks}


def _slack(value: str) -> str:
    # Slack's mrkdwn treats &, < and > as control characters.
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams_payload(message: Message) -> dict[str, Any]:
    """Return a Teams incoming-webhook body: one Adaptive Card."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": message.headline,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        },
        *({"type": "TextBlock", "text": fact, "wrap": True} for fact in message.facts),
    ]
    if message.terms:
        body.append(
            {
                "type": "TextBlock",
                "wrap": True,
                "text": "Top terms: " + ", ".join(f"{t} ({n})" for t, n in message.terms),
            }
        )
    for m in message.mentions:
        title = f"[{m['title']}]({m['url']})" if _safe_url(m.get("url")) else m["title"]
        body.append(
            {
                "type": "TextBlock",
                "wrap": True,
                "text": f"- {title} ({m['source']}, engagement {m['engagement']})",
            }
        )
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.link:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open in the dashboard", "url": message.link}
        ]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


def webhook_body(message: Message) -> bytes:
    """Return the generic webhook's JSON body (keys sorted, so the signature is stable)."""
    return json.dumps(
        {"subject": message.subject, **message.event}, sort_keys=True, default=str
    ).encode()


def signature(secret: str, body: bytes) -> str:
    """Return the X-Brandpulse-Signature value: sha256=<HMAC-SHA256 of the body, hex>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def email_message(message: Message, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    """Return the e-mail: a plain-text part and an HTML alternative."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail.set_content(text(message))
    mail.add_alternative(html_body(message), subtype="html")
    return mail


def digest_message(
    period: str,
    first: date,
    last: date,
    brands: list[dict[str, Any]],
    incidents: list[dict[str, Any]],
    mentions: list[dict[str, Any]],
    campaigns: list[str],
    link: str | None,
) -> Message:
    """Return the day's or week's summary: per brand volume and net sentiment against the
    previous period (or why there is no comparison), incidents, top mentions, campaigns."""
    span = f"{first}" if first == last else f"{first} to {last}"
    facts = []
    for b in brands:
        line = f"{b['brand']}: {b['mentions']:,} mentions, net sentiment {b['net']:+.2f}"
        if b.get("change") is not None:
            line += (
                f" ({b['change']:+.0%} mentions, {b['net_change']:+.2f} net"
                f" vs the previous {period})"
            )
        else:
            line += f" (no comparison: {b['why']})"
        facts.append(line)
    for i in incidents:
        facts.append(
            f"Incident {i['brand']} {i['start']}: {i['peak_value']:,} mentions vs"
            f" {i['peak_expected']:.1f} expected at the peak, {i['status']},"
            f" severity {i['severity']}."
        )
    if not incidents:
        facts.append("No incident.")
    facts += campaigns
    return Message(
        subject=f"[brandpulse] {period.capitalize()} digest {span}",
        headline=f"brandpulse {period} digest: {span}",
        facts=facts,
        mentions=mentions,
        link=link,
        event={
            "type": "digest",
            "period": period,
            "first": str(first),
            "last": str(last),
            "brands": brands,
            "incidents": [
                {k: str(v) if isinstance(v, date) else v for k, v in i.items()} for i in incidents
            ],
            "mentions": mentions,
            "campaigns": campaigns,
            "link": link,
        },
    )
