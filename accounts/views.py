"""Sign-in pages and each user's profile with their API tokens (Django auth; passwords are
reset by an administrator with ``manage.py changepassword <username>``)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import TokenScope
from .roles import Role, roles_of

# The roles and scopes in the page's language (the models' labels are Chinese only).
# The choices' labels, said in the page's language
ROLE_LABELS = dict(Role.choices)
SCOPE_LABELS = dict(TokenScope.choices)


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
