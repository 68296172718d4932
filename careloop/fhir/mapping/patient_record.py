"""The vocabulary of the patient's own data export beyond the facade's resources.

careloop.rights.data builds the export Bundle (what the patient downloads); the code system and
extensions it names live here so the conformance builders publish them under the same canonical
base. Pure: no Django. A test keeps EPISODE_ENDINGS and INBOX_KINDS equal to their enums.
"""

from __future__ import annotations

from careloop.fhir.mapping.common import CARELOOP_FHIR

RECORD_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/patient-record"
EXTENSION_BASE = f"{CARELOOP_FHIR}/StructureDefinition"

EPISODE_ENDINGS = ("ongoing", "completed", "dropped_out")  # care.types.EpisodeEnding
INBOX_KINDS = ("alert", "acknowledged")  # safety.types.InboxKind


def ending_display(ending: str) -> str:
    return f"Course of care ({ending.replace('_', ' ')})"


RECORD_CONCEPTS: tuple[tuple[str, str], ...] = (
    *((f"ending-{ending}", ending_display(ending)) for ending in EPISODE_ENDINGS),
    ("checkin", "Daily mood check-in (0 very low - 10 very good)"),
    ("journal", "Journal entry"),
    ("notification", "Reminder or message sent to me"),
    ("alert-escalation-step", "A step of a safety alert's escalation"),
    ("alert-delivery", "A message telling staff about a safety alert"),
    *((f"alert-inbox-{kind}", "A safety alert in a staff member's inbox") for kind in INBOX_KINDS),
    ("alert-fallback", "A warning to all staff that an alert could not be delivered"),
)

# (id, title, description, context element, value type) of each simple extension it sends.
RECORD_EXTENSIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("sessions-attended", "Sessions attended",
     "Attended treatment sessions of the course of care (assessment excluded).",
     "EpisodeOfCare", "integer"),
    ("username", "Username", "The patient's Careloop sign-in name.", "Patient", "string"),
    ("ethnicity", "Ethnicity", "The ethnicity recorded for the patient.", "Patient", "string"),
    ("deprivation-quintile", "Deprivation quintile",
     "The area deprivation quintile recorded for the patient (1 most deprived - 5 least).",
     "Patient", "integer"),
    ("time-zone", "Time zone", "The patient's time zone (IANA name).", "Patient", "string"),
    ("erasure-requested", "Erasure requested",
     "When the patient asked for their record to be erased (an instant).", "Patient", "string"),
    ("alert-outcome", "Alert outcome",
     "How the care team closed a safety alert, with their note.", "Flag", "string"),
    ("reminder-settings", "Reminder settings",
     "How and when the patient asked to be reminded (channel, time of day, quiet hours, "
     "pause), in words.", "Basic", "string"),
)  # fmt: skip
