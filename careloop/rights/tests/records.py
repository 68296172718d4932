"""A patient with a row in every table of patient data, each carrying canary values (synthetic)
that the export must contain and erasure must remove (except from legal-hold stores)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import CharField, JSONField, Model, TextField
from django_otp.plugins.otp_totp.models import TOTPDevice

from careloop.accounts.models import Invitation, User
from careloop.ai.models import ModelVersion, Prediction, ReviewTask, Suggestion
from careloop.assessments.models import Assessment
from careloop.assessments.types import SubmissionSource
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.care.models import Patient, SteppedCareChange, TreatmentEpisode
from careloop.care.types import CareStep
from careloop.core import clock
from careloop.fhir.models import ExportJob, ExportPart, ImportedResource, SmartClient
from careloop.fhir.types import ClientKind
from careloop.journal.models import JournalEntry
from careloop.messaging.models import Message
from careloop.messaging.types import Direction
from careloop.monitoring.models import (
    CheckIn,
    FollowUpOffer,
    MeasurementPlan,
    PlanItem,
    ReminderPreference,
)
from careloop.monitoring.supervision.models import CaseReview
from careloop.monitoring.supervision.types import ReviewOutcome
from careloop.notifications.models import Notification, PushSubscription
from careloop.notifications.types import Channel
from careloop.privacy.models import BreakGlassGrant, ConsentDecision, ConsentDocument
from careloop.safety.models import (
    Alert,
    AlertDelivery,
    EscalationStep,
    FallbackBanner,
    InboxEntry,
    ReviewItem,
)
from careloop.safety.planning.models import SafetyPlan, SafetyPlanVersion
from careloop.safety.types import AlertStatus, StepKind


@dataclass(frozen=True)
class Canaries:
    name: str
    text: str
    email: str
    phone: str
    username: str
    mrn: str

    def all(self) -> tuple[str, ...]:
        return (self.name, self.text, self.email, self.phone, self.username, self.mrn)


ADA = Canaries(
    name="Zyx Canaryq7",
    text="canary-journal-8f3a",
    email="zyx.canaryq7@example.test",
    phone="+447700900417",
    username="zyxcanaryq7",
    mrn="MRN-CANARY-5512",
)
# Another patient's values: none is a substring of Ada's, so a hit tells whose data it is.
OTHER = Canaries(
    name="Qpw Otherpat3",
    text="otherpat-journal-2c9d",
    email="qpw.otherpat3@example.test",
    phone="+447700900981",
    username="qpwotherpat3",
    mrn="MRN-OTHER-7781",
)
CANARY_NAME, CANARY_TEXT, CANARY_EMAIL, CANARY_PHONE = ADA.name, ADA.text, ADA.email, ADA.phone
CANARIES = ADA.all()


def _phq9(patient: Patient, *, days_ago: int, item9: int = 0) -> Assessment:
    at = clock.now() - timedelta(days=days_ago)
    return Assessment.objects.create(
        service_id=patient.service_id,
        patient=patient,
        instrument_id="phq9",
        instrument_version="phq9@1.0.0",
        answers=[1, 1, 2, 1, 0, 1, 1, 0, item9, 1],
        score_total=7 + item9,
        band="mild",
        completed_at=at,
        recorded_at=at,
        source=SubmissionSource.WEB,
        client_id=uuid.uuid4(),
    )


def _oauth(user: User, admin: User) -> dict[str, Any]:
    application_model = apps.get_model("oauth2_provider", "Application")
    application = application_model.objects.create(
        name="Canary test app",
        user=admin,
        client_type="public",
        authorization_grant_type="authorization-code",
        redirect_uris="https://app.example.test/cb",
    )
    expires = clock.now() + timedelta(hours=1)
    token = apps.get_model("oauth2_provider", "AccessToken").objects.create(
        user=user, application=application, token=uuid.uuid4().hex, expires=expires, scope="x"
    )
    refresh = apps.get_model("oauth2_provider", "RefreshToken").objects.create(
        user=user, application=application, token=uuid.uuid4().hex, access_token=token
    )
    grant = apps.get_model("oauth2_provider", "Grant").objects.create(
        user=user,
        application=application,
        code=uuid.uuid4().hex,
        expires=expires,
        redirect_uri="https://app.example.test/cb",
    )
    id_token = apps.get_model("oauth2_provider", "IDToken").objects.create(
        user=user, application=application, jti=uuid.uuid4(), expires=expires
    )
    device_grant = apps.get_model("oauth2_provider", "DeviceGrant").objects.create(
        user=user,
        device_code=uuid.uuid4().hex,
        user_code=uuid.uuid4().hex[:8],
        expires=expires,
        client_id=application.client_id,
    )
    return {
        "application": application,
        "token": token,
        "refresh": refresh,
        "grant": grant,
        "id_token": id_token,
        "device_grant": device_grant,
    }


def seed_everything(
    patient: Patient, *, clinician: User, admin: User, canaries: Canaries = ADA
) -> dict[str, list[Any]]:
    """One or more rows of every record type, canaries in every free-text column; returns the
    ids created per model label."""
    CANARY_NAME, CANARY_TEXT, CANARY_EMAIL, CANARY_PHONE = (  # noqa: N806
        canaries.name,
        canaries.text,
        canaries.email,
        canaries.phone,
    )
    CANARY_USERNAME, CANARY_MRN = canaries.username, canaries.mrn  # noqa: N806
    service_id = patient.service_id
    user = patient.user
    assert user is not None
    user.username, user.email, user.phone_number = CANARY_USERNAME, CANARY_EMAIL, CANARY_PHONE
    user.first_name, user.last_name = CANARY_NAME.split()
    user.save()
    patient.display_name = CANARY_NAME
    patient.ethnicity = "white_british"
    patient.save()
    now = clock.now()
    made: dict[str, list[Any]] = {}

    def add(instance: Model) -> Any:
        made.setdefault(instance._meta.label, []).append(instance.pk)
        return instance

    add(patient)
    add(user)
    episode = add(
        TreatmentEpisode.objects.create(
            service_id=service_id,
            patient=patient,
            referred_on=(now - timedelta(days=60)).date(),
            started_on=(now - timedelta(days=50)).date(),
        )
    )
    add(
        SteppedCareChange.objects.create(
            service_id=service_id,
            patient=patient,
            episode=episode,
            to_step=CareStep.LOW_INTENSITY,
            reason=f"{CANARY_NAME} chose guided self-help: {CANARY_TEXT}",
            changed_by=clinician,
        )
    )
    add(
        CaseReview.objects.create(
            service_id=service_id,
            patient=patient,
            episode=episode,
            reviewer=clinician,
            outcome=ReviewOutcome.CONTINUE,
            note=f"Reviewed {CANARY_NAME}'s care: {CANARY_TEXT}",
        )
    )
    model = ModelVersion.objects.create(
        service_id=service_id,
        kind="early_warning",
        version=f"canary-{uuid.uuid4().hex[:8]}",
        intended_use="test",
        training_data="test",
        provenance="test",
    )
    prediction = add(
        Prediction.objects.create(
            service_id=service_id,
            patient=patient,
            episode=episode,
            model_version=model,
            inputs={"phq9_baseline": 14.0},
            probability=0.6,
            band="higher",
            explanation=[{"feature": "phq9_baseline", "value": 14.0, "log_odds": 0.2,
                          "words": "PHQ-9 was 14 at the start (raises the risk)"}],
            baseline_log_odds=0.1,
            as_of_day=21,
        )
    )  # fmt: skip
    suggestion = add(
        Suggestion.objects.create(
            service_id=service_id,
            patient=patient,
            episode=episode,
            source="model",
            moment="early_warning",
            model_version=model,
            prediction=prediction,
            current_step=2,
            suggested_step=3,
            summary="Consider stepping up early",
            inputs={"phq9_baseline": 14.0},
            explanation=[],
            status="overridden",
            decision="override",
            reason="patient_preference",
            note=f"{CANARY_NAME} prefers to wait: {CANARY_TEXT}",
            decided_by=clinician,
            decided_at=now,
        )
    )
    add(
        ReviewTask.objects.create(
            service_id=service_id,
            patient=patient,
            suggestion=suggestion,
            message=f"Please look again: {CANARY_TEXT}",
            requested_by=user,
            due_at=now + timedelta(days=7),
        )
    )
    plain = add(_phq9(patient, days_ago=20))
    risky = add(_phq9(patient, days_ago=10, item9=2))
    plain.episode = episode
    plain.save()
    plan = add(MeasurementPlan.objects.create(service_id=service_id, patient=patient))
    add(
        PlanItem.objects.create(
            service_id=service_id,
            plan=plan,
            measure="phq9",
            every_days=14,
            overdue_after_days=3,
            starts_on=now.date(),
        )
    )
    add(ReminderPreference.objects.create(service_id=service_id, patient=patient, paused=True))
    add(
        FollowUpOffer.objects.create(
            service_id=service_id,
            patient=patient,
            trigger=risky,
            instrument_id="cssrs_screener",
            offered_at=now,
        )
    )
    add(
        CheckIn.objects.create(
            service_id=service_id,
            patient=patient,
            mood=4,
            note=f"Talked to {CANARY_NAME} about {CANARY_TEXT}",
            completed_at=now,
            recorded_at=now,
            source=SubmissionSource.WEB,
            client_id=uuid.uuid4(),
        )
    )
    add(
        JournalEntry.objects.create(
            service_id=service_id,
            patient=patient,
            author=user,
            body=f"Dear diary, {CANARY_TEXT}. Call me on {CANARY_PHONE}.",
            mood=5,
            created_at=now,
            client_id=uuid.uuid4(),
        )
    )
    for direction, sender, body in (
        (Direction.TO_TEAM, user, f"Hi, it's {CANARY_NAME}: {CANARY_TEXT}"),
        (Direction.TO_PATIENT, clinician, f"Thanks {CANARY_NAME}, see you Tuesday."),
    ):
        add(
            Message.objects.create(
                service_id=service_id,
                patient=patient,
                sender=sender,
                direction=direction,
                body=body,
                sent_at=now,
                client_id=uuid.uuid4(),
            )
        )
    add(
        Notification.objects.create(
            service_id=service_id,
            recipient=user,
            channel=Channel.EMAIL,
            subject="Your questionnaire is due",
            body=f"Hello {CANARY_NAME}, please fill in your PHQ-9.",
            idempotency_key=f"reminder:{uuid.uuid4()}",
            next_attempt_at=now,
            created_at=now,
        )
    )
    add(
        PushSubscription.objects.create(
            service_id=service_id,
            user=user,
            endpoint=f"https://push.example.test/{uuid.uuid4()}",
            p256dh="k" * 20,
            auth="a" * 10,
            created_at=now,
        )
    )
    add(TOTPDevice.objects.create(user=user, name="phone", confirmed=True))
    add(
        Invitation.objects.create(
            user=user,
            code_sha256=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
            created_at=now,
            expires_at=now + timedelta(days=7),
            created_by=admin,
        )
    )
    session = SessionStore()
    session["_auth_user_id"] = str(user.id)
    session.create()
    made["sessions.Session"] = [session.session_key]
    for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        add(
            apps.get_model("axes", name).objects.create(
                username=CANARY_USERNAME,
                ip_address="192.0.2.7",
                user_agent="test",
                attempt_time=now,
                **({"failures_since_start": 1} if name == "AccessAttempt" else {}),
            )
        )
    oauth = _oauth(user, admin)
    for key in ("token", "refresh", "grant", "id_token", "device_grant"):
        add(oauth[key])
    add(
        ImportedResource.objects.create(
            service_id=service_id,
            resource_type="Patient",
            source_system="https://hospital.example.test/mrn",
            source_value=CANARY_MRN,
            local_type="Patient",
            local_id=patient.id,
            source_bundle="sha256:" + "0" * 64,
            imported_at=now,
        )
    )
    smart = SmartClient.objects.create(
        service_id=service_id,
        application=oauth["application"],
        kind=ClientKind.SYSTEM,
        purpose="HOPERAT",
        created_at=now,
    )
    job = ExportJob.objects.create(
        service_id=service_id,
        client=smart,
        request_url="/fhir/r4/$export",
        requested_at=now,
        expires_at=now + timedelta(hours=1),
    )
    add(
        ExportPart.objects.create(
            service_id=service_id,
            job=job,
            resource_type="Patient",
            sequence=1,
            count=1,
            content=f'{{"resourceType":"Patient","id":"{patient.id}","name":[{{"text":"{CANARY_NAME}"}}]}}\n',
        )
    )
    alert = add(
        Alert.objects.create(
            service_id=service_id,
            patient=patient,
            assessment=risky,
            trigger_key=f"assessment:{risky.id}:instrument_risk_item:phq9.item9",
            rule_id="instrument_risk_item",
            rule_version="1.0.0",
            severity="high",
            evidence={"item": "9", "answer": 2},
            status=AlertStatus.CLOSED,
            raised_at=now - timedelta(days=10),
            notified_at=now - timedelta(days=10),
            acknowledged_at=now - timedelta(days=10),
            acknowledged_by=clinician,
            actioned_at=now - timedelta(days=9),
            actioned_by=clinician,
            outcome="contacted_patient",
            outcome_note=f"Phoned {CANARY_NAME}; safe, plan reviewed.",
            closed_at=now - timedelta(days=9),
            closed_by=clinician,
        )
    )
    add(
        ReviewItem.objects.create(
            service_id=service_id,
            patient=patient,
            kind="risk_not_assessed",
            reason="Imported PHQ-9 total 21 (severe): the self-harm question was not seen.",
            evidence={"total": 21},
            source_ref=f"assessment:{risky.id}",
            created_at=now - timedelta(days=8),
            status="reviewed",
            reviewed_by=clinician,
            reviewed_at=now - timedelta(days=7),
            outcome_note=f"Phoned {CANARY_NAME}; no current risk.",
        )
    )
    step = add(
        EscalationStep.objects.create(
            service_id=service_id,
            alert=alert,
            number=1,
            kind=StepKind.TIER,
            target="team_clinicians",
            due_at=alert.raised_at,
            fired_at=alert.raised_at,
            recipient_count=1,
        )
    )
    add(
        AlertDelivery.objects.create(
            service_id=service_id,
            alert=alert,
            step=step,
            recipient=clinician,
            channel=Channel.EMAIL,
            idempotency_key=f"alert:{alert.id}:1:{clinician.id}:email",
            state="delivered",
            next_attempt_at=alert.raised_at,
            created_at=alert.raised_at,
            delivered_at=alert.raised_at,
        )
    )
    add(
        InboxEntry.objects.create(
            service_id=service_id,
            recipient=clinician,
            seq=InboxEntry.objects.filter(recipient=clinician).count() + 1,
            kind="alert",
            alert=alert,
            step=step,
            created_at=alert.raised_at,
        )
    )
    add(
        FallbackBanner.objects.create(
            service_id=service_id,
            alert=alert,
            care_team=patient.care_team,
            reason="all channels failed",
            raised_at=alert.raised_at,
            resolved_at=alert.acknowledged_at,
        )
    )
    safety_plan = add(
        SafetyPlan.objects.create(
            service_id=service_id,
            patient=patient,
            current_version=1,
            created_at=now,
            updated_at=now,
        )
    )
    add(
        SafetyPlanVersion.objects.create(
            service_id=service_id,
            plan=safety_plan,
            number=1,
            content={
                "schema": 1,
                "sections": {
                    "warning_signs": [{"text": f"When I write {CANARY_TEXT}"}],
                    "social_distraction": [{"text": "My sister", "phone": "+447700900123"}],
                },
            },
            author=user,
            author_role="patient",
            created_at=now,
        )
    )
    document, _ = ConsentDocument.objects.get_or_create(
        service_id=service_id,
        purpose="HRESCH",
        stream="questionnaires",
        version=1,
        defaults={
            "title": {"en": "Research"},
            "body": {"en": "May researchers use your questionnaire answers?"},
            "effective_from": now - timedelta(days=100),
        },
    )
    add(
        ConsentDecision.objects.create(
            service_id=service_id,
            patient=patient,
            purpose="HRESCH",
            stream="questionnaires",
            choice="given",
            document=document,
            document_version=1,
            decided_at=now,
            decided_by=user,
            receipt=uuid.uuid4().hex[:16],
        )
    )
    add(
        BreakGlassGrant.objects.create(
            service_id=service_id,
            clinician=clinician,
            patient=patient,
            reason=f"{CANARY_NAME} called the crisis line",
            started_at=now - timedelta(days=5),
            expires_at=now - timedelta(days=5) + timedelta(minutes=60),
        )
    )
    event = record_event(
        actor=clinician,
        action=AuditAction.PATIENT_VIEWED,
        service_id=service_id,
        patient_id=patient.id,
        purpose="TREAT",
        obj=("Patient", patient.id),
    )
    add(event)
    return made


# ------------------------------------------------------------------ the residue scan


def _text_columns(model: type[Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, CharField | TextField | JSONField)
    ]


def canary_hits(needles: tuple[str, ...] = CANARIES) -> set[tuple[str, str]]:
    """(model label or table, column) of every value holding a needle, found two ways: through
    the ORM (decrypted values of encrypted columns) and in the raw rows of every table."""
    lowered = [n.lower() for n in needles]
    hits: set[tuple[str, str]] = set()
    for model in apps.get_models():
        for column in _text_columns(model):
            for value in model._default_manager.values_list(column, flat=True).iterator():
                text = str(value).lower()
                if any(n in text for n in lowered):
                    hits.add((model._meta.label, column))
    label_of = {m._meta.db_table: m._meta.label for m in apps.get_models()}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from the schema
            names = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                for name, value in zip(names, row, strict=True):
                    text = str(value).lower()
                    if any(n in text for n in lowered):
                        hits.add((label_of.get(table, table), name))
    return hits
