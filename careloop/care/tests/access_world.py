"""The fixture world of the access-matrix tests: one patient (Ada) with data in every stream,
each stream marked by a canary string, and one persona per relationship the policy knows."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.test import Client

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.models import CareTeam, Patient, TreatmentEpisode
from careloop.core.models import Service
from careloop.privacy.policy import DataStream, PolicyRole, Relationship

CANARY = {
    DataStream.CHECKINS: "canary-checkin-5d1e",
    DataStream.SAFETY: "canary-safety-plan-0b7c",
    DataStream.JOURNAL: "canary-journal-8f3a",
    DataStream.MESSAGES: "canary-message-2c9d",
}


@dataclass
class Persona:
    name: str
    user: User
    relationship: Relationship

    @property
    def role(self) -> PolicyRole:
        return PolicyRole(self.user.role)


@dataclass
class World:
    service: Service
    ada: Patient
    personas: list[Persona]
    ids: dict[str, str] = field(default_factory=dict)  # object ids the endpoints need
    clients: dict[str, Client] = field(default_factory=dict)

    def canary(self, stream: DataStream) -> str:
        if stream == DataStream.QUESTIONNAIRES:
            return self.ids["assessment"]
        if stream == DataStream.PROFILE:
            return str(self.ada.id)
        return CANARY.get(stream, "")


def build_world(
    *,
    service: Service,
    north: CareTeam,
    south: CareTeam,
    ada: User,
    ben: User,
    sam: User,
    dana: User,
    cleo: User,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> World:
    from careloop.journal.services import write_entry
    from careloop.messaging.services import send_message
    from careloop.monitoring.services import record_checkin
    from careloop.safety.planning.services import save_safety_plan

    patient = ada.patient_record
    today = patient.created_at.date()
    TreatmentEpisode.objects.create(
        service=service, patient=patient, referred_on=today, started_on=today
    )
    eve = make_user(service, "eve", Role.PATIENT)
    Patient.objects.create(service=service, user=eve, care_team=north, display_name="Eve Test")
    rita = make_user(service, "rita", Role.RESEARCHER)
    other = Service.objects.create(slug="other-service", name="Other service")
    other_team = CareTeam.objects.create(service=other, name="Team West")
    olga = make_user(other, "olga", Role.CLINICIAN, other_team)

    assessment, _ = submit_assessment(
        patient,
        actor=ada,
        instrument_id="phq9",
        answers=[1, 1, 1, 1, 1, 1, 1, 1, 1],  # item 9 = 1: raises a safety alert
        client_id=uuid.uuid4(),
        source=SubmissionSource.WEB,
    )
    record_checkin(
        patient,
        actor=ada,
        mood=4,
        note=CANARY[DataStream.CHECKINS],
        client_id=uuid.uuid4(),
        source=SubmissionSource.WEB,
    )
    sections = {"warning_signs": [{"text": CANARY[DataStream.SAFETY]}]}
    save_safety_plan(patient, actor=ada, base_version=0, sections=sections)
    write_entry(ada, patient, body=CANARY[DataStream.JOURNAL], shared=True, client_id=uuid.uuid4())
    send_message(ada, patient, body=CANARY[DataStream.MESSAGES], client_id=uuid.uuid4())

    personas = [
        Persona("patient self", ada, Relationship.SELF),
        Persona("another patient", eve, Relationship.SAME_SERVICE),
        Persona("their clinician", ben, Relationship.CARE_TEAM),
        Persona("team supervisor", sam, Relationship.TEAM_SUPERVISOR),
        Persona("another team's clinician", dana, Relationship.SAME_SERVICE),
        Persona("service admin", cleo, Relationship.SAME_SERVICE),
        Persona("researcher", rita, Relationship.SAME_SERVICE),
        Persona("other service's clinician", olga, Relationship.OTHER_SERVICE),
    ]
    world = World(service=service, ada=patient, personas=personas)
    world.ids["assessment"] = str(assessment.id)
    alert = patient.alerts.order_by("raised_at").first()
    assert alert is not None, "the PHQ-9 item 9 answer should have raised an alert"
    world.ids["alert"] = str(alert.id)
    for persona in personas:
        world.clients[persona.name] = signed_in(persona.user)
    return world
