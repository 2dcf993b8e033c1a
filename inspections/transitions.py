"""The joint-inspection workflow as a table: action, the states it starts from, the state
it leads to (None: it stays) and who may take it — the office (clerk, admin), a side's
team (the side named by the action, or the one it acts for), or either party (the office
or a team). inspections.services enforces it; inspections.selectors.next_actions offers
from it what a caller may do now. Voiding a signature is no one's action: it follows
from a change to what was signed (services.results_changed)."""

from django.utils.translation import gettext_noop, pgettext_lazy

from accounts.transitions import NEW, Machine, Step
from config.said import Said

from .models import State as S

OFFICE, SIDE, PARTY = "office", "side", "party"
UPLOAD_STATES = (S.SURVEYING, S.RECONCILING, S.SIGNED_A, S.SIGNED_B)


def _reconciled(inspection) -> str | None:
    return None if inspection.results else Said(gettext_noop(
        "there are no reconciled results to sign (reconcile first)"))


MACHINE = Machine(gettext_noop("inspection"), [
    Step("plan", {NEW}, S.PLANNED, OFFICE),
    Step("record_previous", {NEW}, S.ARCHIVED, OFFICE),
    Step("start_survey", {S.PLANNED}, S.SURVEYING, PARTY),
    Step("upload_survey", UPLOAD_STATES, None, SIDE),
    Step("confirm_survey", UPLOAD_STATES, None, SIDE),
    # Until the inspection is accepted; after a signature, like any change to what was
    # signed, they void it (services.results_changed).
    Step("withdraw_survey", UPLOAD_STATES, None, SIDE),
    Step("replace_survey", UPLOAD_STATES, None, SIDE),
    # Reconciling again with unchanged results keeps a lone signature (and the state).
    Step("reconcile", UPLOAD_STATES, S.RECONCILING, PARTY),
    Step("sign_a", {S.RECONCILING}, S.SIGNED_A, SIDE, guard=_reconciled),
    Step("sign_a", {S.SIGNED_B}, S.SIGNED, SIDE, guard=_reconciled),
    Step("sign_b", {S.RECONCILING}, S.SIGNED_B, SIDE, guard=_reconciled),
    Step("sign_b", {S.SIGNED_A}, S.SIGNED, SIDE, guard=_reconciled),
    Step("archive", {S.SIGNED}, S.ARCHIVED, OFFICE),
], labels={
    "plan": pgettext_lazy("inspection step", "planned"),
    "record_previous": pgettext_lazy("inspection step", "earlier inspection recorded"),
    "start_survey": pgettext_lazy("inspection step", "survey started"),
    "upload_survey": pgettext_lazy("inspection step", "survey uploaded"),
    "confirm_survey": pgettext_lazy("inspection step", "survey confirmed"),
    "withdraw_survey": pgettext_lazy("inspection step", "survey withdrawn"),
    "replace_survey": pgettext_lazy("inspection step", "survey replaced"),
    "reconcile": pgettext_lazy("inspection step", "surveys reconciled"),
    "sign_a": pgettext_lazy("inspection step", "signed by side A"),
    "sign_b": pgettext_lazy("inspection step", "signed by side B"),
    "archive": pgettext_lazy("inspection step", "archived"),
}, states=S, verbs={
    "plan": pgettext_lazy("inspection action", "plan"),
    "record_previous": pgettext_lazy("inspection action", "record an earlier inspection"),
    "start_survey": pgettext_lazy("inspection action", "start the survey"),
    "upload_survey": pgettext_lazy("inspection action", "upload a survey"),
    "confirm_survey": pgettext_lazy("inspection action", "confirm a survey"),
    "withdraw_survey": pgettext_lazy("inspection action", "withdraw a survey"),
    "replace_survey": pgettext_lazy("inspection action", "replace a survey"),
    "reconcile": pgettext_lazy("inspection action", "reconcile the surveys"),
    "sign_a": pgettext_lazy("inspection action", "sign for side A"),
    "sign_b": pgettext_lazy("inspection action", "sign for side B"),
    "archive": pgettext_lazy("inspection action", "archive"),
})
