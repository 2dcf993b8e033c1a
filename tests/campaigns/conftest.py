import pytest
from django.contrib.auth.models import Group, User


@pytest.fixture
def clerk(db):
    user = User.objects.create(username="campaign-clerk")
    user.groups.add(Group.objects.get(name="clerk"))
    return user


@pytest.fixture
def applicant(db):
    user = User.objects.create(username="campaign-applicant")
    user.groups.add(Group.objects.get(name="applicant"))
    return user
