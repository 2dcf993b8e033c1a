"""Place names (gazetteer): standard names, their variants, history, divisions and signs.

A place is one named feature with one current standard name split into 专名 and
通名. Its former names and variants are PlaceName rows with periods; every
naming, renaming, cancellation or re-classing is a NamingEvent, which the
database keeps append-only (the trigger gazetteer_namingevent_append_only). The
divisions a place lies in are computed from its geometry (gazetteer.services) and
stored by code, like every reference to a division: codes outlive division versions.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.db.models import F, Q
from django.utils.translation import pgettext_lazy


class Scope(models.TextChoices):
    """Where a name must be unique (DOMAIN.md, naming rules)."""

    COUNTRY = "country", pgettext_lazy("uniqueness scope", "whole country")
    CITY = "city", pgettext_lazy("uniqueness scope", "prefecture-level city")
    COUNTY = "county", pgettext_lazy("uniqueness scope", "county level")
    TOWNSHIP = "township", pgettext_lazy("uniqueness scope", "township level")


class PlaceClass(models.Model):
    """A class of places after GB/T 18521 (the classes are loaded by a gazetteer migration;
    GET /api/v1/places/classes lists them)."""

    code = models.CharField(max_length=8, unique=True)
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=40)
    # Classes sharing a group compete for the same names (a 人民路 and a 人民街 are
    # both 街路巷): uniqueness is checked across the group.
    group = models.CharField(max_length=40)
    generics = ArrayField(models.CharField(max_length=10), default=list, blank=True)
    max_length = models.PositiveSmallIntegerField(default=20)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    # Division classes are also checked against the divisions of that level.
    division_level = models.PositiveSmallIntegerField(null=True, blank=True)
    # Natural villages and the like are romanized as one word (Wangcun).
    joined_romanization = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Status(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("place status", "proposed")
    STANDARD = "standard", pgettext_lazy("place status", "standard name")
    HISTORICAL = "historical", pgettext_lazy("place status", "historical name")


class HeritageCategory(models.TextChoices):
    COUNTY = "千年古县", pgettext_lazy("heritage category", "millennium-old county")
    TOWN = "千年古镇", pgettext_lazy("heritage category", "millennium-old town")
    VILLAGE = "千年古村落", pgettext_lazy("heritage category", "millennium-old village")
    OTHER = "其他", pgettext_lazy("heritage category", "other place-name heritage")


def _search_indexes(prefix: str) -> list:
    return [
        models.Index(OpClass(F("name"), name="text_pattern_ops"), name=f"{prefix}_name_idx"),
        models.Index(OpClass(F("pinyin"), name="text_pattern_ops"),
                     name=f"{prefix}_pinyin_idx"),
        models.Index(OpClass(F("initials"), name="text_pattern_ops"),
                     name=f"{prefix}_initials_idx"),
        GinIndex(fields=["grams"], name=f"{prefix}_grams_idx"),
        GinIndex(OpClass(F("name"), name="gin_trgm_ops"), name=f"{prefix}_trgm_idx"),
    ]


class Place(models.Model):
    name = models.CharField(max_length=100)
    specific = models.CharField(max_length=100)
    generic = models.CharField(max_length=20, blank=True, default="")
    place_class = models.ForeignKey(PlaceClass, on_delete=models.PROTECT, related_name="places")
    romanization = models.CharField(max_length=300)
    # Set by the committee where the rules' output is not what it approved.
    romanization_override = models.CharField(max_length=300, blank=True, default="")
    traditional = models.CharField(max_length=100, blank=True, default="")
    meaning = models.TextField(blank=True, default="")  # 含义、来历
    history = models.TextField(blank=True, default="")  # 沿革
    # indexed by place_geom_idx (GeoDjango's own index would be a duplicate)
    geom = models.GeometryField(srid=4490, null=True, blank=True, spatial_index=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.STANDARD)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    heritage_category = models.CharField(max_length=12, choices=HeritageCategory.choices,
                                         blank=True, default="")
    heritage_listed_on = models.DateField(null=True, blank=True)
    # Search keys (boundaries.names): toneless pinyin of the whole name, its initials,
    # its unigrams and bigrams.
    pinyin = models.CharField(max_length=300, blank=True, default="")
    initials = models.CharField(max_length=100, blank=True, default="")
    grams = ArrayField(models.TextField(), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            *_search_indexes("place"),
            models.Index(fields=["place_class", "pinyin"], name="place_class_pinyin_idx"),
            models.Index(fields=["place_class", "name"], name="place_class_name_idx"),
            GistIndex(fields=["geom"], name="place_geom_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True)
                | Q(valid_from__lt=F("valid_to")),
                name="place_valid_period",
            ),
            models.CheckConstraint(condition=~Q(specific=""), name="place_specific_not_empty"),
            models.CheckConstraint(
                condition=Q(heritage_category="") | Q(heritage_listed_on__isnull=False),
                name="place_heritage_listed_on",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "standard", "historical"]),
                name="place_status_known",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def display_romanization(self) -> str:
        return self.romanization_override or self.romanization


class VariantKind(models.TextChoices):
    ALIAS = "alias", pgettext_lazy("variant kind", "alias")
    ABBREVIATION = "abbreviation", pgettext_lazy("variant kind", "abbreviation")
    COLLOQUIAL = "colloquial", pgettext_lazy("variant kind", "colloquial name")
    FORMER = "former", pgettext_lazy("variant kind", "former name")


class PlaceName(models.Model):
    """A variant or former name of a place, with the period it was in use."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=14, choices=VariantKind.choices)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    pinyin = models.CharField(max_length=300, blank=True, default="")
    initials = models.CharField(max_length=100, blank=True, default="")
    grams = ArrayField(models.TextField(), default=list, blank=True)

    class Meta:
        indexes = [*_search_indexes("placename"),
                   models.Index(fields=["place", "kind"], name="placename_place_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True)
                | Q(valid_from__lt=F("valid_to")),
                name="placename_valid_period",
            ),
            models.UniqueConstraint(fields=["place", "name", "kind", "valid_from"],
                                    name="placename_unique", nulls_distinct=False),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class PlaceDivision(models.Model):
    """A division (by code and level) a place lies in, computed or given explicitly."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="divisions")
    division_code = models.CharField(max_length=12)
    level = models.PositiveSmallIntegerField()
    computed = models.BooleanField(default=True)
    # A division change (mergers.execution) ends a reference on its effective date and
    # starts the successor's: the place's divisions keep their history. Readers of the
    # current divisions take the rows with no valid_to.
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            # Scope queries read a code range (a city is every code from 520200… up to
            # 520300…), then join to the place.
            models.Index(fields=["division_code", "place"], name="placediv_code_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["place", "division_code", "level"],
                                    name="placediv_unique"),
            models.CheckConstraint(condition=Q(division_code__regex=r"^[0-9]{12}$"),
                                   name="placediv_code_12"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5),
                                   name="placediv_level"),
        ]


class NamingEventKind(models.TextChoices):
    NAMING = "naming", pgettext_lazy("naming event", "naming")
    RENAMING = "renaming", pgettext_lazy("naming event", "renaming")
    CANCELLATION = "cancellation", pgettext_lazy("naming event", "cancellation")
    RECLASSING = "reclassing", pgettext_lazy("naming event", "change of class")
    # The 地名文化保护名录: listed (new_value: the category) or delisted (old_value).
    LISTING = "listing", pgettext_lazy("naming event", "put on the place-name heritage list")
    DELISTING = "delisting", pgettext_lazy("naming event", "taken off the place-name heritage list")


class NamingEvent(models.Model):
    """Append-only: the database refuses UPDATE and DELETE (gazetteer_namingevent_append_only)."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=14, choices=NamingEventKind.choices)
    old_value = models.CharField(max_length=100, blank=True, default="")
    new_value = models.CharField(max_length=100, blank=True, default="")
    effective_date = models.DateField()
    document_number = models.CharField(max_length=100, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["place", "effective_date"], name="namingevent_place_idx"),
                   models.Index(fields=["recorded_at"], name="namingevent_recorded_idx")]

    def __str__(self):
        return f"{self.effective_date} {self.get_kind_display()} {self.old_value}→{self.new_value}"


