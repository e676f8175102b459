"""The app: pages (server-rendered, htmx for partial updates) and the JSON API.

Every route is added through :class:`Routes`, which declares its action
(:mod:`caselink.web.policy`) and runs :func:`caselink.web.security.guard`
first; :func:`create_app` refuses a route without one.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from caselink.records.errors import CaselinkError, InvalidInputError
from caselink.service import audit
from caselink.service.accounts import Accounts
from caselink.service.caselink import Caselink
from caselink.service.errors import NotFoundError
from caselink.store import Store
from caselink.web import (
    api,
    api_import,
    assurance_pages,
    checks_pages,
    pages,
    person_pages,
    replay_pages,
    series_pages,
)
from caselink.web.policy import action_of
from caselink.web.rendering import render
from caselink.web.routing import Routes
from caselink.web.security import (
    AppState,
    LoginRequiredError,
    RefusedError,
    WebSettings,
    security_headers,
    state,
)

HERE = Path(__file__).parent


def create_app(store: Store, settings: WebSettings | None = None) -> FastAPI:
    """The web app over ``store``."""
    settings = settings or WebSettings()
    app = FastAPI(
        title="caselink API",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN: not here
        redoc_url=None,
    )
    app.state.caselink = AppState(
        Caselink(store), Accounts(store, settings.secret, settings.policy), settings
    )
    app.middleware("http")(security_headers)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    # routes go straight onto the app's router (an included router hides them from app.routes)
    pages.register(Routes(app.router, include_in_schema=False, response_class=HTMLResponse))
    for part2 in (series_pages, replay_pages, checks_pages, person_pages, assurance_pages):
        part2.register(Routes(app.router, include_in_schema=False, response_class=HTMLResponse))
    api.register(Routes(app.router, prefix="/api", tags=["caselink"]))
    api_import.register(Routes(app.router, prefix="/api", tags=["caselink"]))
    _error_handlers(app)
    undeclared = [
        f"{sorted(r.methods or ())} {r.path}"
        for r in app.routes
        if isinstance(r, APIRoute) and action_of(r.endpoint) is None
    ]
    if undeclared:
        raise RuntimeError(f"routes without a declared action: {', '.join(undeclared)}")
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, exc: LoginRequiredError) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"error": "authentication required"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)

    @app.exception_handler(RefusedError)
    async def refused(request: Request, exc: RefusedError) -> Response:
        if _is_api(request):
            return JSONResponse({"error": "forbidden", "reason": exc.reason}, status_code=403)
        return render(request, "error.html", 403, status=403, message=f"Not allowed: {exc.reason}.")

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        who = getattr(request.state, "caller", None)
        actor = who.user.name if who else "anonymous"
        audit.record(
            state(request).service.store,
            actor,
            "object.not_found",
            request.url.path,
            "denied",
            method=request.method,
        )
        if _is_api(request):
            return JSONResponse({"error": "not found"}, status_code=404)
        message = "No such page, or not one you may see."
        return render(request, "error.html", 404, status=404, message=message)

    @app.exception_handler(InvalidInputError)
    async def invalid_input(request: Request, exc: InvalidInputError) -> Response:
        errors = [e.__dict__ for e in exc.errors]
        if _is_api(request):
            return JSONResponse({"error": "invalid input", "rows": errors}, status_code=422)
        return render(request, "row_errors.html", 422, errors=exc.errors)

    @app.exception_handler(CaselinkError)
    async def caselink_error(request: Request, exc: CaselinkError) -> Response:
        status = 409
        if _is_api(request):
            return JSONResponse({"error": str(exc)}, status_code=status)
        return render(request, "error.html", status, status=status, message=str(exc))

    @app.exception_handler(ValueError)
    async def bad_value(request: Request, exc: ValueError) -> Response:
        if _is_api(request):
            return JSONResponse({"error": str(exc)}, status_code=400)
        return render(request, "error.html", 400, status=400, message=str(exc))
