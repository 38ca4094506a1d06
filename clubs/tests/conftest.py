import pytest


@pytest.fixture
def staff(make_user):
    return make_user("cs_staff", username="staff")


@pytest.fixture
def manager(make_user):
    return make_user("manager", username="boss")
