"""The sign-in backend: Django's ModelBackend, with the user's roles read in the same
statement as the user.

Every signed-in request reads its user, and nearly every one then asks for its roles
(accounts.roles.roles_of): two statements and two ORM compilations, about a millisecond
of a request that may take ten. Here it is one prepared statement.

Django's ModelBackend stays listed after this one (config.settings), so that sessions
signed in before it keep working; this backend refuses a wrong password with
PermissionDenied, which ends the search, so that a failed sign-in is not hashed twice.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import connections, router

from config import prepared


def _statement() -> prepared.Statement:
    user = get_user_model()
    columns = ", ".join(f'u."{f.column}"' for f in user._meta.concrete_fields)
    through = user.groups.through._meta
    group = user.groups.field.related_model._meta
    return prepared.Statement("accounts_user_with_roles", f"""
SELECT {columns}, ARRAY(
    SELECT g.name FROM {through.db_table} ug JOIN {group.db_table} g ON g.id = ug.group_id
    WHERE ug.user_id = u.id)
FROM {user._meta.db_table} u WHERE u.id = %(id)s""", (("id", "bigint"),))


class RolesBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied  # not ModelBackend's turn: the same check, hashed again
        return user

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        alias = router.db_for_read(model)
        connection = connections[alias]
        with connection.cursor() as cur:
            prepared.execute(connection, cur, STATEMENT, {"id": user_id})
            row = cur.fetchone()
        if row is None:
            return None
        names = [f.attname for f in model._meta.concrete_fields]
        user = model.from_db(alias, names, row[:-1])
        user.role_names = frozenset(row[-1])  # read by accounts.roles.roles_of
        return user if self.user_can_authenticate(user) else None


STATEMENT = _statement()
