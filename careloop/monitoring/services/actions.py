"""The audit action codes monitoring writes (stored values: never change them)."""

from django.db import models


class MonitoringAuditAction(models.TextChoices):
    """What monitoring writes to the audit trail (audit accepts any domain's dotted codes)."""

    PLAN_CREATED = "measurement_plan.created"
    PLAN_ITEM_CHANGED = "measurement_plan.item_changed"
    CHECKIN_SUBMITTED = "checkin.submitted"


PLAN_CREATED = MonitoringAuditAction.PLAN_CREATED
PLAN_ITEM_CHANGED = MonitoringAuditAction.PLAN_ITEM_CHANGED
CHECKIN_SUBMITTED = MonitoringAuditAction.CHECKIN_SUBMITTED
