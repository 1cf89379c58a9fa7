"""HTTP request and response objects shared by the server and the protocol modules."""

import json
import urllib.parse


class Response:
    def __init__(self, status=200, body=b"", content_type="text/plain; charset=utf-8", headers=None,
                 kind="other", operation=None):
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.content_type = content_type
        self.headers = list(headers or [])
        self.kind = kind
        self.operation = operation


class Reply(Exception):
    """Raised by protocol code to answer at once (auth failure, fault, injected error)."""

    def __init__(self, response):
        Exception.__init__(self, response.status)
        self.response = response


def json_response(obj, status=200, kind="other"):
    return Response(status, json.dumps(obj, separators=(",", ":"), ensure_ascii=False),
                    "application/json", kind=kind)


class Request:
    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        parts = urllib.parse.urlsplit(target)
        self.path = parts.path
        self.query_string = parts.query
        self.query = urllib.parse.parse_qs(parts.query, keep_blank_values=True, encoding="utf-8",
                                           errors="replace")
        self.headers = headers  # email.message.Message (case-insensitive get)
        self.body = body

    def q(self, name, default=None):
        v = self.query.get(name)
        return v[0] if v else default

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def cookie(self, name):
        for header in self.headers.get_all("Cookie") or []:
            for part in header.split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v.strip().strip('"')
        return None
