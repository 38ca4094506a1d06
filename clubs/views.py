"""Thin views: permission → form → one service call → message → redirect."""
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from clubs import activities, forms, selectors, services
from clubs.models import (
    ACTIVITY_WORKFLOW,
    APPROVAL_TRANSITIONS,
    CLUB_WORKFLOW,
    FORUM_WORKFLOW,
    ActivityPhoto,
    ClubMember,
)
from crm.approvals import approvals_for
from crm.filters import ranked_records
from crm.history import history_context
from crm.scopes import visible_projects
from crm.views import (
    Action,
    form_page,
    objects_or_404,
    page_of,
    posted,
    refuse_unless,
    run_action,
    run_service,
)
from crm.workflow import allowed
from owners.selectors import customers_for


def _approval_context(obj, user, workflow):
    """What the plan's page offers ``user``: exactly the steps and forms the services accept."""
    available = workflow.available(obj, user)
    transitions = [t for t in available if t.name not in APPROVAL_TRANSITIONS]
    return {
        "versions": approvals_for(obj),
        "actions": {t.name for t in transitions},
        "can_decide": any(t.name in APPROVAL_TRANSITIONS for t in available),
        "transitions": transitions,
        "can_edit_plan": allowed(services.check_plan_edit, user, obj),
        "decision_form": forms.DecisionForm(),
    }


def _decide(request, target, decide):
    approve = request.POST.get("decision") == "approve"
    comment = request.POST.get("comment", "")
    return run_service(request, target, lambda: decide(approve, comment), _("已批准。") if approve else _("已驳回。"))


def _act_on(request, obj, action, *, detail, actions, decide, change, refusal, open_to_viewers=()):
    """A step on a forum, club or activity: its approval decided (the approval matrix says who,
    in the service), or one of ``actions`` for a user with the ``change`` permission (the
    actions of ``open_to_viewers`` check their own rights in their service)."""
    target = redirect(detail, pk=obj.pk).url
    if action == "decide":
        return _decide(request, target, lambda approve, comment: decide(request.user, obj, approve, comment))
    if action not in open_to_viewers and not request.user.has_perm(change):
        raise PermissionDenied(refusal)
    return run_action(request, target, actions, action, obj)


@permission_required("clubs.view_ownerforum", raise_exception=True)
def home(request):
    return render(request, "clubs/home.html", {
        "counts": selectors.club_counts(request.user),
        "forums": selectors.forums(request.user)[:8],
        "clubs": selectors.clubs(request.user),
        "activities": selectors.activities(request.user)[:8],
    })


# --- Forums ------------------------------------------------------------------------------------

@permission_required("clubs.view_ownerforum", raise_exception=True)
def forum_list(request):
    fs, qs = selectors.forum_list(request.user, request.GET)
    return render(request, "clubs/forum_list.html", {"filter": fs, "page_obj": page_of(request, ranked_records(fs, qs))})


PRINT_LIMIT = 500  # a printed register longer than this is an export, not a form


def _register_print(request, qs, *, title, export_code, records=None):
    return render(request, "clubs/register_print.html", {
        "title": title, "rows": qs[:PRINT_LIMIT], "total": qs.count(), "limit": PRINT_LIMIT,
        "export_code": export_code, "records": records, "now": timezone.now()})


@permission_required("clubs.view_ownerforum", raise_exception=True)
def forum_register_print(request):
    """客户座谈会记录 as one printable register, with the filters of the list."""
    _filter, qs = selectors.forum_list(request.user, request.GET)
    return _register_print(request, qs, title=_("客户座谈会记录"), export_code="clubs-forums")


@permission_required("clubs.add_ownerforum", raise_exception=True)
def forum_create(request):
    return form_page(
        request, forms.ForumPlanForm(request.POST or None, projects=visible_projects(request.user)),
        lambda d: services.forum_create(user=request.user, **d),
        success=lambda forum: ("clubs:forum_detail", forum.pk),
        done=lambda forum: _("座谈会方案 %(number)s 已保存，请选择参会业主后提交审批。") % {"number": forum.number},
        template="clubs/form.html", context={"title": _("新建客户座谈会方案")})


