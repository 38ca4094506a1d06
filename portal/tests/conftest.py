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


def token_of(page: str, form_action: str = "") -> str:
    """The one-time token of the page's form (the one posting to ``form_action`` when given)."""
    import re

    if form_action:
        page = page[page.index(f'action="{form_action}"'):]
    found = re.search(r'name="token" value="([^"]+)"', page)
    return found.group(1) if found else ""


def post_form(client, page_url: str, action_url: str, data=None, **kwargs):
    """Post what the owner's browser posts: the form of ``page_url`` whose action is ``action_url``,
    with that page's one-time token; a page without that form (another owner's case, a button the
    page does not offer) gives none, and a made-up token stands in (a forged post)."""
    from portal.forms import new_token

    response = client.get(page_url)
    page = response.content.decode() if response.status_code == 200 else ""
    if action_url:
        token = token_of(page, action_url) if f'action="{action_url}"' in page else ""
    else:  # the page's one form posts to the page itself
        token = token_of(page)
    return client.post(action_url or page_url, {"token": token or new_token(), **(data or {})}, **kwargs)


def act(client, case, action: str, data=None, **kwargs):
    """The owner's ``action`` (plan, visit, comment, chase) posted from the case page."""
    pk = getattr(case, "pk", case)
    return post_form(client, f"/m/cases/{pk}/", f"/m/cases/{pk}/{action}/", data, **kwargs)
