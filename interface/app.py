"""The Litestar app factory: routes, auth, error table and OpenAPI, wired in one place."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from litestar import Controller, Litestar, Router
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI
from litestar.static_files import create_static_files_router

from application.infrastructure.settings import Settings
from interface.audit_api import AuditQueries
from interface.auth import jwt_auth
from interface.bootstrap import Services, bootstrap
from interface.bundles_api import BundleController
from interface.campaigns_api import CampaignController
from interface.claims_api import ClaimController
from interface.complaints_api import ComplaintController, ServiceRequestController
from interface.console import console_router, templates
from interface.customers_api import CustomerController
from interface.errors import EXCEPTION_HANDLERS
from interface.http import MAX_BODY_BYTES, MAX_WAITERS, check_request
from interface.improvement_api import ImprovementPlanController
from interface.logs import configure_logging
from interface.openapi import DOCS_ASSETS, STATIC_DIR, declare_problems, docs_pages
from interface.operations import operations_middleware, operations_routes
from interface.policies_api import PolicyController
from interface.policy_queries_api import PremiumQueries, UnderwritingQueries
from interface.product_approval_api import ProductVersionController
from interface.products_api import ProductQueries, QuoteCommands
from interface.reinsurance_api import ReinsuranceController
from interface.reports_api import ReportQueries
from interface.responses import ConventionalResponse
from interface.retention_api import RetentionQueries
from interface.risks_api import RiskController, RiskIndicatorController
from interface.system_api import SystemQueries

#: Worker threads for the synchronous handlers. The event loop's default is min(32, cores + 4), 6 on two
#: cores: a few reads waiting for the read side (`?after=`) would hold them all. At most MAX_WAITERS wait.
WORKER_THREADS = MAX_WAITERS + 24


async def _worker_threads() -> None:
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="inscribe-handler")
    )


#: The API's operations (with /health and /metrics, which need the services: interface.operations).
CONTROLLERS: tuple[type[Controller] | Router, ...] = (
    CustomerController,
    ProductQueries,
    QuoteCommands,
    PolicyController,
    UnderwritingQueries,
    PremiumQueries,
    ClaimController,
    ComplaintController,
    ServiceRequestController,
    ImprovementPlanController,
    RiskController,
    RiskIndicatorController,
    CampaignController,
    ProductVersionController,
    BundleController,
    ReinsuranceController,
    AuditQueries,
    ReportQueries,
    SystemQueries,
    RetentionQueries,
)


def create_app(services: Services | None = None, settings: Settings | None = None) -> Litestar:
    """Build the API. Pass `services` to share them (tests); otherwise they are built from settings."""
    owned = services is None
    services = services or bootstrap(settings)
    auth = jwt_auth(services.settings.resolved_jwt_secret(), services.settings.jwt_issuer)

    def provide_services() -> Services:
        return services

    def close() -> None:
        if owned:
            services.close()

    app = Litestar(
        route_handlers=[
            *operations_routes(services),  # /health, /health/live, /health/ready, /metrics
            *CONTROLLERS,
            console_router(services.settings),  # /console (interface.console)
            create_static_files_router(
                path=DOCS_ASSETS,
                directories=[STATIC_DIR / "docs"],
                include_in_schema=False,
                opt={"exclude_from_auth": True},
            ),
        ],
        dependencies={"services": Provide(provide_services, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=check_request,
        response_class=ConventionalResponse,  # Location, ETag and 304, CSV on registers (interface.responses)
        middleware=operations_middleware(services.settings),
        logging_config=None,  # the process's logging is JSON lines (interface.logs: app_from_env, the CLI)
        request_max_body_size=MAX_BODY_BYTES,
        on_app_init=[auth.on_app_init],
        on_startup=[_worker_threads],
        on_shutdown=[close],
        openapi_config=OpenAPIConfig(
            title="Inscribe",
            version="0.1.0",
            description="Insurance back office: commands and registers. Mint a token with "
            "`inscribe token --role agent --sub you`, then Authorize with it.",
            path="/schema",
            use_handler_docstrings=True,  # each operation's description: the rule its handler implements
            render_plugins=docs_pages(),  # Swagger UI and Redoc from the app's own assets, no CDN
        ),
        template_config=templates(),
        debug=False,
    )
    _complete_document(app)  # the problem responses and command headers of every operation
    return app


#: The completed OpenAPI document of each set of routes, made once per process. It is a function of the
#: route handlers alone (their paths, methods and signatures), and completing it takes about a second: a
#: second app over the same routes (a worker's, a test's) shares the first one's instead of making its own.
_DOCUMENTS: dict[tuple[object, ...], OpenAPI] = {}


def _complete_document(app: Litestar) -> None:
    plugin = app.plugins.get(OpenAPIPlugin)
    routes = tuple(
        sorted(
            (path, tuple(sorted(handler.http_methods)), str(handler))
            for path, route in plugin.included_routes.items()
            for handler in route.route_handlers
        )
    )
    key = (app.openapi_config.version if app.openapi_config else None, routes)
    if key in _DOCUMENTS:
        plugin._openapi = _DOCUMENTS[key]
        return
    declare_problems(app)
    _DOCUMENTS[key] = app.openapi_schema


def app_from_env() -> Any:
    """Factory for uvicorn (`interface.app:app_from_env`)."""
    settings = Settings()
    configure_logging(settings.log_level)  # JSON lines (interface.logs)
    return create_app(settings=settings)
