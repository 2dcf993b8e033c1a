"""Datum parameters registered for a county: the 7-parameter Helmert or 4-parameter plane
transformation a survey office published for its area, from Xian 1980 or Beijing 1954 to
CGCS2000, so that survey files in the old datum can be read there without typing them.

A published set is not edited: a new publication for the same county, CRS and kind is a new
row whose validity begins where the previous one's ends (no two overlap: a database
constraint)."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.db import models
from django.db.models import F, Q

from boundaries.models import date_range


class ParameterKind(models.TextChoices):
    HELMERT7 = "helmert7", "7-parameter Helmert (tx ty tz m, rx ry rz arc-seconds, s ppm)"
    PLANE4 = "plane4", "4-parameter plane (dx north, dy east m, rotation arc-seconds, scale ppm)"


class DatumParameters(models.Model):
    county_code = models.CharField(max_length=12, help_text="12 digits, a county's code")
    source_crs = models.CharField(max_length=20, help_text="EPSG:n: the old datum's "
                                  "geographic CRS (helmert7) or the Gauss-Krüger zone (plane4)")
    kind = models.CharField(max_length=10, choices=ParameterKind.choices)
    values = ArrayField(models.FloatField())
    convention = models.CharField(max_length=20, blank=True, default="")
    accuracy_m = models.FloatField(null=True, blank=True,
                                   help_text="the published residual (中误差), metres")
    authority = models.CharField(max_length=200)
    document = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                      related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(county_code__regex=r"^[0-9]{6}0{6}$"),
                                   name="datum_parameters_county_code"),
            models.CheckConstraint(condition=Q(source_crs__regex=r"^EPSG:[0-9]+$"),
                                   name="datum_parameters_source_crs"),
            models.CheckConstraint(
                condition=Q(kind="helmert7", convention__in=["position_vector",
                                                             "coordinate_frame"])
                | Q(kind="plane4", convention=""), name="datum_parameters_convention"),
            models.CheckConstraint(
                condition=Q(kind="helmert7", values__len=7) | Q(kind="plane4", values__len=4),
                name="datum_parameters_count"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True)
                                   | Q(valid_from__lt=F("valid_to")),
                                   name="datum_parameters_valid_period"),
            models.CheckConstraint(condition=Q(accuracy_m__isnull=True) | Q(accuracy_m__gte=0),
                                   name="datum_parameters_accuracy"),
            models.CheckConstraint(condition=~Q(authority="") & ~Q(document=""),
                                   name="datum_parameters_published"),
            ExclusionConstraint(
                name="datum_parameters_no_overlap",
                expressions=[("county_code", RangeOperators.EQUAL),
                             ("source_crs", RangeOperators.EQUAL),
                             ("kind", RangeOperators.EQUAL),
                             (date_range("valid_from", "valid_to"), RangeOperators.OVERLAPS)]),
        ]

    def __str__(self):
        return f"{self.kind} {self.source_crs} → CGCS2000 for {self.county_code[:6]}"
