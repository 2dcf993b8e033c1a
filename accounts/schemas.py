from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

# No control characters (PostgreSQL cannot hold NUL; a name needs none of them).
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"


class ApiTokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, pattern=PRINTABLE,
                      description="what the token is for")
    scope: Literal["read", "read-write"] = Field(
        "read-write", description="read: GET only; read-write: every method")
    expires_at: datetime | None = Field(
        None, description="when it stops working (default: API_TOKEN_LIFETIME_DAYS from now)")


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    revoked: bool


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(description="shown once: only its digest is stored")
