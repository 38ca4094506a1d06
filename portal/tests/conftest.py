"""Portal test data: a project with two owners (each their own unit) and staff users."""
import pytest

from crm.sms import ConsoleBackend


@pytest.fixture
def place(db, roles):
    from crm.tests.factories import OwnerFactory, ProjectFactory, UnitFactory

    project = ProjectFactory(code="lake", name="湖畔花园")
    units = [UnitFactory(project=project, number=f"{i}01", area=100, delivery_date=None) for i in (1, 2)]
    owners = [OwnerFactory(code=f"C{i:04d}", name=f"业主{i}", phone=f"1380000{i:04d}", project=project, unit=unit)
              for i, unit in enumerate(units, start=1)]
    return {"project": project, "units": units, "owners": owners}


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.SMS_BACKEND = "console"
    settings.PORTAL_SHOW_CODE = False
    ConsoleBackend.sent.clear()
    yield ConsoleBackend.sent
    ConsoleBackend.sent.clear()


def sent_code(phone: str) -> str:
    """The last login code the console backend sent to ``phone`` (after the delivery sweep)."""
    from crm.notifications import deliver_pending

    deliver_pending()
    codes = [params["code"] for to, template, params in ConsoleBackend.sent if to == phone and template == "login_code"]
    assert codes, f"no code sent to {phone}"
    return codes[-1]


@pytest.fixture
def owner_login(client, place):
    """owner_login(i) → signs in the i-th owner through the two login pages; returns the client."""
    def login(i=0, c=None):
        c = c or client
        phone = place["owners"][i].phone
        c.post("/m/login/", {"phone": phone})
        response = c.post("/m/login/code/", {"phone": phone, "code": sent_code(phone)})
        assert response.status_code == 302 and response["Location"] in ("/m/", "/m/privacy/"), response
        if response["Location"] == "/m/privacy/":  # the first visit: the privacy notice
            c.post("/m/privacy/")
        return c

    return login


def refusals(response) -> list[str]:
    """The refusals a portal page shows (form errors and error messages); each must be Chinese."""
    import re

    html = response.content.decode()
    found = re.findall(r'<p class="(?:error|msg msg-error)"[^>]*>(.*?)</p>', html, flags=re.DOTALL)
    assert found, "no refusal shown"
    for text in found:
        assert re.search(r"[\u4e00-\u9fff]", text), f"refusal not in Chinese: {text!r}"
    return found
