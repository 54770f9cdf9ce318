"""The incident and maintenance history as Atom (RFC 4287) and RSS 2.0."""

from __future__ import annotations

import html
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from execflow.clock import parse_rfc3339
from execflow.tell.statuspage.view import StatusView


def _entries(view: StatusView) -> list[dict[str, Any]]:
    """Incidents and maintenance, most recently updated first."""
    items = [*view.incidents, *view.maintenances]
    return sorted(items, key=lambda i: i["updated_at"], reverse=True)


def _text(item: dict[str, Any]) -> str:
    lines = [
        f"{u['status'].replace('_', ' ').capitalize()}: {u['body']} ({u['created_at']})"
        for u in item["incident_updates"]
    ]
    if "scheduled_for" in item:
        lines.insert(0, f"Scheduled from {item['scheduled_for']} to {item['scheduled_until']}")
    return "\n".join(lines) or "Investigating."


def atom(view: StatusView, base: str) -> bytes:
    """An Atom feed."""
    updated = max([view.page["updated_at"], *(i["updated_at"] for i in _entries(view))])
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
        f"<id>{escape(base)}/history.atom</id>",
        f"<title>{escape(view.page['name'])} status history</title>",
        f"<updated>{updated}</updated>",
        f'<link rel="alternate" type="text/html" href="{escape(base)}/status.html"/>',
        f'<link rel="self" type="application/atom+xml" href="{escape(base)}/history.atom"/>',
        f"<author><name>{escape(view.page['name'])}</name></author>",
    ]
    for item in _entries(view):
        parts += [
            "<entry>",
            f"<id>{escape(base)}/status.html#{escape(item['id'])}</id>",
            f"<title>{escape(item['name'])}</title>",
            f"<updated>{item['updated_at']}</updated>",
            f"<published>{item['created_at']}</published>",
            f'<link rel="alternate" type="text/html" href="{escape(item["shortlink"])}"/>',
            f'<content type="text">{escape(_text(item))}</content>',
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts).encode()


def _rfc822(moment: str | datetime) -> str:
    when = parse_rfc3339(moment) if isinstance(moment, str) else moment
    return format_datetime(when, usegmt=True)


def rss(view: StatusView, base: str) -> bytes:
    """An RSS 2.0 feed."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
        "<channel>",
        f"<title>{escape(view.page['name'])} status history</title>",
        f"<link>{escape(base)}/status.html</link>",
        f"<description>Incidents and maintenance of {escape(view.page['name'])}</description>",
        "<language>en</language>",
        f"<lastBuildDate>{_rfc822(view.generated_at)}</lastBuildDate>",
        f'<atom:link href="{escape(base)}/history.rss" rel="self" type="application/rss+xml"/>',
    ]
    for item in _entries(view):
        parts += [
            "<item>",
            f"<title>{escape(item['name'])}</title>",
            f"<link>{escape(item['shortlink'])}</link>",
            f'<guid isPermaLink="false">{escape(item["id"])}</guid>',
            f"<pubDate>{_rfc822(item['created_at'])}</pubDate>",
            # RSS readers take a description as HTML: the text is escaped as HTML, then XML.
            f"<description>{escape(html.escape(_text(item)))}</description>",
            "</item>",
        ]
    parts += ["</channel>", "</rss>"]
    return "\n".join(parts).encode()
