"""Helpers the fault test (test_faults.py) runs in child processes against its private
PostgreSQL: `setup`, `acknowledge` (a clinician answering pages) and `check` (the checker of
reliability §3). Also the e-mail sender that SIGKILLs its own worker right after a successful
send and before the delivery is marked (reliability F2).

    python -m careloop.safety.tests.fault_harness setup|acknowledge|check ...
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import django

PHQ9_RISK = [1, 1, 1, 1, 0, 1, 1, 0, 2]  # item 9 = 2; same total every time: no deterioration
PASSWORD = "fault-test-password"  # synthetic users in a throwaway cluster


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careloop.safety.tests.fault_settings")
    django.setup()


class CrashingSmtpSender:
    """SMTP for real, then with probability CARELOOP_FAULT_KILL_AFTER_SEND the worker dies."""

    def __init__(self) -> None:
        from careloop.notifications.senders import SmtpEmailSender

        self._smtp = SmtpEmailSender()
        self._probability = float(os.environ.get("CARELOOP_FAULT_KILL_AFTER_SEND", "0"))

    def send(self, message: object) -> None:
        self._smtp.send(message)  # type: ignore[arg-type]
        if random.random() < self._probability:
            os.kill(os.getpid(), signal.SIGKILL)


def setup(patients: int) -> dict[str, object]:
    from careloop.accounts import mfa
    from careloop.accounts.models import User
    from careloop.accounts.types import Role
    from careloop.care.models import CareTeam, Patient, TeamMembership
    from careloop.core.models import Service
    from careloop.safety.services import TierSpec, set_escalation_policy
    from careloop.safety.types import TierTarget

    service = Service.objects.create(slug="faults", name="Fault test service")
    team = CareTeam.objects.create(service=service, name="Team Fault")

    def staff(name: str, role: Role) -> User:
        user = User.objects.create_user(
            username=name, password=PASSWORD, role=role, service=service, email=f"{name}@x.invalid"
        )
        TeamMembership.objects.create(service=service, team=team, user=user)
        mfa.enrol_confirmed_device(user)
        return user

    staff("clin1", Role.CLINICIAN)
    lead = staff("super1", Role.SUPERVISOR)
    channels = ("in_app", "email")
    tiers = [TierSpec(target, 30, channels) for target in TierTarget]  # 30 s per tier
    set_escalation_policy(team, actor=lead, tiers=tiers, service_lead_id=lead.id)
    names = []
    for index in range(patients):
        user = User.objects.create_user(
            username=f"patient{index}", password=PASSWORD, role=Role.PATIENT, service=service
        )
        Patient.objects.create(service=service, user=user, care_team=team, display_name=f"P{index}")
        names.append(user.username)
    return {"patients": names, "password": PASSWORD}


def acknowledge(share: float, min_age_seconds: float, stop_file: str) -> None:
    """Answer pages like a clinician would: only alerts already delivered, a share of them."""
    from django.db import close_old_connections

    from careloop.accounts.models import User
    from careloop.core import clock
    from careloop.safety.models import Alert
    from careloop.safety.services import acknowledge_alert
    from careloop.safety.types import AlertStatus, DeliveryState

    clinician = User.objects.get(username="clin1")
    decided: set[uuid.UUID] = set()
    while not os.path.exists(stop_file):
        close_old_connections()
        try:
            ready = Alert.objects.filter(
                status=AlertStatus.NOTIFIED,
                raised_at__lte=clock.now() - _seconds(min_age_seconds),
                deliveries__state=DeliveryState.DELIVERED,
            ).distinct()
            for alert in ready.exclude(id__in=decided)[:50]:
                decided.add(alert.id)
                if share >= 1 or random.random() < share:
                    acknowledge_alert(alert, actor=clinician)
        except Exception as error:  # the nemesis restarts PostgreSQL under us: try again
            print(f"acknowledger: {type(error).__name__}", file=sys.stderr)
            time.sleep(0.5)
        time.sleep(0.3)


def acknowledge_all() -> int:
    """Heal: the clinicians answer every page still open (each alert was delivered first)."""
    from careloop.accounts.models import User
    from careloop.safety.models import Alert
    from careloop.safety.services import acknowledge_alert
    from careloop.safety.types import AlertStatus

    clinician = User.objects.get(username="clin1")
    open_alerts = Alert.objects.filter(status__in=[AlertStatus.RAISED, AlertStatus.NOTIFIED])
    count = 0
    for alert in open_alerts:
        acknowledge_alert(alert, actor=clinician)
        count += 1
    return count


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def check(acked_path: str) -> dict[str, object]:
    """Evaluate the 'no alert lost' invariants (reliability §3, I1-I6) over the final database."""
    from django.db.models import Count, F

    from careloop.assessments.models import Assessment
    from careloop.safety.models import Alert, AlertDelivery, EscalationStep, InboxEntry
    from careloop.safety.types import DeliveryState

    with open(acked_path, encoding="utf-8") as handle:
        acked = set(json.load(handle))
    per_assessment = Counter(
        str(a)
        for a in Alert.objects.filter(assessment__isnull=False).values_list(
            "assessment_id", flat=True
        )
    )
    risk_assessments = {str(a) for a in Assessment.objects.values_list("id", flat=True)}
    delivered_alerts = set(
        AlertDelivery.objects.filter(state=DeliveryState.DELIVERED).values_list(
            "alert_id", flat=True
        )
    )
    steps_twice = (
        EscalationStep.objects.values("alert_id", "number").annotate(n=Count("id")).filter(n__gt=1)
    )
    streams: dict[str, list[int]] = {}
    for recipient, seq in InboxEntry.objects.order_by("recipient_id", "seq").values_list(
        "recipient_id", "seq"
    ):
        streams.setdefault(str(recipient), []).append(seq)
    return {
        "acknowledged_submissions": len(acked),
        "stored_risk_submissions": len(risk_assessments),
        "alerts": Alert.objects.count(),
        "acked_missing_alert": sum(1 for a in acked if per_assessment[a] == 0),
        "acked_duplicate_alerts": sum(1 for a in acked if per_assessment[a] > 1),
        "stored_without_alert": sum(1 for a in risk_assessments if per_assessment[a] == 0),
        "alerts_never_delivered": Alert.objects.exclude(id__in=delivered_alerts).count(),
        "deliveries": dict(Counter(AlertDelivery.objects.values_list("state", flat=True))),
        "steps": EscalationStep.objects.count(),
        "steps_fired_twice": steps_twice.count(),
        "steps_after_acknowledgement": EscalationStep.objects.filter(
            alert__acknowledged_at__isnull=False, fired_at__gt=F("alert__acknowledged_at")
        ).count(),
        "acknowledged_alerts": Alert.objects.filter(acknowledged_at__isnull=False).count(),
        "fallbacks": Alert.objects.filter(fallback_fired_at__isnull=False).count(),
        "stream_gaps": sum(1 for seqs in streams.values() if seqs != list(range(1, len(seqs) + 1))),
        "delivery_keys": sorted(
            AlertDelivery.objects.filter(state=DeliveryState.DELIVERED).values_list(
                "idempotency_key", flat=True
            )
        ),
    }


def sink(port: int, out_path: str) -> None:
    """A real SMTP server on loopback in its own process (the test process is busy with clients);
    writes the Idempotency-Key of every accepted message, one per line, until SIGTERM."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    out = open(out_path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115  # lives until exit

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            out.write(str(parsed["Idempotency-Key"]).strip() + "\n")
            return "250 Message accepted"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
    print("ready", flush=True)
    stopped.wait()
    controller.stop()
    out.close()


def main(argv: list[str]) -> None:
    command = argv[0]
    if command == "sink":
        sink(int(argv[1]), argv[2])
        return
    _setup_django()
    if command == "setup":
        print(json.dumps(setup(int(argv[1]))))
    elif command == "acknowledge":
        acknowledge(float(argv[1]), float(argv[2]), argv[3])
    elif command == "otp":
        from careloop.accounts import mfa
        from careloop.accounts.models import User

        device = mfa.confirmed_device(User.objects.get(username=argv[1]))
        assert device is not None
        print(mfa.current_code(device))
    elif command == "acknowledge-all":
        print(json.dumps(acknowledge_all()))
    elif command == "check":
        print(json.dumps(check(argv[1])))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
