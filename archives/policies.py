"""Who may read and write the archives (registered with accounts.permissions as "archive").

Reading a document: the office, the committee staff and the archivists read every one;
a published decision, announcement or agreement (PUBLIC_CATEGORIES) is public, signed in
or not; any other document is readable by whoever may read a proposal, inspection or
hazard it is linked to — the proposals' and inspections' own policies decide, so an
applicant reads their proposal's archive and a team its inspection's. Writing (upload,
new version, link, unlink, publish) is for the archivists and the place-name office.
"""

from django.utils.translation import gettext_noop

from accounts import permissions
from accounts.roles import OFFICE_ROLES, Role, roles_of
from boundaries.temporal import today
from config.said import Said
from inspections.policies import READERS as INSPECTION_READERS
from proposals.policies import STAFF as PROPOSAL_STAFF

from .models import PUBLIC_CATEGORIES

WRITERS = OFFICE_ROLES | {Role.ARCHIVIST}
# Whoever reads every proposal and every inspection reads the whole archive.
READ_ALL = WRITERS | (PROPOSAL_STAFF & INSPECTION_READERS)


def is_public(document) -> bool:
    return (document.category in PUBLIC_CATEGORIES and document.published_on is not None
            and document.published_on <= today())


def reads_all(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and roles_of(user) & READ_ALL)


def _linked_readable(user, document) -> bool:
    """Whether the user may read a proposal, inspection or hazard the document supports."""
    for link in document.links.select_related("proposal", "proposal_transition__proposal",
                                              "inspection", "inspection_transition__inspection",
                                              "hazard__inspection"):
        if link.proposal_id and permissions.can(user, "proposal.view", link.proposal):
            return True
        if link.proposal_transition_id and permissions.can(
                user, "proposal.view", link.proposal_transition.proposal):
            return True
        inspection = (link.inspection if link.inspection_id else
                      link.inspection_transition.inspection if link.inspection_transition_id
                      else None)
        if inspection is not None and permissions.can(user, "inspection.view", inspection):
            return True
        if link.hazard_id and permissions.can(user, "hazard.view", link.hazard.inspection):
            return True
    return False


def read_refusal(user, document) -> Said | None:
    """Why the user (anonymous too) may not read the document, or None."""
    if is_public(document) or reads_all(user):
        return None
    if getattr(user, "is_authenticated", False) and _linked_readable(user, document):
        return None
    if document.category in PUBLIC_CATEGORIES and document.published_on is None:
        return Said(gettext_noop("document %(id)s is not published yet"), id=document.id)
    return Said(gettext_noop("document %(id)s is for the archive office and the readers of "
                             "the records it is linked to"), id=document.id)


def archive_policy(user, verb: str, document=None, **context) -> str | None:
    if verb == "view":
        return read_refusal(user, document)
    if verb == "view_all":
        return None if reads_all(user) else Said(gettext_noop(
            "reading the whole archive is for the archive office (archivist, clerk or admin "
            "role)"))
    if verb in ("upload", "version", "link", "unlink", "publish", "edit"):
        return None if roles_of(user) & WRITERS else Said(gettext_noop(
            "%(verb)s: is for the archive office (archivist, clerk or admin role)"), verb=verb)
    raise LookupError(f"no archive action {verb!r}")


permissions.register("archive", archive_policy)
