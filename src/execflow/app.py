"""create_app(settings) -> ExecFlowAPI: routers, error handlers, metrics and the workers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from execflow import __version__
from execflow.access.routes import router as tokens_router
from execflow.background import background
from execflow.clock import Clock, SystemClock
from execflow.config import Settings
from execflow.console import apidocs as console_apidocs
from execflow.console import audit as console_audit
from execflow.console import catalog as console_catalog
from execflow.console import incidents as console_incidents
from execflow.console import live as console_live
from execflow.console import login as console_login
from execflow.console import monitors as console_monitors
from execflow.console import oncall as console_oncall
from execflow.console.auth import NotAllowed, SignInFirst, login_redirect
from execflow.console.live import LogWatch
from execflow.console.page_cache import PageCache
from execflow.db import Database
from execflow.detect.anomaly import routes as metric_routes
from execflow.detect.ingest import routes as ingest_routes
from execflow.detect.ingest.asgi_front import IntakeFront
from execflow.detect.ingest.batcher import Batcher
from execflow.detect.ingest.intake import Intake
from execflow.detect.ingest.keys import ServiceKeys
from execflow.detect.probes import routes as probe_routes
from execflow.errors import ExecFlowError
from execflow.group_commit import GroupCommit
from execflow.ops.metrics import HttpCounters, HttpMetrics, register_gauge
from execflow.ops.routes import router as ops_router
from execflow.outbox import pending_count
from execflow.prove.audit import routes as audit_routes
from execflow.prove.log import store
from execflow.prove.log.keys import load_signer
from execflow.respond.catalog import routes as catalog_routes
from execflow.respond.escalation import routes as policy_routes
from execflow.respond.incidents import ack_routes
from execflow.respond.incidents import routes as incident_routes
from execflow.respond.maintenance import routes as maintenance_routes
from execflow.respond.oncall import routes as schedule_routes
from execflow.respond.paging.links import load_secret
from execflow.tell.banner import routes as banner_routes
from execflow.tell.customers import routes as customer_routes
from execflow.tell.postmortems import routes as postmortem_routes
from execflow.tell.statuspage import routes as status_routes
from execflow.tell.statuspage.cache import StatusCache
from execflow.tell.statuspage.view import StatusView, read_view
from execflow.tell.subscribers import routes as subscription_routes
from execflow.web.deps import known_query
from execflow.web.errors import domain_error_body, error_body, validation_error_body
from execflow.web.pages import STATIC, Pages
from execflow.web.state import AppState
from execflow.web.write_front import WriteFront

log = logging.getLogger("execflow")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ExecFlowError)
    async def _domain(_request: Request, exc: ExecFlowError) -> JSONResponse:
        return JSONResponse(domain_error_body(exc), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_error_body(exc.errors()), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        return JSONResponse(
            error_body(code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(SignInFirst)
    async def _sign_in(_request: Request, exc: SignInFirst) -> Response:
        return RedirectResponse(login_redirect(exc.back_to), status_code=303)

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, exc: NotAllowed) -> Response:
        pages: Pages = request.app.state.pages
        return pages.response("message.html", 403, heading="Not allowed", text=str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            error_body("internal_error", "an unexpected error occurred"), status_code=500
        )


class ExecFlowAPI(FastAPI):
    """FastAPI with the fronts (alert intake, busiest writes) answering their requests first."""

    front: IntakeFront | None = None
    writes: WriteFront | None = None
    pages: PageCache | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front, writes, pages = self.front, self.writes, self.pages
        if front is not None and front.handles(scope):
            await front(scope, receive, send)
        elif writes is not None and writes.handles(scope):
            await writes(scope, receive, send, super().__call__)
        elif pages is not None:
            await pages(scope, receive, send, super().__call__)
        else:
            await super().__call__(scope, receive, send)


def create_app(
    settings: Settings,
    *,
    db: Database | None = None,
    clock: Clock | None = None,
    run_workers: bool = False,
) -> ExecFlowAPI:
    """Build the whole HTTP application; workers start with it when asked."""
    database = db or Database.from_url(settings.resolved_database_url)
    state = AppState(
        settings=settings,
        db=database,
        clock=clock or SystemClock(),
        signer=load_signer(settings.key_path, settings.log_origin),
        link_secret=load_secret(settings.link_key_path),
        writes=GroupCommit(database),
    )
    workers = background(state.db, state.signer, state.clock, settings) if run_workers else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if workers is not None:
            workers.start()
        try:
            yield
        finally:
            if workers is not None:
                workers.stop()

    # /docs is the console's own API reference (apidocs), never a CDN-loaded Swagger UI.
    app = ExecFlowAPI(
        title="ExecFlow", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.execflow = state
    counters = HttpCounters(state.registry)
    keys = ServiceKeys(state.db)
    state.on_key_rotated.append(keys.forget)
    intake = Intake(lambda: state.throttle, keys, Batcher(state.db, state.clock))
    app.state.intake = intake
    app.front = IntakeFront(intake, counters)
    app.writes = WriteFront(state, counters, [audit_routes.RECORD, incident_routes.CREATE])
    app.state.log_watch = LogWatch(state.db)
    app.pages = PageCache(app.state.log_watch, clock=lambda: state.clock.now().timestamp())
    _install_error_handlers(app)
    _install_pages(app, state)
    app.include_router(ops_router)
    app.include_router(ingest_routes.router)
    app.include_router(audit_routes.public)
    app.include_router(audit_routes.log_reads)
    app.include_router(ack_routes.router)
    app.include_router(probe_routes.heartbeats)
    app.include_router(metric_routes.router)
    # The private API refuses query parameters its endpoints do not take.
    strict = [Depends(known_query)]
    app.include_router(tokens_router, dependencies=strict)
    app.include_router(audit_routes.api, dependencies=strict)
    for router in (
        catalog_routes.router,
        schedule_routes.router,
        policy_routes.router,
        incident_routes.router,
        probe_routes.router,
        maintenance_routes.router,
        customer_routes.router,
        postmortem_routes.api,
    ):
        app.include_router(router, dependencies=strict)
    _register_gauges(state)
    app.add_middleware(HttpMetrics, counters=counters)
    return app


def _install_pages(app: FastAPI, state: AppState) -> None:
    """The public pages: templates, the status page's cache, static files, branding."""
    pages = Pages(state.settings)
    app.state.pages = pages

    def build() -> tuple[StatusView, bytes]:
        now = state.clock.now()
        with state.db.read() as session:
            view = read_view(session, state.settings, now)
        return view, pages.html("status.html", view=view)

    app.state.status_cache = StatusCache(build, clock=lambda: state.clock.now().timestamp())
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    branding = state.settings.data_dir / "branding"
    if branding.is_dir():
        app.mount("/branding", StaticFiles(directory=branding), name="branding")
    app.include_router(status_routes.router)
    app.include_router(status_routes.v2)
    app.include_router(subscription_routes.router)
    app.include_router(banner_routes.router)
    app.include_router(postmortem_routes.public)
    for console_router in (
        console_login.router,
        console_incidents.router,
        console_audit.router,
        console_live.router,
        console_oncall.router,
        console_catalog.router,
        console_monitors.router,
        console_apidocs.router,
    ):
        app.include_router(console_router)


def _register_gauges(state: AppState) -> None:
    def signed_size() -> float:
        with state.db.read() as session:
            return float(store.tree(session).size)

    def pending() -> float:
        with state.db.read() as session:
            return float(pending_count(session))

    register_gauge(
        state.registry, "execflow_log_signed_size", "Entries in the signed log.", signed_size
    )
    register_gauge(
        state.registry, "execflow_outbox_pending", "Side effects awaiting delivery.", pending
    )
