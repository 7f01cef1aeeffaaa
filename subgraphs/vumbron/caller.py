"""The caller of the request being answered, for the adapter, without a change to the SDK.

The SDK hands an adapter only the selectievraag. The caller the gateway's token names is put in
the request's ASGI scope by the SDK's `GatewayOnly` middleware (`state["caller"]`, as its
resolvers read it). `CallerScope`, added outside that middleware, keeps the scope of the request
in a context variable, so `current_caller()` finds the caller once `GatewayOnly` has set it.
"""

from __future__ import annotations

from contextvars import ContextVar

from starlette.types import ASGIApp, Receive, Scope, Send

from vumschema.policy import Caller

_SCOPE: ContextVar[Scope | None] = ContextVar("vumbron_request_scope", default=None)


def current_caller() -> Caller | None:
    """The caller of the request being answered; None outside a request or without a token."""
    scope = _SCOPE.get()
    caller = scope.get("state", {}).get("caller") if scope is not None else None
    return caller if isinstance(caller, Caller) else None


class CallerScope:
    """ASGI middleware: the request's scope, for `current_caller`, while the request is answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _SCOPE.set(scope)
        try:
            await self.app(scope, receive, send)
        finally:
            _SCOPE.reset(token)
