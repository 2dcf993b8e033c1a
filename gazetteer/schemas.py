from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

from config.paging import PageOut


def _no_control(text: str) -> str:
    # PostgreSQL cannot hold NUL in text; no name or note needs control characters.
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        raise ValueError("contains a control character (e.g. NUL)")
    return text


Text = Annotated[str, AfterValidator(_no_control)]


class PlaceClassRefOut(Schema):
    code: str
    slug: str
    name: str


class PlaceClassOut(PlaceClassRefOut):
    group: str
    generics: list[str]
    max_length: int
    scope: str
    division_level: int | None


class PlaceRefOut(Schema):
    id: int
    name: str


class PlaceDivisionOut(Schema):
    code: str
    level: int
    name: str
    kind: str
    computed: bool


class PlaceVariantOut(Schema):
    name: str
    kind: str
    kind_label: str
    valid_from: date | None
    valid_to: date | None


class PlaceHeritageOut(Schema):
    category: str
    listed_on: date | None


class PlaceOut(PlaceRefOut):
    name_on_date: str | None = Field(None, description="the name borne on as_of, if asked")
    specific: str
    generic: str
    place_class: PlaceClassRefOut
    romanization: str
    romanization_generated: str
    traditional: str
    meaning: str
    history: str
    status: str
    valid_from: date | None
    valid_to: date | None
    heritage: PlaceHeritageOut | None
    geometry: dict[str, Any] | None
    divisions: list[PlaceDivisionOut]
    variants: list[PlaceVariantOut]


class PlaceHitOut(PlaceRefOut):
    romanization: str
    place_class: str
    class_name: str
    status: str
    valid_from: date | None
    valid_to: date | None
    match: str
    matched_name: str
    matched_kind: str | None = Field(
        description="null for the standard name, else the variant kind (former, alias …)")
    former: bool
    name_on_date: str | None = Field(None, description="with as_of: the name borne then")
    divisions: list[str]


class PlaceSearchOut(Schema):
    query: str | None
    normalized: str | None
    count: int
    limit: int
    offset: int
    items: list[PlaceHitOut]


class HeritagePlaceOut(Schema):
    id: int
    name: str
    romanization: str
    place_class: str
    class_name: str
    category: str
    listed_on: date | None
    divisions: list[str]


class HeritageListOut(PageOut[HeritagePlaceOut]):
    pass


class NamingEventOut(Schema):
    id: int
    kind: str
    kind_label: str
    old_value: str
    new_value: str
    effective_date: date
    document_number: str
    reason: str
    recorded_at: datetime


class PlaceHistoryOut(PlaceRefOut):
    history: str
    events: list[NamingEventOut]
    former_names: list[PlaceVariantOut]


class SignStateOut(Schema):
    status: str
    on: date | None = Field(description="null: since before the records begin")
    note: str
    actor: str
    recorded_at: datetime


class SignOut(Schema):
    code: str
    place_id: int
    kind: str
    text: str
    romanization: str
    status: str
    installed_on: date | None
    removed_on: date | None
    replaces: str | None = Field(description="code of the sign this one replaced")
    location: dict[str, Any]
    approved_name: str
    approved_romanization: str
    shows_former_name: bool
    mismatch: bool
    states: list[SignStateOut]


class SignIn(Schema):
    code: Text = Field("", max_length=40, description="the sign's number; made up if empty")
    location: dict[str, Any] = Field(..., description="GeoJSON Point (CGCS2000)")
    text: Text = Field("", max_length=100, description="what it shows; the standard name "
                                                       "if empty")
    romanization: Text = Field("", max_length=300, description="the romanization it shows")
    kind: Text = Field("street", description="street|area|village|feature|stele|guide")
    status: Text = Field("installed", description="installed | planned")
    installed_on: date | None = None
    note: Text = Field("", max_length=2000)


class SignReplaceIn(Schema):
    installed_on: date
    code: Text = Field("", max_length=40, description="the new sign's number")
    location: dict[str, Any] | None = Field(None, description="GeoJSON Point; the old "
                                                              "sign's place if empty")
    text: Text = Field("", max_length=100)
    romanization: Text = Field("", max_length=300)
    kind: Text | None = Field(None, description="the old sign's kind if empty")
    note: Text = Field("", max_length=2000)


class SignStateIn(Schema):
    status: Text = Field(..., description="installed | damaged | removed")
    on: date
    note: Text = Field("", max_length=2000)


class PlaceSignsOut(PlaceRefOut):
    items: list[SignOut]


class SignPageOut(PageOut[SignOut]):
    pass


class NameCheckIn(Schema):
    model_config = ConfigDict(populate_by_name=True)

    name: Text = Field(..., min_length=1, max_length=100)
    place_class: Text = Field(..., alias="class", min_length=1, max_length=40,
                              description="a class code (2532) or slug (road, residential, county)")
    division_code: Text = Field(..., min_length=1, max_length=12,
                               description="the division the name will lie in, any level")
    place_id: int | None = Field(None, description="the place being renamed, if a renaming")
    geometry: dict[str, Any] | None = Field(
        None, description="GeoJSON geometry (CGCS2000): it must meet division_code, and the "
                          "name is checked in every scope it lies in")


class NameFindingOut(Schema):
    rule: str
    severity: str
    message: str
    evidence: list[dict[str, Any]]


class NameCheckOut(Schema):
    normalized: str
    romanization: str
    specific: str
    generic: str
    findings: list[NameFindingOut]
    scopes: list[str] = Field(description="code prefixes of the scopes checked ('' nationwide)")


class ChangeVersionOut(Schema):
    code: str
    name: str
    level: int


class ChangeOut(Schema):
    source: str = Field(description="place (a naming event) or division (a division change)")
    id: int
    recorded_at: datetime
    kind: str
    effective_date: date
    document_number: str
    description: str
    place_id: int | None
    old_value: str
    new_value: str
    inputs: list[ChangeVersionOut]
    outputs: list[ChangeVersionOut]


class ChangeFeedOut(Schema):
    count: int
    next_cursor: str | None
    next: str | None
    items: list[ChangeOut]


class SignCheckedOut(Schema):
    """A sign registered, with the sign check's findings (text and romanization against
    the standard name)."""

    sign: SignOut
    findings: list[NameFindingOut]