@permission_required("clubs.change_ownerforum", raise_exception=True)
def forum_edit(request, pk):
    forum = get_object_or_404(selectors.forums(request.user), pk=pk)
    refuse_unless(services.check_plan_edit, request.user, forum)
    initial = {n: getattr(forum, n) for n in services.PLAN_FIELDS}
    return form_page(
        request, forms.ForumPlanForm(request.POST or None, initial=initial, projects=visible_projects(request.user)),
        lambda d: services.forum_update_plan(user=request.user, forum=forum, **d),
        success=("clubs:forum_detail", pk), done=_("方案已修改，可再次提交审批。"),
        template="clubs/form.html", context={"title": _("修改座谈会方案 %(number)s") % {"number": forum.number}})


@permission_required("clubs.view_ownerforum", raise_exception=True)
def forum_detail(request, pk):
    forum = get_object_or_404(selectors.forums(request.user), pk=pk)
    customers = customers_for(request.user).filter(pk__in=forum.participants.values("customer_id"))
    user = request.user
    opinions = list(forum.opinions.select_related("customer", "complaint"))
    return render(request, "clubs/forum_detail.html", {
        "forum": forum, **_approval_context(forum, user, FORUM_WORKFLOW),
        "participants": forum.participants.select_related("customer"),
        "checklist": forum.checklist.select_related("done_by"),
        "opinions": opinions,
        "themes": selectors.forum_themes(forum),
        "can_checklist": allowed(services.check_checklist, user, forum),
        "can_add_opinion": allowed(services.check_opinion_add, user, forum),
        "can_follow_up": allowed(services.check_follow_up_done, user, forum),
        "to_case_ids": {o.pk for o in opinions if allowed(services.check_opinion_to_case, user, o)},
        "checklist_form": forms.ChecklistForm(auto_id="ck_%s"),
        "hold_form": forms.HoldForm(initial={"held_at": forum.planned_at}),
        "opinion_form": forms.OpinionForm(customers=customers, auto_id="op_%s"),
        "analysis_form": forms.AnalysisForm(), "result_form": forms.ResultUseForm(),
        "follow_up_form": forms.FollowUpDoneForm(auto_id="fu_%s"),
        **history_context(request, forum)})


@permission_required("clubs.view_ownerforum", raise_exception=True)
def forum_print(request, pk):
    forum = get_object_or_404(selectors.forums(request.user), pk=pk)
    return render(request, "clubs/forum_print.html", {
        "forum": forum, "participants": forum.participants.select_related("customer"),
        "opinions": forum.opinions.select_related("complaint"), "themes": selectors.forum_themes(forum)})


@permission_required("clubs.change_ownerforum", raise_exception=True)
def forum_participants(request, pk):
    """Choose the invited owners from the owners, by filters."""
    forum = get_object_or_404(selectors.forums(request.user), pk=pk)
    refuse_unless(services.check_plan_edit, request.user, forum)
    fs, qs = selectors.participant_candidates(request.user, request.GET)
    if request.method == "POST":
        chosen = objects_or_404(customers_for(request.user), request.POST.getlist("customer"))
        return run_service(request, redirect("clubs:forum_detail", pk=pk).url, lambda: services.forum_set_participants(
            user=request.user, forum=forum, customers=chosen, criteria=request.POST.get("criteria", "")),
            _("参会业主已更新。"))
    chosen_ids = set(forum.participants.values_list("customer_id", flat=True))
    return render(request, "clubs/forum_participants.html", {
        "forum": forum, "filter": fs, "candidates": qs[:200], "chosen_ids": chosen_ids,
        "criteria": selectors.participant_criteria(fs)})


def _invited(user, forum):
    return customers_for(user).filter(pk__in=forum.participants.values("customer_id"))


def _attended(request, forum) -> list[int]:
    """The owners ticked as present: among the invited; any other id is a guess (404)."""
    return [c.pk for c in objects_or_404(_invited(request.user, forum), request.POST.getlist("attended"))]


# action: Action(service call (forum, request, data), its form, message)
FORUM_ACTIONS = {
    "submit": Action(lambda f, r, d: services.forum_submit(user=r.user, forum=f), done=_("已提交审批。")),
    "checklist": Action(lambda f, r, d: services.checklist_add(user=r.user, forum=f, **d), posted(forms.ChecklistForm)),
    "prepare": Action(lambda f, r, d: services.forum_prepare(user=r.user, forum=f)),
    "hold": Action(lambda f, r, d: services.forum_hold(user=r.user, forum=f, attended_ids=_attended(r, f), **d),
                   posted(forms.HoldForm)),
    "opinion": Action(lambda f, r, d: services.opinion_add(user=r.user, forum=f, **d),
                      lambda r, f: forms.OpinionForm(r.POST, customers=_invited(r.user, f)), _("意见已登记。")),
    "analyse": Action(lambda f, r, d: services.forum_analyse(user=r.user, forum=f, **d), posted(forms.AnalysisForm)),
    "use_results": Action(lambda f, r, d: services.forum_use_results(user=r.user, forum=f, **d),
                          posted(forms.ResultUseForm)),
    "follow_up_done": Action(lambda f, r, d: services.forum_follow_up_done(user=r.user, forum=f, **d),
                             posted(forms.FollowUpDoneForm), _("跟进已完成。")),
}


