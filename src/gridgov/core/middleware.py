import re
import uuid

from gridgov.core import request_context

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a sane one from the proxy) for audit and logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        tokens = request_context.start(rid, request.META.get("REMOTE_ADDR", ""))
        try:
            response = self.get_response(request)
        finally:
            request_context.end(tokens)
        response["X-Request-ID"] = rid
        return response