class RenamingReview(models.Model):
    """The extra review a heritage-listed or recently changed name needs before renaming."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    document_number = models.CharField(max_length=100, blank=True, default="")
    opinion = models.TextField()
    recorded_at = models.DateTimeField(auto_now_add=True)


class BanCategory(models.TextChoices):
    GRANDIOSE = "grandiose", pgettext_lazy("banned name", "grandiose")
    FOREIGN = "foreign", pgettext_lazy("banned name", "foreign-sounding")
    ODD = "odd", pgettext_lazy("banned name", "odd")
    DUPLICATED = "duplicated", pgettext_lazy("banned name", "duplicated")
    PERSON = "person", pgettext_lazy("banned name", "a person's name")
    BRAND = "brand", pgettext_lazy("banned name", "a company or brand name")


class NamingBan(models.Model):
    """A pattern that non-standard-name clean-ups target; the committee edits the list."""

    pattern = models.CharField(max_length=40, unique=True)
    category = models.CharField(max_length=12, choices=BanCategory.choices)
    severity = models.CharField(max_length=5, choices=[("block", "block"), ("warn", "warn")],
                                default="block")

    def __str__(self):
        return self.pattern


class SignStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("sign status", "planned")
    INSTALLED = "installed", pgettext_lazy("sign status", "installed")
    DAMAGED = "damaged", pgettext_lazy("sign status", "damaged")
    REMOVED = "removed", pgettext_lazy("sign status", "removed")


class SignKind(models.TextChoices):
    """What kind of place-name sign (GB 17733): a street plate, a community or village sign,
    a stele or a guide sign."""

    STREET = "street", pgettext_lazy("sign kind", "street sign")
    AREA = "area", pgettext_lazy("sign kind", "residential area sign")
    VILLAGE = "village", pgettext_lazy("sign kind", "village sign")
    FEATURE = "feature", pgettext_lazy("sign kind", "bridge, square or similar sign")
    STELE = "stele", pgettext_lazy("sign kind", "place-name stele")
    GUIDE = "guide", pgettext_lazy("sign kind", "place-name guide sign")


class Sign(models.Model):
    """A place-name sign (地名标志) and what it shows. What a sign shows never changes: a
    new text is a new sign that ``replaces`` the old one, whose period ends (removed_on);
    its states (installed, damaged, removed…) are SignState rows, append-only."""

    code = models.CharField(max_length=40, unique=True)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="signs")
    kind = models.CharField(max_length=10, choices=SignKind.choices, default=SignKind.STREET)
    location = models.PointField(srid=4490)
    text = models.CharField(max_length=100)
    romanization = models.CharField(max_length=300)
    # The current state (the last SignState), kept here for the lists.
    status = models.CharField(max_length=10, choices=SignStatus.choices,
                              default=SignStatus.INSTALLED)
    installed_on = models.DateField(null=True, blank=True)
    removed_on = models.DateField(null=True, blank=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by")

    class Meta:
        indexes = [models.Index(fields=["place", "status"], name="sign_place_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(installed_on__isnull=True) | Q(removed_on__isnull=True)
                | Q(installed_on__lte=F("removed_on")), name="sign_period"),
            models.CheckConstraint(condition=Q(removed_on__isnull=True) | Q(status="removed"),
                                   name="sign_removed_on_removed"),
        ]

    def __str__(self):
        return f"{self.code} {self.text}"


class SignState(models.Model):
    """A sign's state from a date: append-only (the database refuses UPDATE and DELETE);
    a state lasts until the next one's date."""

    sign = models.ForeignKey(Sign, on_delete=models.PROTECT, related_name="states")
    status = models.CharField(max_length=10, choices=SignStatus.choices)
    # NULL: since before the registry's records begin (a sign loaded without its date).
    on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["sign", "on"], name="signstate_sign_idx")]
