"""/lti: the tool's public keys, the OIDC login initiation and the launch an LMS sends (a
resource link, or deep linking to pick a lab), and the instructor's pages: LMSs, the lab of
a new link, the grades sent to LMSs."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session

from labs.catalog import load_checks
from webapp.auth.decorators import role_required
from webapp.auth.views import log_in
from webapp.classes.teaching import taught_cohorts, teaches
from webapp.db import get_session
from webapp.grading.service import loadable_labs
from webapp.lti import arrival, deep_linking, keys, nrps, passback
from webapp.lti.forms import PlatformForm
from webapp.lti.launch import (
    STATE_COOKIE_PREFIX,
    STATE_TTL,
    LaunchError,
    begin_login,
    validate_launch,
)
from webapp.lti.platforms import (
    RegistrationError,
    add_platform,
    all_contexts,
    all_platforms,
    launched_from,
)
from webapp.models import INSTRUCTOR, Cohort, LtiContext, LtiPlatform, LtiResourceLink
from webapp.security import CONTENT_SECURITY_POLICY, csrf

bp = Blueprint("lti", __name__, url_prefix="/lti")
DEEP_LINK_KEY = "lti_deep_link"


def refused(error: LaunchError):  # type: ignore[no-untyped-def]
    return render_template("lti/refused.html", reason=str(error)), 400


@bp.get("/jwks")
def jwks():  # type: ignore[no-untyped-def]
    return jsonify(keys.jwks(get_session()))


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt  # the LMS starts it from its own site; the state and nonce protect the launch
def login():  # type: ignore[no-untyped-def]
    params = {key: value for key, value in request.values.items() if isinstance(value, str)}
    try:
        target = begin_login(get_session(), params, url_for("lti.launch", _external=True),
                             request.host)
    except LaunchError as error:
        return refused(error)
    response = redirect(target.url)
    secure = request.is_secure
    response.set_cookie(STATE_COOKIE_PREFIX + target.state, target.state,
                        max_age=int(STATE_TTL.total_seconds()), httponly=True, secure=secure,
                        samesite="None" if secure else "Lax", path=url_for("lti.launch"))
    return response


@bp.post("/launch")
@csrf.exempt  # posted by the LMS's auth page; the signed id_token, state and nonce guard it
def launch():  # type: ignore[no-untyped-def]
    session = get_session()
    form = {key: value for key, value in request.form.items() if isinstance(value, str)}
    try:
        verified = validate_launch(session, form, dict(request.cookies))
    except LaunchError as error:
        return refused(error)
    user = arrival.user_for(session, verified)
    if verified.deep_linking:
        if not user.is_instructor:
            return refused(LaunchError("Only instructors add archlab labs to a course."))
        log_in(user)
        flask_session[DEEP_LINK_KEY] = deep_linking.Request.of(verified).to_session()
        response = redirect(url_for("lti.deep_link"))
    else:
        link = arrival.resource_link_for(session, verified)
        arrival.link_learner(session, user, link, verified.sub)
        arrival.context_for(session, verified, user)
        log_in(user)
        response = redirect(_destination(link, user.is_instructor))
    response.delete_cookie(STATE_COOKIE_PREFIX + form["state"], path=url_for("lti.launch"))
    return response


def _destination(link: LtiResourceLink, instructor: bool) -> str:
    """The lab the link opens; an instructor chooses it when the link names none (or a lab
    this site does not have); a learner is told to wait for that."""
    if link.lab_id in {lab.id for lab in loadable_labs()}:
        return url_for("labs.lab", lab_id=link.lab_id)
    if instructor:
        return url_for("lti.choose_lab", link_id=link.id)
    return url_for("lti.not_ready", link_id=link.id)


@bp.get("/links/<int:link_id>/not-ready")
def not_ready(link_id: int):  # type: ignore[no-untyped-def]
    link = get_session().get(LtiResourceLink, link_id) or abort(404)
    return refused(LaunchError(f"The link {link.title or link.resource_link_id!r} opens no "
                               "lab yet: your instructor chooses it on their first launch."))


@bp.route("/platforms", methods=["GET", "POST"])
@role_required(INSTRUCTOR)
def platforms():  # type: ignore[no-untyped-def]
    """The URLs to give an LMS and the LMS courses with their classes; for an admin also the
    registered LMSs and a form to register one more. Registering an LMS is the site's trust
    decision (its launches make accounts, instructors among them), as adding a tool is the
    LMS administrator's and not a teacher's in Moodle or Canvas; an instructor sees the
    courses of the classes they teach and the unmapped courses they launched from."""
    session = get_session()
    form = PlatformForm()
    if request.method == "POST" and not g.user.is_admin:
        abort(403, description="Only an admin registers an LMS (or the operator, with "
                               "`archlab lti add-platform`).")
    if form.validate_on_submit():
        try:
            platform = add_platform(session, form.registration())
        except RegistrationError as error:
            form.form_errors.append(str(error))
        else:
            flash(f"{platform.name} is registered: launches from it are accepted now.")
            return redirect(url_for("lti.platforms"))
    cohorts = taught_cohorts(session, g.user)
    return render_template(
        "lti/platforms.html", form=form, tool_urls=tool_urls(), cohorts=cohorts,
        platforms=all_platforms(session) if g.user.is_admin else None,
        contexts=all_contexts(session, g.user))


@bp.post("/contexts/<int:context_id>/class")
@role_required(INSTRUCTOR)
def map_context(context_id: int):  # type: ignore[no-untyped-def]
    """Map an LMS course to an archlab class (or to none): its learners join the class at
    their next launch (or roster sync), and the class's deadlines decide the grades sent
    back. A course mapped to no class is mapped by an instructor who launched from it (or an
    admin), so no instructor takes over another's course and its learners."""
    session = get_session()
    context = session.get(LtiContext, context_id) or abort(404)
    chosen = request.form.get("cohort_id", "")
    cohort = session.get(Cohort, int(chosen)) if chosen.isdigit() else None
    if chosen and cohort is None:
        abort(400, description=f"There is no class {chosen!r}.")
    if cohort is not None and not teaches(session, g.user, cohort):
        abort(403, description=f"You do not teach {cohort.name}.")
    if context.cohort is not None and not teaches(session, g.user, context.cohort):
        abort(403, description=f"{context.title or context.context_id} maps to "
                               f"{context.cohort.name}, which you do not teach.")
    if context.cohort is None and not (g.user.is_admin
                                       or launched_from(session, g.user.id, context)):
        abort(403, description=f"You have not launched archlab from "
                               f"{context.title or context.context_id}: its own instructors "
                               "(or an admin) map it to a class.")
    context.cohort_id = cohort.id if cohort else None
    session.commit()
    flash(f"{context.title or context.context_id} maps to "
          f"{cohort.name if cohort else 'no class'} now.")
    return redirect(url_for("lti.platforms"))


