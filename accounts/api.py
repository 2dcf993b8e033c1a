"""The caller's own API tokens (authenticated: session or bearer token)."""

from django.http import HttpResponse
from ninja import Router

from . import selectors, services
from .auth import AUTH
from .schemas import ApiTokenCreatedOut, ApiTokenIn, ApiTokenOut

router = Router(tags=["accounts"], auth=AUTH)

TOKEN_FIELDS = ["id", "name", "prefix", "scope", "created_at", "last_used_at", "expires_at",
                "revoked"]


@router.get("/tokens", response=list[ApiTokenOut])
def token_list(request, response: HttpResponse):
    """The caller's own API tokens (never the tokens themselves)."""
    # What a user may see is theirs: never kept by a shared cache (the public GETs are).
    response["Cache-Control"] = "private, no-store"
    return list(selectors.tokens_of(request.auth).values(*TOKEN_FIELDS))


@router.post("/tokens", response={201: ApiTokenCreatedOut})
def token_new(request, payload: ApiTokenIn):
    """A new bearer token for the caller: the answer is the only time it is shown."""
    token, plain = services.token_create(user=request.auth, name=payload.name,
                                         expires_at=payload.expires_at, scope=payload.scope)
    return 201, {field: getattr(token, field) for field in TOKEN_FIELDS} | {"token": plain}


@router.post("/tokens/{token_id}/revoke", response=ApiTokenOut)
def token_revoke(request, token_id: int):
    token = services.token_revoke(user=request.auth, token_id=token_id)
    return {field: getattr(token, field) for field in TOKEN_FIELDS}
