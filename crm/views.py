import logging
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from crm import calendar_years, notifications
from crm.approvals import decidable_by
from crm.dashboard import cards_for
from crm.exports import REGISTERS, export_start, get_register
from crm.models import ExportJob, Notification
from crm.middleware import PORTAL_PREFIX
from crm.roles import PORTAL_ROLES
from crm.scopes import user_role

security = logging.getLogger("crm.security")


def home(request):
    # Not a cached card: the banner goes the moment the year is confirmed.
    warned = user_role(request.user) in calendar_years.WARNED_ROLES
    unconfirmed = calendar_years.years_awaiting_notice() if warned else []
    return render(request, "crm/home.html", {"cards": cards_for(request.user), "unconfirmed_years": unconfirmed,
                                             "today_year": calendar_years.local_today().year})


def notification_list(request):
    qs = Notification.objects.filter(recipient=request.user)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "crm/notifications.html", {"page_obj": page})


@require_POST
def notification_read(request, pk=None):
    # Another user's notification is a 404, like every id outside one's scope.
    note = get_object_or_404(Notification, pk=pk, recipient=request.user) if pk else None
    notifications.mark_read(user=request.user, notification_id=pk)
    if note and note.url and url_is_local(note.url):
        return redirect(note.url)
    return redirect("crm:notification_list")


def objects_or_404(queryset, raw_ids) -> list:
    """The records of ``queryset`` named by ids posted in a form (a list of strings).

    An id that is not a number, or names a record outside the queryset (another project, user
    or forum: out of the user's scope), is a 404 like a guessed id in the URL, never silently
    dropped nor a 500."""
    ids = set()
    for raw in raw_ids:
        raw = str(raw).strip()
        if not raw.isdigit():
            raise Http404
        ids.add(int(raw))
    found = list(queryset.filter(pk__in=ids)) if ids else []
    if len(found) != len(ids):
        raise Http404
    return found


def url_is_local(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


def approval_queue(request):
    # What they may decide: their role, not their own submissions, records they may open.
    qs = (decidable_by(request.user).select_related("submitted_by", "content_type").prefetch_related("target")
          .order_by("submitted_at"))  # each row links its record: one query per kind, not per row
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "crm/approval_queue.html", {"page_obj": page})


def export_register(request, code):
    """Export a register with the filters of the list page (its query string). Filters it cannot
    apply are refused with the reasons (400) and a way back to the list to correct them."""
    reg = get_register(code, request.user)
    params = {k: v for k, v in request.GET.items() if k != "page"}
    try:
        result = export_start(user=request.user, code=code, params=params)
    except ValidationError as exc:
        return render(request, "crm/export_refused.html", {
            "title": reg.title, "reasons": exc.messages, "back": _same_site_referer(request)}, status=400)
    if isinstance(result, ExportJob):
        messages.info(request, gettext("“{title}”数据较多，已在后台生成，完成后可在此下载。").format(title=reg.title))
        return redirect("crm:export_detail", pk=result.pk)
    return FileResponse(result, as_attachment=True, filename=reg.filename())


def same_site_url(request, url: str) -> str:
    """``url`` when it leads back to this site (a page to return to: a Referer, a form's
    ``next``), else "": never a way to send the user elsewhere (``//evil``, ``/\\evil``)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure())
    return url if url and safe else ""


def _same_site_referer(request) -> str:
    """The page the user came from (the register's list, with its filters) when it is on this site."""
    return same_site_url(request, request.headers.get("Referer", ""))


def export_list(request):
    qs = ExportJob.objects.filter(user=request.user)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    titles = {code: reg.title for code, reg in REGISTERS.items()}
    return render(request, "crm/export_list.html", {"page_obj": page, "titles": titles})


def export_detail(request, pk):
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"status": job.status, "percent": job.percent, "done": job.done, "total": job.total,
                             "download": reverse("crm:export_download", args=[job.pk]) if job.status == "done" else ""})
    title = REGISTERS[job.register].title if job.register in REGISTERS else job.register
    return render(request, "crm/export_detail.html", {"job": job, "title": title})


def export_download(request, pk):
    from pathlib import Path

    from django.conf import settings

    job = get_object_or_404(ExportJob, pk=pk, user=request.user, status=ExportJob.Status.DONE)
    path = Path(settings.EXPORT_ROOT) / job.file_name
    if not path.exists():
        raise Http404(_("文件已过期，请重新导出。"))
    reg = REGISTERS.get(job.register)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=reg.filename() if reg else path.name)