@bp.post("/contexts/<int:context_id>/roster")
@role_required(INSTRUCTOR)
def sync_context_roster(context_id: int):  # type: ignore[no-untyped-def]
    """Bring the class's roster in step with the LMS course's (NRPS) now: its active learners
    enrolled, this LMS's learners no longer active in the course taken out."""
    session = get_session()
    context = session.get(LtiContext, context_id) or abort(404)
    if context.cohort is not None and not teaches(session, g.user, context.cohort):
        abort(403, description=f"You do not teach {context.cohort.name}.")
    try:
        report = nrps.sync_roster(session, context)
    except nrps.RosterSyncError as exc:
        session.rollback()
        abort(502 if context.cohort and context.memberships_url else 409,
              description=f"The roster of {context.title or context.context_id} was not "
                          f"synced: {exc}.")
    removed = (f"nobody removed ({report.kept_because})" if report.kept_because
               else f"{len(report.removed)} removed (no longer active in the course"
               f"{': ' + ', '.join(report.removed) if report.removed else ''})")
    flash(f"Roster of {context.title or context.context_id} synced into "
          f"{context.cohort.name if context.cohort else ''}: {report.added} added "
          f"({len(report.created)} accounts created, {len(report.enrolled)} existing), "
          f"{len(report.already)} already in the class, {removed}, {report.skipped} not "
          "added (instructors, inactive).")
    return redirect(url_for("lti.platforms"))


