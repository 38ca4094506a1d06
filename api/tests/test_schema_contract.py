"""schemathesis against the published schema, through the WSGI app: no 5xx, and every response
the schema documents matches it. Few examples per operation, so that it stays fast."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from api import services


def _load():
    from crm.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _load()  # the schema view reads no table: loaded once, at collection


@pytest.fixture(autouse=True)
def _the_test_keeps_its_connection():
    """schemathesis calls the WSGI application itself, so every request ends with Django's
    ``close_old_connections``, which on PostgreSQL closed the test's connection in the middle of
    its transaction ("the connection is closed" on the next call). Django's test client
    disconnects it for its requests; so does this test."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, two_projects):
    from api.tests.conftest import ALL_SCOPES

    _client, value = services.client_create(name="契约测试", source="sales1", scopes=ALL_SCOPES,
                                            projects=[two_projects["lake"]["project"]], rate_limit=100_000)
    return value


@schema.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
@pytest.mark.django_db
def test_the_api_answers_as_its_schema_says(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                           checks=[not_a_server_error, response_schema_conformance, content_type_conformance])
