"""The importers' error tree: every refusal says what is wrong and where."""

from django.utils.translation import gettext_noop

from config.errors import BadRequest
from config.said import Said


class ImporterError(BadRequest):
    """Base of all importer refusals: the input is at fault (HTTP 400 when an endpoint was
    given the file); management commands exit non-zero with its text."""


class SourceError(ImporterError):
    """The source cannot be read at all (missing file, wrong format, bad archive)."""


class RowError(ImporterError):
    """One or more rows are malformed; ``problems`` lists them as 'file:line: message'."""

    def __init__(self, problems: list[str], limit: int = 50):
        self.problems = problems
        shown = "\n".join(problems[:limit])
        if len(problems) > limit:
            super().__init__(Said(gettext_noop("%(n)d malformed row(s), nothing written:\n"
                                               "%(rows)s\n… and %(more)d more"),
                                  n=len(problems), rows=shown, more=len(problems) - limit))
        else:
            super().__init__(Said(gettext_noop("%(n)d malformed row(s), nothing written:\n"
                                               "%(rows)s"), n=len(problems), rows=shown))


class ConflictError(ImporterError):
    """The source is well formed but cannot be applied to the registry as it stands."""


class RefusedFile(SourceError):
    """The file is hostile or broken (zip slip, zip bomb, XXE, truncated, empty): it is
    refused before any parser sees more of it than needed to tell, and nothing is written."""
