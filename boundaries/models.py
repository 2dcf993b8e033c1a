"""Administrative divisions as versioned records, and the change events linking them.

A division is identified over time by its 12-digit statistical code, its level
*and* a validity period (the level because a prefecture city without counties,
东莞市 4419, has a county-level echo 441900 with the same 12-digit code). Codes
are retired and reused (盘县 520222 became 盘州市 520281), so every row here is
one version, and every change is an event linking input to output versions.

Parents are referenced by code, not by version id: renaming a province must not
force new versions of its hundred thousand villages. The database checks that
versions of the parent code, one level up, cover the child's whole period
(the division_parent_insert/update/delete triggers, function boundaries_parent_violation).
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.db.models import Case, F, Func, Q, When
from django.db.models.functions import Cast
from django.utils.translation import gettext_noop, pgettext_lazy


class Level(models.IntegerChoices):
    # The labels are the API's words; gettext_noop marks them for the pages, which say
    # them in their language ({% translate division.get_level_display %}).
    PROVINCE = 1, gettext_noop("province")
    PREFECTURE = 2, gettext_noop("prefecture")
    COUNTY = 3, gettext_noop("county")
    TOWNSHIP = 4, gettext_noop("township")
    VILLAGE = 5, gettext_noop("village")

    @classmethod
    def parse(cls, raw: "str | int", within: "tuple[Level, ...] | None" = None) -> "Level":
        """The level named (any case) or numbered by ``raw``, one of ``within`` (all levels).

        The one reading of a level for the API, the commands and the loaders; ValueError
        names the accepted names.
        """
        accepted = within or tuple(cls)
        text = str(raw).lower()
        for level in accepted:
            if text in (level.label, str(level.value)):
                return level
        raise ValueError(f"expected one of {', '.join(lv.label for lv in accepted)}")


def date_range(start: str, end: str) -> Func:
    """DATERANGE(start, end) for the exclusion constraints: a plain Func rather than a
    subclass, so the migrations that create them rebuild it from Django alone."""
    return Func(start, end, function="DATERANGE", output_field=DateRangeField())


class DivisionVersion(models.Model):
    code = models.CharField(max_length=12)
    name = models.CharField(max_length=100)
    # The place name: the village committee 大箐村村民委员会 lies in the place 大箐村.
    place_name = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    kind = models.CharField(max_length=20)
    parent_code = models.CharField(max_length=12, null=True, blank=True)
    # NULL valid_from: in force since before the registry's records begin.
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    # Indexed by division_geom_idx below (GeoDjango's own index would be a duplicate).
    geom = models.MultiPolygonField(srid=4490, null=True, blank=True, spatial_index=False)
    geometry_source = models.CharField(max_length=200, blank=True, default="")
    seat = models.PointField(srid=4490, null=True, blank=True)
    area_km2 = models.FloatField(null=True, blank=True)
    population = models.BigIntegerField(null=True, blank=True)
    # Search keys, computed by boundaries.names when rows are written.
    pinyin = models.CharField(max_length=300, blank=True, default="")
    place_pinyin = models.CharField(max_length=300, blank=True, default="")
    initials = models.CharField(max_length=100, blank=True, default="")
    # Unigrams and bigrams of the name: 1- and 2-character queries are served
    # from a GIN index on these (pg_trgm needs three characters).
    grams = ArrayField(models.TextField(), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The identity lookup (code, level) on a date; the GiST exclusion index
            # also matches it but is several times slower per probe.
            models.Index(fields=["code", "level", "valid_from"], name="division_code_level_idx"),
            models.Index(fields=["parent_code", "level"], name="division_parent_idx"),
            models.Index(
                OpClass(F("name"), name="text_pattern_ops"), name="division_name_prefix_idx"
            ),
            models.Index(
                OpClass(F("place_name"), name="text_pattern_ops"),
                name="division_place_prefix_idx",
            ),
            models.Index(
                OpClass(F("pinyin"), name="text_pattern_ops"), name="division_pinyin_idx"
            ),
            models.Index(
                OpClass(F("place_pinyin"), name="text_pattern_ops"),
                name="division_place_pinyin_idx",
            ),
            models.Index(
                OpClass(F("initials"), name="text_pattern_ops"), name="division_initials_idx"
            ),
            GinIndex(fields=["grams"], name="division_grams_idx"),
            GinIndex(
                OpClass(F("name"), name="gin_trgm_ops"), name="division_name_trgm_idx"
            ),
            GistIndex(fields=["geom"], name="division_geom_idx"),
            # Search (boundaries.search): ranking order, ended versions, and the keys of
            # levels 1–4 alone, whose statistics the planner needs (ANALYZEd as expressions).
            models.Index(fields=["level", "code"], name="division_level_code_idx"),
            models.Index(fields=["level", "code"], condition=Q(valid_to__isnull=False),
                         name="division_ended_idx"),
            GinIndex(Case(When(level__lt=5, then=F("grams"))), name="division_upper_grams_idx"),
            models.Index(OpClass(Case(When(level__lt=5, then=F("name"))),
                                 name="text_pattern_ops"), name="division_upper_name_idx"),
            models.Index(OpClass(Case(When(level__lt=5, then=F("pinyin"))),
                                 name="text_pattern_ops"), name="division_upper_pinyin_idx"),
            models.Index(OpClass(Case(When(level__lt=5, then=F("initials"))),
                                 name="text_pattern_ops"), name="division_upper_initials_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lt=F("valid_to")),
                name="division_valid_period",
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{12}$"), name="division_code_12"
            ),
            models.CheckConstraint(
                condition=Q(level=1, parent_code__isnull=True)
                | Q(level__gt=1, level__lte=5, parent_code__isnull=False),
                name="division_parent_iff_not_province",
            ),
            # Deferrable so a change can insert the new version before end-dating
            # the old one: in the other order the parent trigger sees orphans.
            # Keyed on one integer, code × 10 + level: btree_gist on the varchar code
            # made the GiST index the bulk of a national load (46 s of inserts for
            # 665k rows, against 12 s for the integer key).
            ExclusionConstraint(
                name="division_no_overlapping_versions",
                deferrable=models.Deferrable.IMMEDIATE,
                expressions=[
                    (Cast("code", models.BigIntegerField()) * 10 + F("level"),
                     RangeOperators.EQUAL),
                    (date_range("valid_from", "valid_to"), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def short_code(self) -> str:
        return short_code(self.code, self.level)


SHORT_LENGTHS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


def short_code(code: str, level: int) -> str:
    return code[: SHORT_LENGTHS[level]]


class EventKind(models.TextChoices):
    ESTABLISH = "establish", pgettext_lazy("division event", "established")
    ABOLISH = "abolish", pgettext_lazy("division event", "abolished")
    MERGE = "merge", pgettext_lazy("division event", "merger")
    SPLIT = "split", pgettext_lazy("division event", "split")
    RENAME = "rename", pgettext_lazy("division event", "renaming")
    TRANSFER = "transfer", pgettext_lazy("division event", "transfer to another parent")
    BOUNDARY = "boundary", pgettext_lazy("division event", "boundary adjustment")
    SEAT_MOVE = "seat_move", pgettext_lazy("division event", "seat moved")
    KIND_CHANGE = "kind_change", pgettext_lazy("division event", "change of kind")
    RECODE = "recode", pgettext_lazy("division event", "new code")


class DivisionEvent(models.Model):
    """A division change (区划变更): input versions end, output versions begin."""

    kind = models.CharField(max_length=20, choices=EventKind.choices)
    # e.g. 撤县设市, 撤县设区, 撤乡设镇 for kind changes.
    subkind = models.CharField(max_length=40, blank=True, default="")
    # A draft (e.g. a boundary change a joint inspection found) awaits its approval
    # document; only approved events are published in the change feed.
    draft = models.BooleanField(default=False, db_default=False)
    effective_date = models.DateField()
    approval_document = models.CharField(max_length=200, blank=True, default="")
    approving_authority = models.CharField(max_length=200, blank=True, default="")
    description = models.TextField(blank=True, default="")
    edition = models.ForeignKey(
        "DivisionEdition", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    # Who recorded it: a user, or the system actor for loaders and the command line.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    inputs = models.ManyToManyField(DivisionVersion, related_name="ended_by", blank=True,
                                    db_table="boundaries_divisionevent_input")
    outputs = models.ManyToManyField(DivisionVersion, related_name="started_by", blank=True,
                                     db_table="boundaries_divisionevent_output")

    class Meta:
        indexes = [models.Index(fields=["effective_date"], name="division_event_date_idx")]

    def __str__(self):
        return f"{self.effective_date} {self.get_kind_display()} {self.subkind}"


class DivisionEdition(models.Model):
    """One load of a statistical code edition; later editions are applied as changes."""

    label = models.CharField(max_length=100)
    effective_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=500)
    loaded_at = models.DateTimeField(auto_now_add=True)
    added = models.IntegerField(default=0)
    renamed = models.IntegerField(default=0)
    retired = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)

    def __str__(self):
        return self.label


class BoundaryLine(models.Model):
    """One version of the border line between two divisions of the same level.

    The sides are identified as divisions are, by code and level, and stored once per
    pair: left is the lower code, and the geometry runs with the left division on its
    left (boundaries.orientation). A line version is in force while both sides' versions
    are and its geometry holds; a changed polygon ends it and starts a new version
    (boundaries.lines), so the line of any date can still be answered.
    """

    level = models.PositiveSmallIntegerField(choices=Level.choices)
    left_code = models.CharField(max_length=12)
    right_code = models.CharField(max_length=12)
    # 吴兴区 + 南浔区 → 吴南线; derived once, then kept across versions, so an edit sticks.
    name = models.CharField(max_length=50)
    geom = models.MultiLineStringField(srid=4490)
    length_m = models.FloatField()
    agreement_number = models.CharField(max_length=100, blank=True, default="")
    agreement_date = models.DateField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    geometry_source = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["left_code", "level"], name="line_left_idx"),
            models.Index(fields=["right_code", "level"], name="line_right_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(left_code__lt=F("right_code")),
                                   name="line_left_below_right"),
            models.CheckConstraint(
                condition=Q(left_code__regex=r"^[0-9]{12}$", right_code__regex=r"^[0-9]{12}$"),
                name="line_codes_12"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True)
                | Q(valid_from__lt=F("valid_to")), name="line_valid_period"),
            ExclusionConstraint(
                name="line_no_overlapping_versions",
                deferrable=models.Deferrable.IMMEDIATE,
                expressions=[
                    ("level", RangeOperators.EQUAL),
                    ("left_code", RangeOperators.EQUAL),
                    ("right_code", RangeOperators.EQUAL),
                    (date_range("valid_from", "valid_to"), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.left_code}|{self.right_code}"


class MarkerType(models.TextChoices):
    SINGLE = "single", pgettext_lazy("marker type", "single")
    PAIRED = "paired", pgettext_lazy("marker type", "paired")
    TRIPLE = "triple", pgettext_lazy("marker type", "triple")


class MarkerStatus(models.TextChoices):
    INTACT = "intact", pgettext_lazy("marker status", "intact")
    DAMAGED = "damaged", pgettext_lazy("marker status", "damaged")
    MISSING = "missing", pgettext_lazy("marker status", "missing")
    DISPLACED = "displaced", pgettext_lazy("marker status", "displaced")
    NEWLY_SET = "newly_set", pgettext_lazy("marker status", "newly set")
    # Set again where it stood, after being damaged, missing or displaced (by both sides).
    RESTORED = "restored", pgettext_lazy("marker status", "restored")
    # Moved to a new position on purpose, with its reason (boundaries.services.marker_move).
    RELOCATED = "relocated", pgettext_lazy("marker status", "relocated")
    # its line ended with a division change (a merger's inner border): kept as history
    HISTORICAL = "historical", pgettext_lazy("marker status", "historical")


class BoundaryMarker(models.Model):
    """A boundary marker (界桩); where it stands and in what state is its MarkerState history."""

    number = models.CharField(max_length=20)
    type = models.CharField(max_length=10, choices=MarkerType.choices)
    # The number is unique among the markers in service on each line it stands on: the
    # database refuses a second one (trigger boundaries_marker_number_per_line, as the
    # number lives here and the line in the link table). Line names repeat across the
    # country (two 东西线), so the number alone is not unique.
    lines = models.ManyToManyField(BoundaryLine, related_name="markers")
    retired_on = models.DateField(null=True, blank=True)
    # Placed by the demo loader along a derived line, not surveyed on the ground.
    synthetic = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(type__in=MarkerType.values), name="marker_type"),
        ]

    def __str__(self):
        return self.number


class MarkerState(models.Model):
    """One period of a marker's position and status: changes append, never update."""

    marker = models.ForeignKey(BoundaryMarker, on_delete=models.PROTECT, related_name="states")
    position = models.PointField(srid=4490)
    status = models.CharField(max_length=10, choices=MarkerStatus.choices)
    material = models.CharField(max_length=50, blank=True, default="")
    installed = models.DateField(null=True, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    # Where the position and status come from: a survey file, an inspection, "synthetic".
    source = models.CharField(max_length=200, blank=True, default="", db_default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MarkerStatus.values),
                                   name="marker_state_status"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True)
                                   | Q(valid_from__lt=F("valid_to")),
                                   name="marker_state_valid_period"),
            ExclusionConstraint(
                name="marker_state_no_overlap",
                expressions=[
                    ("marker", RangeOperators.EQUAL),
                    (date_range("valid_from", "valid_to"), RangeOperators.OVERLAPS),
                ],
            ),
        ]