@require_POST
@permission_required("clubs.view_ownerforum", raise_exception=True)
def forum_act(request, pk, action):
    return _act_on(request, get_object_or_404(selectors.forums(request.user), pk=pk), action,
                   detail="clubs:forum_detail", actions=FORUM_ACTIONS, change="clubs.change_ownerforum",
                   decide=lambda u, o, a, c: services.forum_decide(user=u, forum=o, approve=a, comment=c),
                   refusal=_("您不能办理座谈会。"))


@require_POST
@permission_required("clubs.change_ownerforum", raise_exception=True)
def checklist_toggle(request, pk, item_pk):
    forum = get_object_or_404(selectors.forums(request.user), pk=pk)
    item = get_object_or_404(forum.checklist, pk=item_pk)
    return run_service(request, redirect("clubs:forum_detail", pk=pk).url,
                lambda: services.checklist_toggle(user=request.user, item=item))


@require_POST
@permission_required("clubs.change_forumopinion", raise_exception=True)
def opinion_to_case(request, pk, opinion_pk):
    if not request.user.has_perm("complaints.add_complaint"):
        raise PermissionDenied(_("您不能登记投诉。"))
    forum = get_object_or_404(selectors.forums(request.user), pk=pk)
    opinion = get_object_or_404(forum.opinions, pk=opinion_pk)
    return run_service(request, redirect("clubs:forum_detail", pk=pk).url,
                       lambda: services.opinion_to_case(user=request.user, opinion=opinion),
                       lambda complaint: gettext("已转为投诉 {number}。").format(number=complaint.number))


# --- The club ----------------------------------------------------------------------------------

@permission_required("clubs.add_club", raise_exception=True)
def club_create(request):
    return form_page(
        request, forms.ClubPlanForm(request.POST or None, projects=visible_projects(request.user)),
        lambda d: services.club_create(user=request.user, **d),
        success=lambda club: ("clubs:club_detail", club.pk), done=_("客户会成立方案已保存，请提交审批。"),
        template="clubs/form.html", context={"title": _("客户会成立方案")})


@permission_required("clubs.change_club", raise_exception=True)
def club_edit(request, pk):
    club = get_object_or_404(selectors.clubs(request.user), pk=pk)
    refuse_unless(services.check_plan_edit, request.user, club)
    form = forms.ClubPlanForm(request.POST or None, projects=visible_projects(request.user), initial={
        "name": club.name, "project": club.project, "founding_plan": club.founding_plan, "rules": club.rules})
    return form_page(
        request, form, lambda d: services.club_update_plan(user=request.user, club=club, **d),
        success=("clubs:club_detail", pk), done=_("方案已修改，可再次提交审批。"),
        template="clubs/form.html", context={"title": _("修改客户会方案：%(name)s") % {"name": club.name}})


@permission_required("clubs.view_club", raise_exception=True)
def club_detail(request, pk):
    club = get_object_or_404(selectors.clubs(request.user), pk=pk)
    fs, qs = selectors.members(request.user, club, request.GET)
    member_qs = ClubMember.objects.filter(club=club, status=ClubMember.Status.ACTIVE).select_related("customer")
    applications = list(selectors.pending_applications(request.user, club))
    # 办理入会 beside an application opens the enrolment form with its owner chosen; any other
    # value of ``applicant`` (not a pending applicant of this club in the user's scope) is ignored.
    applicant = next((a.customer_id for a in applications if str(a.customer_id) == request.GET.get("applicant")),
                     None)
    return render(request, "clubs/club_detail.html", {
        "club": club, **_approval_context(club, request.user, CLUB_WORKFLOW),
        "filter": fs, "page_obj": page_of(request, qs.order_by("number")),
        "activities": club.activities.all()[:20],
        "found_form": forms.FoundForm(initial={"founded_on": timezone.localdate(), "rules": club.rules}),
        "enroll_form": forms.EnrollForm(initial={"joined_on": timezone.localdate(), "customer": applicant},
                                        customers=customers_for(request.user).exclude(
                                            pk__in=club.members.values("customer_id")).order_by("name"),
                                        members=member_qs),
        "can_enroll": allowed(services.check_enroll, request.user, club),
        "applications": applications, "applicant": applicant,
        "can_add_activity": allowed(activities.check_activity_create, request.user, club),
        **history_context(request, club)})


