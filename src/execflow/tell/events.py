"""Every log entry type Tell writes (docs/audit-events.md lists them; a test keeps it so)."""

from __future__ import annotations

from enum import StrEnum


class TellEvent(StrEnum):
    """The log types of notifications, subscriptions and post-mortems."""

    NOTIFICATION_BATCH = "notification.batch"
    """Up to BATCH recipients of one notification were queued: ids and counts, no address."""
    SUBSCRIPTION_REQUESTED = "subscription.requested"
    SUBSCRIPTION_CONFIRMED = "subscription.confirmed"
    SUBSCRIPTION_REMOVED = "subscription.removed"
    CONTACT_UNSUBSCRIBED = "customer.contact_unsubscribed"
    POSTMORTEM_REVISED = "postmortem.revised"
    POSTMORTEM_PUBLISHED = "postmortem.published"
    POSTMORTEM_REMINDER = "postmortem.reminder"
