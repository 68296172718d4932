"""The monitoring domain's public vocabulary: enums and value types other domains may use.

Models stay private to monitoring; these are re-exported from its models for its own code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from django.db import models


class FollowUpState(models.TextChoices):
    OFFERED = "offered"  # on the patient's result page and in their due list
    COMPLETED = "completed"  # answered: `response` is the follow-up questionnaire


class ReminderChannel(models.TextChoices):
    """Where the patient wants their reminders (values are notifications.types.Channel values).

    Every reminder is also kept in Careloop itself (the due list on the home page); the choice is
    the extra channel that reaches the patient outside it."""

    IN_APP = "in_app", "Only in Careloop"
    EMAIL = "email", "E-mail"
    WEB_PUSH = "web_push", "Browser notification"


@dataclass(frozen=True)
class ReminderSettings:
    channel: ReminderChannel
    remind_at: time
    quiet_starts: time
    quiet_ends: time
    paused: bool = False
    paused_until: date | None = None

    def as_detail(self) -> dict[str, str | bool | None]:
        """For the audit event: settings only (no names, no free text)."""
        return {
            "channel": str(self.channel),
            "remind_at": self.remind_at.strftime("%H:%M"),
            "quiet_starts": self.quiet_starts.strftime("%H:%M"),
            "quiet_ends": self.quiet_ends.strftime("%H:%M"),
            "paused": self.paused,
            "paused_until": self.paused_until.isoformat() if self.paused_until else None,
        }