CLUB_ACTIONS = {
    "enroll": Action(lambda c, r, d: services.member_enroll(user=r.user, club=c, **d),
                     lambda r, c: forms.EnrollForm(r.POST, customers=customers_for(r.user),
                                                   members=ClubMember.objects.filter(club=c)),
                     _("会员已入会，入会积分已计入。")),
    "submit": Action(lambda c, r, d: services.club_submit(user=r.user, club=c), done=_("已提交审批。")),
    "found": Action(lambda c, r, d: services.club_found(user=r.user, club=c, **d), posted(forms.FoundForm),
                    _("客户会已成立。")),
}


@require_POST
@permission_required("clubs.view_club", raise_exception=True)
def club_act(request, pk, action):
    return _act_on(request, get_object_or_404(selectors.clubs(request.user), pk=pk), action,
                   detail="clubs:club_detail", actions=CLUB_ACTIONS, change="clubs.change_club",
                   decide=lambda u, o, a, c: services.club_decide(user=u, club=o, approve=a, comment=c),
                   refusal=_("您不能办理客户会事务。"), open_to_viewers={"enroll"})  # the members' service checks


@permission_required("clubs.view_clubmember", raise_exception=True)
def member_detail(request, pk):
    try:
        member = selectors.member_for(request.user, pk)
    except ClubMember.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "clubs/member_detail.html", {
        "member": member, "balance": services.points_balance(member),
        "page_obj": page_of(request, selectors.ledger(member)),
        "earn_form": forms.EarnForm(auto_id="earn_%s"), "redeem_form": forms.RedeemForm(auto_id="redeem_%s"),
        "member_form": forms.MemberForm(initial={"level": member.level, "status": member.status}),
        "can_points": allowed(services.check_points, request.user, member),
        "can_update": allowed(services.check_member_update, request.user, member),
        **history_context(request, member)})


MEMBER_ACTIONS = {
    "earn": Action(lambda m, r, d: services.points_earn(user=r.user, member=m, **d), posted(forms.EarnForm),
                   _("积分已计入。")),
    "redeem": Action(lambda m, r, d: services.points_redeem(user=r.user, member=m, **d), posted(forms.RedeemForm),
                     _("积分已兑换。")),
    "update": Action(lambda m, r, d: services.member_update(user=r.user, member=m, **d), posted(forms.MemberForm)),
}


@require_POST
@permission_required("clubs.add_pointsentry", raise_exception=True)
def member_act(request, pk, action):
    try:
        member = selectors.member_for(request.user, pk)
    except ClubMember.DoesNotExist as exc:
        raise Http404 from exc
    return run_action(request, redirect("clubs:member_detail", pk=pk).url, MEMBER_ACTIONS, action, member)


# --- Activities --------------------------------------------------------------------------------

@permission_required("clubs.view_clubactivity", raise_exception=True)
def activity_list(request, records=False):
    fs, qs = selectors.activity_list(request.user, request.GET, done_only=records)
    return render(request, "clubs/activity_list.html", {
        "filter": fs, "page_obj": page_of(request, qs), "records": records,
        "export_code": "clubs-activity-records" if records else "clubs-activity-plans"})


@permission_required("clubs.view_clubactivity", raise_exception=True)
def activity_register_print(request, records=False):
    """客户会活动计划 / 客户会活动记录 as one printable register, with the filters of the list."""
    _filter, qs = selectors.activity_list(request.user, request.GET, done_only=records)
    if records:
        return _register_print(request, qs.select_related("evaluated_by"), title=_("客户会活动记录"),
                               export_code="clubs-activity-records", records=True)
    return _register_print(request, qs, title=_("客户会活动计划"), export_code="clubs-activity-plans", records=False)


@permission_required("clubs.add_clubactivity", raise_exception=True)
def activity_create(request, club_pk):
    club = get_object_or_404(selectors.clubs(request.user), pk=club_pk)
    refuse_unless(activities.check_activity_create, request.user, club)
    return form_page(
        request, forms.ActivityPlanForm(request.POST or None),
        lambda d: activities.activity_create(user=request.user, club=club, **d),
        success=lambda activity: ("clubs:activity_detail", activity.pk),
        done=lambda activity: _("活动方案 %(number)s 已保存，请提交审批。") % {"number": activity.number},
        template="clubs/form.html", context={"title": _("%(club)s：新建活动计划") % {"club": club.name}})