def tool_urls() -> dict[str, str]:
    """What an LMS administrator types into the LMS's registration of archlab."""
    return {
        "Tool URL / target link URI": url_for("lti.launch", _external=True),
        "Initiate login URL": url_for("lti.login", _external=True),
        "Redirection URI(s)": url_for("lti.launch", _external=True),
        "Public keyset URL (JWKS)": url_for("lti.jwks", _external=True),
    }


@bp.route("/links/<int:link_id>/lab", methods=["GET", "POST"])
@role_required(INSTRUCTOR)
def choose_lab(link_id: int):  # type: ignore[no-untyped-def]
    """Choose the lab an LMS link opens (for a link placed without custom lab=<id>): the
    instructor who launched it, an instructor of the class its course maps to, or an admin;
    the choice decides what the course's learners open and which score goes back."""
    session = get_session()
    link = session.get(LtiResourceLink, link_id) or abort(404)
    if not _sets_the_lab(link):
        abort(403, description=f"The link {link.title or link.resource_link_id!r} belongs to "
                               "a course you neither launched it from nor teach the class of.")
    labs = {lab.id: lab.title for lab in loadable_labs()}
    if request.method == "POST":
        chosen = request.form.get("lab_id", "")
        if chosen not in labs:
            abort(400, description=f"There is no lab {chosen!r}.")
        link.lab_id = chosen
        session.commit()
        flash(f"This link now opens {labs[chosen]}.")
        return redirect(url_for("labs.lab", lab_id=chosen))
    return render_template("lti/choose_lab.html", link=link, labs=labs, user=g.user)


def _sets_the_lab(link: LtiResourceLink) -> bool:
    session = get_session()
    if g.user.is_admin or arrival.learner_link(session, g.user, link) is not None:
        return True
    cohort = passback.cohort_of(session, link)
    return cohort is not None and teaches(session, g.user, cohort)


@bp.get("/scores")
@role_required(INSTRUCTOR)
def scores():  # type: ignore[no-untyped-def]
    """Every grade sent (or still to send) to an LMS that the instructor may read (their
    classes' courses; everyone's for an admin), newest first, with why one failed."""
    return render_template("lti/scores.html", posts=passback.all_posts(get_session(), g.user))


@bp.post("/scores/retry")
@role_required(INSTRUCTOR)
def retry_scores():  # type: ignore[no-untyped-def]
    """Send the pending score posts the page lists now instead of at their next try."""
    session = get_session()
    pending = passback.make_due(session, g.user)
    sent = sum(passback.send(session, post_id) for post_id in pending)
    flash(f"{sent} of {len(pending)} pending grade{'s' if len(pending) != 1 else ''} "
          "reached the LMS.")
    return redirect(url_for("lti.scores"))


@bp.route("/deep-link", methods=["GET", "POST"])
@role_required(INSTRUCTOR)
def deep_link():  # type: ignore[no-untyped-def]
    """The lab picker of a deep linking launch; the pick goes back to the LMS as a signed
    LtiDeepLinkingResponse, in a form the instructor sends (the page allows that one
    form target on top of the site's own)."""
    session = get_session()
    pending = deep_linking.Request.from_session(flask_session.get(DEEP_LINK_KEY))
    if pending is None:
        abort(400, description="No deep linking request from an LMS is waiting: start "
                               "from the LMS's \"add an activity\" dialog.")
    labs = {lab.id: lab for lab in loadable_labs()}
    if request.method == "GET":
        return render_template("lti/deep_link.html", labs=labs.values())
    lab = labs.get(request.form.get("lab_id", "")) or abort(
        400, description=f"There is no lab {request.form.get('lab_id', '')!r}.")
    platform = session.get(LtiPlatform, pending.platform_id) or abort(404)
    item = deep_linking.content_item(lab, load_checks(lab).max_score,
                                     url_for("lti.launch", _external=True))
    token = deep_linking.response_jwt(session, platform, pending, [item])
    flask_session.pop(DEEP_LINK_KEY, None)
    response = make_response(render_template("lti/deep_link_return.html", lab=lab,
                                             platform=platform, return_url=pending.return_url,
                                             token=token))
    target = urlsplit(pending.return_url)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {target.scheme}://{target.netloc}")
    return response
