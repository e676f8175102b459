"""The analysts' pages: cases, case, compare, alerts inbox, import, add a case, account, audit."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from pydantic import ValidationError

from caselink.records.errors import InvalidInputError, RowError
from caselink.records.geodesy import haversine_km
from caselink.records.model import Case
from caselink.service import audit
from caselink.service.caselink import Decision
from caselink.service.errors import AuthenticationError, NotFoundError, WeakPasswordError
from caselink.web.case_form import case_form_fields
from caselink.web.policy import PUBLIC, allowed
from caselink.web.rendering import render
from caselink.web.routing import Routes, filter_from, query_of
from caselink.web.security import SESSION_COOKIE, address, caller, same_origin, state

PAGE_SIZE = 50
MAX_UPLOAD = 50 * 1024 * 1024


def register(routes: Routes) -> None:
    """Add every page to ``routes`` (a :class:`caselink.web.app.Routes`)."""

    # ------------------------------------------------------------ login

    @routes.get("/healthz", PUBLIC)
    def healthz() -> Response:
        return Response("ok", media_type="text/plain")

    @routes.get("/login", PUBLIC)
    def login_page(request: Request, next: str = "/cases") -> Response:
        return render(request, "login.html", next=_safe_next(next), error=None)

    @routes.post("/login", PUBLIC)
    async def login(request: Request) -> Response:
        app = state(request)
        form = await request.form()
        name = str(form.get("name") or "")
        password = str(form.get("password") or "")
        code = str(form.get("code") or "") or None
        target = _safe_next(str(form.get("next") or "/cases"))
        if not same_origin(request):
            return render(
                request, "login.html", 403, next=target, error="Cross-site login refused."
            )
        old = request.cookies.get(SESSION_COOKIE)
        if old:  # a fresh token at every login: never adopt one the browser brought
            session = app.accounts.session(old)
            if session is not None:
                app.accounts.end_session(session.pk, session.user.name, "replaced at login")
        try:
            user = app.accounts.authenticate(name, password, code, address(request))
        except AuthenticationError as exc:
            return render(request, "login.html", 401, next=target, error=str(exc))
        token = app.accounts.start_session(
            user, address(request), request.headers.get("user-agent")
        )
        if user.role == "admin" and target == "/cases":
            target = "/audit"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(app.settings.policy.absolute_timeout.total_seconds()),
            path="/",
            secure=True,
            httponly=True,
            samesite="lax",
        )
        return response

    @routes.post("/logout", "account.self")
    def logout(request: Request) -> Response:
        who = caller(request)
        if who.session is not None:
            state(request).accounts.end_session(who.session.pk, who.user.name, "logout")
        response = Response(status_code=204, headers={"HX-Redirect": "/login"})
        response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True)
        return response

    @routes.get("/", "account.self")
    def home(request: Request) -> Response:
        who = caller(request)
        return RedirectResponse("/audit" if who.user.role == "admin" else "/cases", 303)

    # ------------------------------------------------------------ cases

    @routes.get("/cases", "case.list")
    def cases(request: Request, page: int = 1, order: str = "occurred") -> Response:
        app, who = state(request), caller(request)
        filt = filter_from(request.query_params)
        page = max(1, page)
        facets, total = app.service.facets_and_total(who.user.scope(), filt)
        result = app.service.cases(
            who.user.scope(), filt, PAGE_SIZE, (page - 1) * PAGE_SIZE, order, total=total
        )
        pages = max(1, math.ceil(result.total / PAGE_SIZE))
        ctx: dict[str, Any] = dict(
            result=result,
            facets=facets,
            filt=filt,
            order=order,
            page=page,
            pages=pages,
            query=query_of(filt),
            query_of=query_of,
        )
        if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
            return render(request, "cases_results.html", **ctx)
        return render(request, "cases.html", **ctx)

    @routes.get("/cases/export.csv", "case.export")
    def export(request: Request) -> Response:
        app, who = state(request), caller(request)
        filt = filter_from(request.query_params)
        audit.record(app.service.store, who.user.name, "case.export", None, filter=query_of(filt))
        return StreamingResponse(
            app.service.export_cases(who.user.scope(), filt),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="cases.csv"'},
        )

    @routes.get("/cases/new", "case.add")
    def new_case_page(request: Request) -> Response:
        schema = state(request).service.store.attribute_schema()
        return render(
            request,
            "case_new.html",
            schema=schema,
            errors=[],
            values={},
            alerts=None,
            fields=case_form_fields(),
        )

    @routes.post("/cases/new", "case.add")
    async def new_case(request: Request) -> Response:
        app, who = state(request), caller(request)
        form = await request.form()
        values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
        schema = app.service.store.attribute_schema()
        data: dict[str, Any] = {f.name: values.get(f.name) or None for f in case_form_fields()}
        attributes: dict[str, Any] = {}
        for spec in schema.attributes:
            raw = values.get(f"attr_{spec.name}")
            if raw:
                attributes[spec.name] = (
                    [v.strip() for v in raw.split("|") if v.strip()]
                    if spec.kind.value == "multi"
                    else raw
                )
        data["attributes"] = attributes
        try:
            case = Case.model_validate({k: v for k, v in data.items() if v is not None})
        except ValidationError as exc:
            errors = [
                RowError("form", 1, ".".join(str(p) for p in e["loc"]) or "case", "", e["msg"])
                for e in exc.errors()
            ]
            return render(
                request,
                "case_new.html",
                422,
                schema=schema,
                errors=errors,
                values=values,
                alerts=None,
                fields=case_form_fields(),
            )
        raised = app.service.add_case(case, who.user.force)
        audit.record(app.service.store, who.user.name, "case.add", case.case_id, alerts=len(raised))
        return render(
            request,
            "case_new.html",
            schema=schema,
            errors=[],
            values={},
            alerts=raised,
            added=case,
            fields=case_form_fields(),
        )

    @routes.get("/cases/{case_id}", "case.read")
    def case_page(request: Request, case_id: str) -> Response:
        app, who = state(request), caller(request)
        detail = app.service.case(who.user.scope(), case_id)
        audit.record(app.service.store, who.user.name, "case.read", case_id)
        viewers = (
            audit.viewed_by(app.service.store, case_id)
            if allowed(who.user.role, "viewers.read")
            else None
        )
        return render(request, "case.html", case=detail, viewers=viewers)

    @routes.post("/cases/{case_id}/actions", "action.raise")
    async def raise_action(request: Request, case_id: str) -> Response:
        app, who = state(request), caller(request)
        form = await request.form()
        action, note = str(form.get("action") or ""), str(form.get("note") or "")
        app.service.raise_action(who.user.scope(), case_id, action, note, who.user.name)
        audit.record(app.service.store, who.user.name, "action.raise", case_id, action=action)
        detail = app.service.case(who.user.scope(), case_id)
        return render(request, "case_actions.html", case=detail, message=f"Raised: {action}")

    @routes.post("/cases/{case_id}/grants", "grant.give")
    async def grant(request: Request, case_id: str) -> Response:
        app, who = state(request), caller(request)
        form = await request.form()
        scope = who.user.scope()
        if not app.service.can_see(scope, case_id):
            raise NotFoundError(f"no case {case_id!r}")
        name = str(form.get("user") or "").strip()
        try:
            grantee = app.accounts.user(name)
        except NotFoundError:
            raise ValueError(f"no user {name!r}") from None
        app.service.grant_case(scope, who.user.force, case_id, grantee.pk, who.user.name)
        audit.record(app.service.store, who.user.name, "grant.case", case_id, to=grantee.name)
        return Response(f"Shared {case_id} with {grantee.name}.", media_type="text/plain")

    @routes.get("/compare", "case.read")
    def compare(request: Request, ids: str = "") -> Response:
        app, who = state(request), caller(request)
        wanted = [i.strip() for i in ids.split(",") if i.strip()]
        if not 2 <= len(wanted) <= 3:
            raise ValueError("compare takes two or three case ids, e.g. ?ids=C1,C2")
        scope = who.user.scope()
        cases = [app.service.case(scope, i) for i in wanted]
        for i in wanted:
            audit.record(app.service.store, who.user.name, "case.read", i, via="compare")
        pairs = []
        for j in range(1, len(cases)):
            link = app.service.link_between(scope, cases[0].case_id, cases[j].case_id)
            pairs.append((cases[0].case_id, cases[j].case_id, link))
        return render(request, "compare.html", cases=cases, rows=_aligned(cases), pairs=pairs)

    # ------------------------------------------------------------ alerts

    @routes.get("/alerts", "alert.read")
    def alerts(request: Request, status: str = "new", page: int = 1) -> Response:
        app, who = state(request), caller(request)
        page = max(1, page)
        result = app.service.alerts(
            who.user.scope(), None if status == "all" else status, PAGE_SIZE, (page - 1) * PAGE_SIZE
        )
        newest = max((a.alert_id for a in result.items), default=0)
        return render(
            request,
            "alerts.html",
            result=result,
            status=status,
            page=page,
            newest=newest,
            poll=app.settings.poll_seconds,
        )

    @routes.get("/alerts/since/{after}", "alert.read")
    def alerts_since(request: Request, after: int) -> Response:
        app, who = state(request), caller(request)
        newer = [
            a
            for a in app.service.alerts(who.user.scope(), "new", 100, 0).items
            if a.alert_id > after
        ]
        newest = max([after, *(a.alert_id for a in newer)])
        return render(
            request,
            "alerts_since.html",
            alerts=list(reversed(newer)),
            newest=newest,
            poll=app.settings.poll_seconds,
        )

    @routes.post("/alerts/{alert_id}/decision", "link.decide")
    async def decide(request: Request, alert_id: int) -> Response:
        app, who = state(request), caller(request)
        form = await request.form()
        app.service.alert(who.user.scope(), alert_id)  # out of scope: 404 before anything else
        decision: Decision = "confirm" if form.get("decision") == "confirm" else "dismiss"
        if form.get("decision") not in ("confirm", "dismiss"):
            raise ValueError("decision must be confirm or dismiss")
        note = str(form.get("note") or "")
        try:
            alert = app.service.decide_alert(
                who.user.scope(), alert_id, decision, who.user.name, note
            )
        except ValueError as exc:
            current = app.service.alert(who.user.scope(), alert_id)
            return render(request, "alert_card.html", 422, a=current, error=str(exc))
        audit.record(
            app.service.store, who.user.name, f"alert.{decision}", str(alert_id), note=note
        )
        return render(request, "alert_card.html", a=alert, error=None)

    # ------------------------------------------------------------ import

    @routes.get("/import", "case.import")
    def import_page(request: Request) -> Response:
        return render(request, "import.html", report=None, errors=None, rescored=None)

    @routes.post("/import", "case.import")
    async def import_files(request: Request) -> Response:
        app, who = state(request), caller(request)
        form = await request.form()
        files: dict[str, bytes] = {}
        for name in ("cases", "people", "actions"):
            upload = form.get(name)
            if upload is not None and not isinstance(upload, str) and upload.filename:
                data = await upload.read(MAX_UPLOAD + 1)
                if len(data) > MAX_UPLOAD:
                    raise ValueError(f"{name}.csv is larger than {MAX_UPLOAD // 2**20} MiB")
                files[name] = data
        if "cases" not in files:
            return render(
                request,
                "import.html",
                422,
                report=None,
                rescored=None,
                errors=[RowError("cases.csv", 0, "", "", "choose a cases.csv file")],
            )
        skip = form.get("skip_invalid") == "1"
        try:
            report, rescored = app.service.import_files(files, who.user.force, skip_invalid=skip)
        except InvalidInputError as exc:
            audit.record(
                app.service.store,
                who.user.name,
                "case.import",
                None,
                "rejected",
                errors=len(exc.errors),
            )
            return render(
                request, "import.html", 422, report=None, errors=exc.errors, rescored=None
            )
        audit.record(
            app.service.store,
            who.user.name,
            "case.import",
            None,
            inserted=report.cases_inserted,
            updated=report.cases_updated,
            rejected=len(report.rejected),
        )
        return render(
            request, "import.html", report=report, errors=report.rejected or None, rescored=rescored
        )

    # ------------------------------------------------------------ account

    @routes.get("/account", "account.self")
    def account(request: Request) -> Response:
        return _account(request, render)

    @routes.post("/account/sessions/{session_pk}/revoke", "account.self")
    def revoke(request: Request, session_pk: int) -> Response:
        app, who = state(request), caller(request)
        mine = {s.pk for s in app.accounts.sessions(who.user)}
        if session_pk not in mine:
            raise NotFoundError(f"no session {session_pk}")
        app.accounts.end_session(session_pk, who.user.name, "revoked by user")
        if who.session is not None and session_pk == who.session.pk:
            return Response(status_code=204, headers={"HX-Redirect": "/login"})
        return _account(request, render, message="Session ended.")

    @routes.post("/account/password", "account.self")
    async def password(request: Request) -> Response:
        app, who = state(request), caller(request)
        form = await request.form()
        try:
            app.accounts.change_password(
                who.user, str(form.get("current") or ""), str(form.get("new") or "")
            )
        except (AuthenticationError, WeakPasswordError) as exc:
            return _account(request, render, error=str(exc), status=422)
        return _account(request, render, message="Password changed.")

    @routes.post("/account/totp", "account.self")
    async def totp(request: Request) -> Response:
        app, who = state(request), caller(request)
        form = await request.form()
        secret = str(form.get("secret") or "")
        code = str(form.get("code") or "")
        if not code:
            return _account(request, render, totp_secret=app.accounts.new_totp_secret())
        try:
            app.accounts.enable_totp(who.user, secret, code)
        except AuthenticationError as exc:
            return _account(request, render, error=str(exc), totp_secret=secret, status=422)
        return _account(request, render, message="Two-factor codes are now required.")

    # ------------------------------------------------------------ audit

    @routes.get("/audit", "audit.read")
    def audit_page(request: Request) -> Response:
        app, who = state(request), caller(request)
        store = app.service.store
        audit.record(store, who.user.name, "audit.read", None)
        return render(
            request,
            "audit.html",
            entries=list(audit.entries(store, limit=200, newest_first=True)),
            check=audit.verify(store),
            head=audit.head(store),
        )


def _account(
    request: Request,
    render: Any,
    message: str | None = None,
    error: str | None = None,
    totp_secret: str | None = None,
    status: int = 200,
) -> Response:
    app, who = state(request), caller(request)
    response: Response = render(
        request,
        "account.html",
        status,
        sessions=app.accounts.sessions(who.user),
        message=message,
        error=error,
        totp_secret=totp_secret,
        current_session=who.session.pk if who.session else None,
    )
    return response


def _safe_next(target: str) -> str:
    """Only a local path (no open redirect)."""
    unsafe = "\\" in target or any(ord(c) < 33 or ord(c) == 127 for c in target)
    if not target.startswith("/") or target.startswith("//") or unsafe:
        return "/cases"
    return target


def _aligned(cases: list[Any]) -> list[tuple[str, list[str], str]]:
    """Rows of the compare page: field, each case's value, and agree/disagree/missing."""

    def mark(values: list[str]) -> str:
        if any(v == "" for v in values):
            return "missing"
        return "agree" if len(set(values)) == 1 else "disagree"

    def show(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, list | tuple):
            return "|".join(sorted(str(x) for x in v))
        if isinstance(v, datetime):
            return f"{v:%Y-%m-%d %H:%M}"
        return str(v)

    rows = []
    for name in ("case_type", "victim_sex", "victim_age", "victim_group", "status", "force"):
        values = [show(getattr(c, name)) for c in cases]
        rows.append((name, values, mark(values)))
    dates = [show(c.occurred_from) for c in cases]
    days = [abs((c.occurred_from - cases[0].occurred_from).days) for c in cases]
    rows.append(("occurred", dates, "agree" if max(days) <= 30 else "disagree"))
    km = [float(haversine_km(cases[0].lat, cases[0].lon, c.lat, c.lon)) for c in cases]
    rows.append(
        (
            "place",
            [f"{c.lat:.5f}, {c.lon:.5f} ({k:.1f} km)" for c, k in zip(cases, km, strict=True)],
            "agree" if max(km) <= 2 else "disagree",
        )
    )
    names = sorted({n for c in cases for n in c.attributes})
    for name in names:
        values = [show(c.attributes.get(name)) for c in cases]
        rows.append((f"MO: {name}", values, mark(values)))
    return rows
