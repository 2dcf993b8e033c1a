"""Sign-in pages and each user's profile with their API tokens (Django auth; passwords are
reset by an administrator with ``manage.py changepassword <username>``)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import TokenScope
from .roles import Role, roles_of

# The roles and scopes in the page's language (the models' labels are Chinese only).
ROLE_LABELS = {
    Role.APPLICANT: pgettext_lazy("role", "applicant"),
    Role.CLERK: pgettext_lazy("role", "place-name office clerk"),
    Role.EXPERT: pgettext_lazy("role", "expert"),
    Role.MEMBER: pgettext_lazy("role", "naming committee member"),
    Role.CHAIR: pgettext_lazy("role", "committee chair"),
    Role.ADMIN: pgettext_lazy("role", "administrator"),
    Role.PLANNER: pgettext_lazy("role", "division change planner"),
    Role.APPROVER: pgettext_lazy("role", "division change approver"),
    Role.ARCHIVIST: pgettext_lazy("role", "archivist"),
}
SCOPE_LABELS = {
    TokenScope.READ: pgettext_lazy("token scope", "read only (GET, HEAD, OPTIONS)"),
    TokenScope.READ_WRITE: pgettext_lazy("token scope", "read and write"),
}


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(label=_("Scope"), choices=list(SCOPE_LABELS.items()),
                              initial=TokenScope.READ)


@login_required
def profile(request):
    form = TokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        _token, made = services.token_create(user=request.user, name=form.cleaned_data["name"],
                                             scope=form.cleaned_data["scope"])
    return render(request, "accounts/profile.html", {
        "form": form, "made": made,
        "tokens": [(t, SCOPE_LABELS.get(t.scope, t.scope))
                   for t in selectors.tokens_of(request.user)],
        # a group that is no role (an inspection team: 钟山区联检组) by its own name
        "roles": sorted(str(ROLE_LABELS.get(r, r)) for r in roles_of(request.user)),
    })


@login_required
@require_POST
def token_revoke(request, token_id: int):
    services.token_revoke(user=request.user, token_id=token_id)
    return redirect("profile")
