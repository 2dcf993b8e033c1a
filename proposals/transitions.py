"""The committee workflow as a table: each action, the states it starts from, the state
it leads to (None: the proposal stays where it is) and the roles that may take it.
proposals.services enforces it (with a handler per action), proposals.selectors offers
from it what a caller may do next."""

from django.utils.translation import gettext_noop, pgettext_lazy

from accounts.roles import Role
from accounts.transitions import NEW, Machine, Step

from .models import State as S

MACHINE = Machine(gettext_noop("proposal"), [
    Step("submit", {NEW}, S.SUBMITTED, {Role.APPLICANT, Role.CLERK}),
    Step("accept", {S.SUBMITTED}, S.ACCEPTED, {Role.CLERK}),
    Step("return", {S.SUBMITTED}, S.RETURNED, {Role.CLERK}),
    Step("start_review", {S.ACCEPTED}, S.EXPERT_REVIEW, {Role.CLERK}),
    Step("opinion", {S.EXPERT_REVIEW}, None, {Role.EXPERT}),
    Step("extra_review", {S.EXPERT_REVIEW, S.COMMITTEE_REVIEW}, None,
         {Role.EXPERT, Role.CLERK}),
    Step("open_consultation", {S.EXPERT_REVIEW}, S.CONSULTATION, {Role.CLERK}),
    Step("comment", {S.CONSULTATION}, None, {Role.CLERK}),
    Step("close_consultation", {S.CONSULTATION}, S.COMMITTEE_REVIEW, {Role.CLERK}),
    Step("vote", {S.COMMITTEE_REVIEW}, None, {Role.MEMBER, Role.CHAIR}),
    Step("approve", {S.COMMITTEE_REVIEW}, S.APPROVED, {Role.CHAIR}),
    Step("reject", {S.COMMITTEE_REVIEW}, S.REJECTED, {Role.CHAIR}),
    Step("publish", {S.APPROVED}, S.PUBLISHED, {Role.CLERK, Role.CHAIR}),
], labels={
    "submit": pgettext_lazy("proposal step", "submitted"),
    "accept": pgettext_lazy("proposal step", "accepted"),
    "return": pgettext_lazy("proposal step", "returned"),
    "start_review": pgettext_lazy("proposal step", "expert review started"),
    "opinion": pgettext_lazy("proposal step", "expert opinion"),
    "extra_review": pgettext_lazy("proposal step", "extra heritage review"),
    "open_consultation": pgettext_lazy("proposal step", "consultation opened"),
    "comment": pgettext_lazy("proposal step", "consultation comment"),
    "close_consultation": pgettext_lazy("proposal step", "consultation closed"),
    "vote": pgettext_lazy("proposal step", "vote"),
    "approve": pgettext_lazy("proposal step", "approved"),
    "reject": pgettext_lazy("proposal step", "rejected"),
    "publish": pgettext_lazy("proposal step", "published"),
}, states=S, verbs={
    "submit": pgettext_lazy("proposal action", "submit"),
    "accept": pgettext_lazy("proposal action", "accept"),
    "return": pgettext_lazy("proposal action", "return"),
    "start_review": pgettext_lazy("proposal action", "start the expert review"),
    "opinion": pgettext_lazy("proposal action", "give an expert opinion"),
    "extra_review": pgettext_lazy("proposal action", "record the extra heritage review"),
    "open_consultation": pgettext_lazy("proposal action", "open the consultation"),
    "comment": pgettext_lazy("proposal action", "record a consultation comment"),
    "close_consultation": pgettext_lazy("proposal action", "close the consultation"),
    "vote": pgettext_lazy("proposal action", "vote"),
    "approve": pgettext_lazy("proposal action", "approve"),
    "reject": pgettext_lazy("proposal action", "reject"),
    "publish": pgettext_lazy("proposal action", "publish"),
})
