"""The tenant (Service) and the base every table of patient data inherits.

Every row of patient data carries `service_id`, so a large deployment can distribute tables by
service on distributed PostgreSQL (Citus) and every query can be scoped to one tenant.
"""

from __future__ import annotations

from django.db import models

from careloop.core.ids import uuid7


class Service(models.Model):
    """An organisation that delivers care (the tenant): it owns its teams, staff and patients."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=200)
    country_code = models.CharField(max_length=2, default="GB", help_text="ISO 3166-1 alpha-2")
    default_language = models.CharField(max_length=16, default="en")
    time_zone = models.CharField(max_length=64, default="Europe/London")
    is_demo = models.BooleanField(
        default=False, help_text="Synthetic data only; enables demo conveniences such as OTP codes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class TenantModel(models.Model):
    """Abstract base: a time-ordered UUID key and the owning service on every row."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """One row per running worker process, touched on every tick (HZ-025).

    /healthz reads the newest beat, so a dead or stuck alert worker turns the service unhealthy
    instead of silently stopping every alert. The app servers keep no state: the beat lives in
    the database all of them share. Rows of workers gone for a day are pruned by the beat itself.
    """

    name = models.CharField(max_length=200, unique=True, help_text="host:pid of the process")
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_beat = models.DateTimeField(db_index=True)
    ticks = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
