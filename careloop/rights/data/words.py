"""The retention policy in the patient's language (#14 item 3): careloop.rights.data.retention is
pure and English; its patient-facing texts are marked there and translated here, when a page
shows them. The held periods are worded from the configured number of years, so a deployment
that changes CARELOOP_SAFETY_RECORD_RETENTION_YEARS shows its own figure."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

from careloop.rights.data.erasure import safety_record_years
from careloop.rights.data.retention import AUDIT_YEARS, Disposition, RetentionRule


@dataclass(frozen=True)
class RuleWords:
    what: str
    legal_basis: str
    period: str  # "" when erased at once


def period_in_words(rule: RetentionRule) -> str:
    if rule.disposition == Disposition.LEGAL_HOLD:
        years = safety_record_years()
        return ngettext(
            "%(years)s year after the last safety record about you closed",
            "%(years)s years after the last safety record about you closed",
            years,
        ) % {"years": years}
    if rule.disposition == Disposition.PSEUDONYMOUS:
        return ngettext("%(years)s year", "%(years)s years", AUDIT_YEARS) % {"years": AUDIT_YEARS}
    return gettext(rule.period) if rule.period else ""


def rule_words(rule: RetentionRule) -> RuleWords:
    return RuleWords(gettext(rule.what), gettext(rule.legal_basis), period_in_words(rule))
