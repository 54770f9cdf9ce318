"""Normalised alert signals and the severity mapping; parsing of the three wire formats.

Pure: each parser turns a request body into `Signal`s or a list of error strings.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from execflow.respond.severity import Severity

WORDS = {"critical": Severity.P1, "error": Severity.P2, "warning": Severity.P3, "info": Severity.P4}
PD_SEVERITIES = tuple(WORDS)
PD_ACTIONS = ("trigger", "acknowledge", "resolve")
ZERO_TIME = "0001-01-01T00:00:00Z"


@dataclass(frozen=True)
class Signal:
    """One alert's news: trigger, acknowledge or resolve, keyed for dedup and grouping."""

    action: str
    dedup_key: str
    group_key: str
    summary: str
    severity: str | None
    source: str
    details: str = ""
    """What the sender said beyond the summary, as text for a responder (and the summary)."""

    def as_json(self) -> dict[str, Any]:
        """For the outbox (spelled out: `dataclasses.asdict` deep-copies, several times slower)."""
        return {
            "action": self.action,
            "dedup_key": self.dedup_key,
            "group_key": self.group_key,
            "summary": self.summary,
            "severity": self.severity,
            "source": self.source,
            "details": self.details,
        }


def severity_from(labels: dict[str, Any]) -> Severity | None:
    """`severity` as critical/error/warning/info, or `priority` as P1..P4; else None."""
    word = str(labels.get("severity", "")).strip().lower()
    if word in WORDS:
        return WORDS[word]
    for key in ("priority", "severity"):
        value = str(labels.get(key, "")).strip().upper()
        if value in Severity.__members__:
            return Severity(value)
    return None


MAX_DETAILS = 4000


def _lines(title: str, fields: dict[str, Any]) -> list[str]:
    """`title:` then one indented `key: value` line per field (empty: no lines)."""
    if not fields:
        return []
    return [f"{title}:"] + [
        f"  {k}: {v if isinstance(v, str) else json.dumps(v, sort_keys=True)}"
        for k, v in sorted(fields.items())
    ]


def _details(lines: list[str]) -> str:
    return "\n".join(lines)[:MAX_DETAILS]


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_alertmanager(body: Any) -> tuple[list[Signal], list[str]]:
    """Alertmanager webhook v4, or Grafana's variant (version "1", extra fields ignored)."""
    if not isinstance(body, dict):
        return [], ["the body is a JSON object"]
    alerts = body.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        return [], ["'alerts' is a non-empty list"]
    group_key = _text(body.get("groupKey")) or json.dumps(
        body.get("groupLabels") or {}, sort_keys=True
    )
    common_labels = body.get("commonLabels")
    common: dict[str, Any] = common_labels if isinstance(common_labels, dict) else {}
    signals, errors = [], []
    for position, alert in enumerate(alerts):
        if not isinstance(alert, dict):
            errors.append(f"alerts[{position}] is an object")
            continue
        labels = _object(alert.get("labels"))
        annotations = _object(alert.get("annotations"))
        status = _text(alert.get("status")) or _text(body.get("status"))
        if status not in ("firing", "resolved"):
            errors.append(f"alerts[{position}].status is 'firing' or 'resolved'")
            continue
        fingerprint = (
            _text(alert.get("fingerprint"))
            or hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]
        )
        name = _text(labels.get("alertname")) or _text(common.get("alertname")) or "Alert"
        detail = (
            _text(annotations.get("summary"))
            or _text(annotations.get("description"))
            or _text(body.get("title"))
        )
        severity = severity_from(labels) or severity_from(common)
        generator = _text(alert.get("generatorURL"))
        details = _details(
            _lines("Labels", labels)
            + _lines("Annotations", annotations)
            + ([f"Source: {generator}"] if generator else [])
        )
        signals.append(
            Signal(
                action="trigger" if status == "firing" else "resolve",
                dedup_key=fingerprint,
                group_key=group_key[:255],
                summary=(f"{name}: {detail}" if detail else name)[:500],
                severity=severity.value if severity else None,
                source="alertmanager",
                details=details,
            )
        )
    return signals, errors


def parse_pagerduty(body: Any) -> tuple[str | None, Signal | None, list[str]]:
    """PagerDuty Events API v2: (routing_key, signal, errors)."""
    if not isinstance(body, dict):
        return None, None, ["Event object is not a JSON object"]
    errors: list[str] = []
    key = body.get("routing_key")
    if not isinstance(key, str) or len(key) != 32:
        errors.append("'routing_key' is missing or is not 32 characters")
    action = body.get("event_action")
    if action not in PD_ACTIONS:
        errors.append("'event_action' is missing or not one of trigger, acknowledge, resolve")
    dedup = body.get("dedup_key")
    if dedup is not None and (not isinstance(dedup, str) or not dedup or len(dedup) > 255):
        errors.append("'dedup_key' must be a string of 1 to 255 characters")
    if action in ("acknowledge", "resolve") and not dedup:
        errors.append(f"'dedup_key' is required to {action}")
    payload = body.get("payload")
    summary, severity, details = "", None, ""
    if action == "trigger":
        if not isinstance(payload, dict):
            errors.append("'payload' is missing")
        else:
            summary = _text(payload.get("summary")).strip()
            if not summary or len(summary) > 1024:
                errors.append("'payload.summary' is missing, blank or longer than 1024")
            if not _text(payload.get("source")).strip():
                errors.append("'payload.source' is missing or blank")
            word = payload.get("severity")
            if word not in PD_SEVERITIES:
                errors.append("'payload.severity' must be critical, error, warning or info")
            else:
                severity = WORDS[word].value
            details = _pagerduty_details(body, payload)
    if errors:
        return key if isinstance(key, str) else None, None, errors
    dedup_key = dedup or uuid.uuid4().hex
    signal = Signal(
        action=str(action),
        dedup_key=dedup_key,
        group_key=dedup_key,
        summary=summary[:500],
        severity=severity,
        source="pagerduty",
        details=details,
    )
    return str(key), signal, []


def _pagerduty_details(body: dict[str, Any], payload: dict[str, Any]) -> str:
    """The trigger's source, component, group, class, custom details, client and links."""
    lines = [
        f"{name.capitalize()}: {_text(payload.get(name))}"
        for name in ("source", "component", "group", "class")
        if _text(payload.get(name))
    ]
    custom = payload.get("custom_details")
    if isinstance(custom, dict):
        lines += _lines("Details", custom)
    elif custom is not None:
        lines.append(f"Details: {custom if isinstance(custom, str) else json.dumps(custom)}")
    client, client_url = _text(body.get("client")), _text(body.get("client_url"))
    if client or client_url:
        lines.append(f"Client: {' '.join(p for p in (client, client_url) if p)}")
    for link in body.get("links") or []:
        if isinstance(link, dict) and _text(link.get("href")):
            text = _text(link.get("text"))
            lines.append(f"Link: {text} {link['href']}" if text else f"Link: {link['href']}")
    return _details(lines)
