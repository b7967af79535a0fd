"""The ASGI application: HTTP through Django, WebSockets through Channels."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from accounts.socket_auth import WidgetTokenAuthMiddleware  # noqa: E402
from core.i18n import SocketLanguageMiddleware  # noqa: E402
from core.outage import SocketOutageMiddleware  # noqa: E402
from core.request_context import SocketContextMiddleware  # noqa: E402
from core.tz import SocketTimeZoneMiddleware  # noqa: E402
from livechat.origin import SameOriginValidator  # noqa: E402
from livechat.routing import websocket_routes  # noqa: E402

# In development (and the browser tests) the ASGI server itself serves /static/ from the
# source folders; in production WhiteNoise's middleware serves what `collectstatic` wrote,
# under hashed names (docs/deployment.md "Static files").
http_app = ASGIStaticFilesHandler(django_asgi_app) if settings.DEBUG else django_asgi_app

application = ProtocolTypeRouter(
    {
        "http": http_app,
        # The socket's id for its log lines, and the sockets and deliveries counted
        # (core.request_context), around everything else.
        "websocket": SocketContextMiddleware(
            # An outage of the database or Redis ends a socket with an `unavailable` frame
            # and "try again later", never silently (core.outage, docs/operations.md).
            SocketOutageMiddleware(
                SameOriginValidator(
                    AuthMiddlewareStack(
                        WidgetTokenAuthMiddleware(
                            SocketLanguageMiddleware(
                                SocketTimeZoneMiddleware(URLRouter(websocket_routes()))
                            )
                        )
                    )
                )
            )
        ),
    }
)

# Everything loaded by now (Django, the apps, URL patterns, catalogs) lives as long as the
# process. Frozen, it is no longer walked by the collector's full passes, which stopped
# the whole server for 102–136 ms each under fan-out load, and 28–52 ms frozen
# (docs/benchmarks.md section 9). The collector's thresholds stay as they are: Django
# opens a connection per HTTP request thread under ASGI, which only a collection closes.
gc.collect()
gc.freeze()