@login_not_required
def health(request):
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request, exception=None):
    """A friendly 403 that says why, and a line in the security log."""
    user = getattr(request, "user", None)
    security.warning("permission denied user=%s path=%s reason=%s",
                     getattr(user, "username", "-"), request.path, exception)
    reason = str(exception) if exception and str(exception) else ""
    # An owner, or anyone on a portal page, gets the portal's light page with its own way back.
    portal = request.path.startswith(PORTAL_PREFIX) or user_role(user) in PORTAL_ROLES
    return render(request, "portal/403.html" if portal else "403.html", {"reason": reason}, status=403)


def show_error(request, exc: ValidationError | PermissionDenied) -> None:
    """Put a refused action's reason on the page as a message."""
    text = "；".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or gettext("没有权限执行该操作。"))
    messages.error(request, text)


SAVED = _("已保存。")  # what a write says when its page names nothing better


def page_of(request, items, per_page: int = 25):
    """The page of ``items`` (a queryset or list) that ``?page=`` asks for; a wrong number is the
    nearest page. Every list of every app pages this way (includes/pagination.html)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def show_form_errors(request, form) -> None:
    """A posted form's errors as the page's messages (for forms posted from another page)."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def run_service(request, target, call: Callable, done: str | Callable = SAVED):
    """Run one service call and go back to ``target`` (a URL or a URL name with its args as a
    tuple): a refusal becomes the page's error message and changes nothing; on success the
    message is ``done``, or ``done(result)`` when it is a function of what the call returned."""
    try:
        result = call()
    except (ValidationError, PermissionDenied) as exc:
        show_error(request, exc)
    else:
        messages.success(request, done(result) if callable(done) else done)
    return _redirect(target)


def run_form(request, target, form, call: Callable, done: str | Callable = SAVED):
    """``run_service`` for a posted form: an invalid form shows its errors and calls nothing;
    a valid one calls ``call(form.cleaned_data)``."""
    if not form.is_valid():
        show_form_errors(request, form)
        return _redirect(target)
    return run_service(request, target, lambda: call(form.cleaned_data), done)


def form_page(request, form, call: Callable, *, success, template: str, context: dict | None = None,
              done: str | Callable = SAVED):
    """A page of one form: GET shows it; a valid POST calls ``call(form.cleaned_data)``. The
    service's refusal becomes the form's error (nothing saved, what the user typed kept); on
    success the message is ``done`` (or ``done(result)``) and the page goes to ``success`` (a
    URL, a URL name with its args as a tuple, or ``success(result)``)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = call(form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, done(result) if callable(done) else done)
            return _redirect(success(result) if callable(success) else success)
    return render(request, template, {"form": form, **(context or {})})


class Action:
    """One action posted from a record's page, as a row of the page's table of actions:
    ``call(record, request, data)`` makes the one service call (``data``: the form's cleaned
    data, ``{}`` for a button without a form), ``form(request, record)`` binds the form it posts
    (``posted(FormClass)`` for the usual case), ``done`` is the message on success."""

    def __init__(self, call: Callable, form: Callable | None = None, done=None):
        self.call, self.form, self.done = call, form, done

    def run(self, request, target, record):
        done = {} if self.done is None else {"done": self.done}  # else run_service's own message
        if self.form is None:
            return run_service(request, target, lambda: self.call(record, request, {}), **done)
        return run_form(request, target, self.form(request, record), lambda d: self.call(record, request, d), **done)


def posted(form_class, **kwargs) -> Callable:
    """``Action.form`` for a form bound to the posted data alone (plus fixed ``kwargs``)."""
    return lambda request, record: form_class(request.POST, **kwargs)


def run_action(request, target, actions: dict[str, Action], name: str, record):
    """The action ``name`` of the page's table (an unknown name: 404), run on ``record`` and
    back to ``target`` with its message or the service's refusal."""
    action = actions.get(name)
    if action is None:
        raise Http404
    return action.run(request, target, record)


def _redirect(target):
    return redirect(*target) if isinstance(target, tuple) else redirect(target)


def refuse_unless(check, *args, **kwargs) -> None:
    """A form page opens only for a user who may take its action now: ``check`` is the service's
    own check; its refusal becomes a 403 that says why (never a form that the service refuses)."""
    try:
        check(*args, **kwargs)
    except ValidationError as exc:
        raise PermissionDenied("；".join(exc.messages)) from exc


@login_not_required
def language_switch(request):
    """Django's set_language (the cookie, the redirect back), and for a signed-in user the choice
    kept on their profile and in their session (crm/languages.py)."""
    from django.views.i18n import set_language

    from crm import languages

    response = set_language(request)
    language = request.POST.get("language") if request.method == "POST" else None
    if languages.valid(language) and request.user.is_authenticated:
        languages.language_remember(user=request.user, language=language)
        request.session[languages.SESSION_KEY] = language
    return response