@permission_required("clubs.change_clubactivity", raise_exception=True)
def activity_edit(request, pk):
    activity = get_object_or_404(selectors.activities(request.user), pk=pk)
    refuse_unless(services.check_plan_edit, request.user, activity)
    form = forms.ActivityPlanForm(request.POST or None,
                                  initial={n: getattr(activity, n) for n in activities.ACTIVITY_PLAN_FIELDS})
    return form_page(
        request, form, lambda d: activities.activity_update_plan(user=request.user, activity=activity, **d),
        success=("clubs:activity_detail", pk), done=_("活动方案已修改，可再次提交审批。"),
        template="clubs/form.html", context={"title": _("修改活动方案 %(number)s") % {"number": activity.number}})


def _members_of(activity):
    return ClubMember.objects.filter(club=activity.club, status=ClubMember.Status.ACTIVE).select_related("customer")


@permission_required("clubs.view_clubactivity", raise_exception=True)
def activity_detail(request, pk):
    activity = get_object_or_404(selectors.activities(request.user), pk=pk)
    improvements = list(activity.improvements.all())
    return render(request, "clubs/activity_detail.html", {
        "activity": activity, **_approval_context(activity, request.user, ACTIVITY_WORKFLOW),
        "attendee_list": activity.attendees.select_related("customer"),
        "photos": activity.photos.all(), "improvements": improvements,
        "can_add_improvement": allowed(activities.check_improvement_add, request.user, activity),
        "done_ids": {i.pk for i in improvements if allowed(activities.check_improvement_done, request.user, i)},
        "carry_form": forms.CarryOutForm(initial={"held_on": activity.period_start, "spend": activity.budget},
                                         members=_members_of(activity)),
        "evaluation_form": forms.EvaluationForm(), "improvement_form": forms.ImprovementForm(),
        **history_context(request, activity)})


@permission_required("clubs.view_clubactivity", raise_exception=True)
def activity_print(request, pk):
    activity = get_object_or_404(selectors.activities(request.user), pk=pk)
    return render(request, "clubs/activity_print.html", {
        "activity": activity, "versions": approvals_for(activity),
        "attendee_list": activity.attendees.select_related("customer"), "improvements": activity.improvements.all()})


ACTIVITY_ACTIONS = {
    "submit": Action(lambda a, r, d: activities.activity_submit(user=r.user, activity=a), done=_("已提交审批。")),
    "carry_out": Action(lambda a, r, d: activities.activity_carry_out(
        user=r.user, activity=a, held_on=d["held_on"], record=d["record"], spend=d["spend"],
        attendees=d["attendees"], attendance=d["attendance"], photos=d["photos"]),
        lambda r, a: forms.CarryOutForm(r.POST, r.FILES, members=_members_of(a))),
    "evaluate": Action(lambda a, r, d: activities.activity_evaluate(user=r.user, activity=a, **d),
                       posted(forms.EvaluationForm), _("评估已保存。")),
    "improvement": Action(lambda a, r, d: activities.improvement_add(user=r.user, activity=a, **d),
                          posted(forms.ImprovementForm), _("改进措施已登记。")),
}


@require_POST
@permission_required("clubs.view_clubactivity", raise_exception=True)
def activity_act(request, pk, action):
    return _act_on(request, get_object_or_404(selectors.activities(request.user), pk=pk), action,
                   detail="clubs:activity_detail", actions=ACTIVITY_ACTIONS, change="clubs.change_clubactivity",
                   decide=lambda u, o, a, c: activities.activity_decide(user=u, activity=o, approve=a, comment=c),
                   refusal=_("您不能办理客户会活动。"))


@require_POST
@permission_required("clubs.change_improvementaction", raise_exception=True)
def improvement_done(request, pk, item_pk):
    activity = get_object_or_404(selectors.activities(request.user), pk=pk)
    item = get_object_or_404(activity.improvements, pk=item_pk)
    return run_service(request, redirect("clubs:activity_detail", pk=pk).url,
                lambda: activities.improvement_done(user=request.user, action=item))


@permission_required("clubs.view_clubactivity", raise_exception=True)
def activity_photo(request, pk, photo_pk):
    activity = get_object_or_404(selectors.activities(request.user), pk=pk)
    photo = get_object_or_404(ActivityPhoto, pk=photo_pk, activity=activity)
    return FileResponse(photo.image.open("rb"))
