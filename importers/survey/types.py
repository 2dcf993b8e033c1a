"""What the survey reader hands around: features as read, findings, the result."""

from dataclasses import dataclass, field

from config.said import filled

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    index: int | None = None  # the feature's index in the file, all layers counted
    line: int | None = None  # CSV: the line in the file (the header is line 1)
    # The message's msgid and parameters: the pages say it in their language (config.said).
    template: str = ""
    params: dict = field(default_factory=dict)

    @classmethod
    def said(cls, rule: str, severity: str, template: str, params: dict | None = None,
             index: int | None = None, line: int | None = None) -> "Finding":
        params = params or {}
        return cls(rule, severity, filled(template, params), index, line, template, params)

    def as_dict(self) -> dict:
        out = {"index": self.index, "rule": self.rule, "severity": self.severity,
               "message": self.message}
        if self.line is not None:
            out["line"] = self.line
        if self.template:
            out |= {"template": self.template, "params": self.params}
        return out


@dataclass(slots=True)
class Feature:
    """One feature: ``geometry`` is GeoJSON-like ({type, coordinates} or a collection), in the
    file's coordinates while reading and in EPSG:4490 lon/lat once transformed."""

    index: int
    layer: str
    geometry: dict | None
    properties: dict
    line: int | None = None

    def as_dict(self) -> dict:
        out = {"index": self.index, "layer": self.layer, "geometry": self.geometry,
               "properties": self.properties}
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass
class Source:
    """A file as read: before the CRS is decided and anything is transformed."""

    format: str
    features: list[Feature]
    declared_crs: str | None = None  # WKT or "EPSG:n"
    encoding: str = "utf-8"
    axis_free: bool = False  # the axis order is the surveyor's choice (CSV): detect it
    number_property: str | None = None
    findings: list[Finding] = field(default_factory=list)


@dataclass
class SurveyResult:
    source: str
    format: str
    crs: str
    crs_source: str  # declared / detected / given
    encoding: str
    features: list[Feature]
    findings: list[Finding]
    staged_table: str | None = None
    # how the coordinates reached CGCS2000: {description, accuracy_m, ballpark, parameters}
    transformation: dict | None = None

    def as_dict(self) -> dict:
        return {"format": self.format, "crs": self.crs, "crs_source": self.crs_source,
                "encoding": self.encoding, "transformation": self.transformation,
                "features": [f.as_dict() for f in self.features],
                "findings": [f.as_dict() for f in self.findings]}

    def counts(self) -> dict:
        by = {}
        for finding in self.findings:
            by[finding.severity] = by.get(finding.severity, 0) + 1
        return by
