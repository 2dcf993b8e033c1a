"""Naming proposals and the committee's workflow, with who did what and when.

A proposal moves submitted → accepted (or returned) → expert review → public
consultation → committee review → approved (or rejected) → published. Every move
is a Transition row (actor, time, note); expert opinions, consultation comments
and votes are rows of their own. Only publication writes to the gazetteer: until
then a proposed name is not a place, so two open proposals may clash and the
scope lock at publication decides which one gets the name.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import F, Q
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    NAMING = "naming", pgettext_lazy("naming proposal", "naming")
    RENAMING = "renaming", pgettext_lazy("naming proposal", "renaming")
    CANCELLATION = "cancellation", pgettext_lazy("naming proposal", "cancellation")
    # The 地名文化保护名录: putting a place on it or taking it off, decided by the committee.
    HERITAGE_LIST = "heritage_list", pgettext_lazy(
        "naming proposal", "put on the place-name heritage list")
    HERITAGE_DELIST = "heritage_delist", pgettext_lazy(
        "naming proposal", "take off the place-name heritage list")


class State(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("proposal state", "submitted")
    ACCEPTED = "accepted", pgettext_lazy("proposal state", "accepted")
    RETURNED = "returned", pgettext_lazy("proposal state", "returned")
    EXPERT_REVIEW = "expert_review", pgettext_lazy("proposal state", "expert review")
    CONSULTATION = "consultation", pgettext_lazy("proposal state", "public consultation")
    COMMITTEE_REVIEW = "committee_review", pgettext_lazy("proposal state", "committee review")
    APPROVED = "approved", pgettext_lazy("proposal state", "approved")
    REJECTED = "rejected", pgettext_lazy("proposal state", "rejected")
    PUBLISHED = "published", pgettext_lazy("proposal state", "published")


class Proposal(models.Model):
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.SUBMITTED)
    # The proposed name (naming, renaming); empty for a cancellation.
    name = models.CharField(max_length=100, blank=True, default="")
    # Toneless pinyin of the name: open proposals competing for a name are found by it.
    pinyin = models.CharField(max_length=300, blank=True, default="")
    place_class = models.ForeignKey("gazetteer.PlaceClass", on_delete=models.PROTECT)
    division_code = models.CharField(max_length=12)
    place = models.ForeignKey("gazetteer.Place", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="proposals")
    geom = models.GeometryField(srid=4490, null=True, blank=True)
    meaning = models.TextField(blank=True, default="")
    # heritage_list: the category it is listed in (千年古县, 千年古镇, 千年古村落, 其他).
    heritage_category = models.CharField(max_length=12, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="proposals")
    # The findings of the last run of the checks (gazetteer.checks), as JSON.
    findings = models.JSONField(default=list, blank=True)
    # The scopes the name was last checked in, as code prefixes ('' nationwide): every
    # scope its geometry lies in; open proposals sharing one compete for the name.
    scopes = ArrayField(models.CharField(max_length=12), default=list, blank=True)
    consultation_start = models.DateField(null=True, blank=True)
    consultation_end = models.DateField(null=True, blank=True)
    announcement_number = models.CharField(max_length=100, blank=True, default="")
    announcement_date = models.DateField(null=True, blank=True)
    published_place = models.ForeignKey("gazetteer.Place", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"], name="proposal_state_idx"),
                   models.Index(fields=["division_code"], name="proposal_division_idx"),
                   models.Index(fields=["pinyin"], name="proposal_pinyin_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="naming", place__isnull=True) & ~Q(name="")
                | Q(kind="renaming", place__isnull=False) & ~Q(name="")
                | Q(kind="cancellation", place__isnull=False)
                | Q(kind="heritage_list", place__isnull=False) & ~Q(heritage_category="")
                | Q(kind="heritage_delist", place__isnull=False),
                name="proposal_kind_fields"),
            models.CheckConstraint(
                condition=Q(consultation_start__isnull=True) | Q(consultation_end__isnull=True)
                | Q(consultation_start__lt=F("consultation_end")),
                name="proposal_consultation_period"),
            models.CheckConstraint(
                condition=~Q(state="published") | (~Q(announcement_number="")
                                                   & Q(announcement_date__isnull=False)),
                name="proposal_published_announced"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name or self.place} ({self.get_state_display()})"


class Transition(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    note = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["proposal", "at"], name="transition_proposal_idx")]


class ExpertOpinion(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="opinions")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recommendation = models.CharField(max_length=8, choices=[
        ("approve", pgettext_lazy("expert recommendation", "approve")),
        ("reject", pgettext_lazy("expert recommendation", "reject"))])
    opinion = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "expert"],
                                               name="opinion_one_per_expert")]


class Comment(models.Model):
    """A comment received during the public consultation, recorded by the office."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.CharField(max_length=100)
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    at = models.DateTimeField(auto_now_add=True)


class Vote(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    choice = models.CharField(max_length=8, choices=[
        ("approve", pgettext_lazy("committee vote", "for")),
        ("reject", pgettext_lazy("committee vote", "against")),
        ("abstain", pgettext_lazy("committee vote", "abstain"))])
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "member"],
                                               name="vote_one_per_member")]

