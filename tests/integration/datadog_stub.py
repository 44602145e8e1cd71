"""A stand-in for the Datadog API on loopback: a real HTTP server, started
and stopped by the tests, that serves the key listings and the validation
endpoints from fixture data, and records what it was asked (never key values
in URLs, and which credentials came in headers)."""
import http.server
import json
import threading
import urllib.parse

ADMIN_API_KEY = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
ADMIN_APP_KEY = "f0e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d"
ADMIN_TOKEN = "ddpat_admin_Zq8RkT4mWx2LpN7vYc3HbJ6sFd9GeA1u"


class DatadogStub:
    """Fixture state: lists of JSON:API records per endpoint, values per id,
    the keys /validate accepts, and injected failures."""

    def __init__(self):
        self.api_keys = []          # records (type api_keys) without `key`
        self.api_key_values = {}    # id -> value, served by /api_keys/{id}
        self.application_keys = []
        self.access_tokens = []     # personal_access_tokens and service_access_tokens
        self.rum_applications = []  # list attributes (no client_token)
        self.rum_tokens = {}        # id -> client_token
        self.users = []
        self.valid_api_keys = set()
        self.valid_pairs = set()    # (api key, application key)
        self.valid_bearers = set()
        self.forbidden = set()      # paths answered 403
        self.failures = {}          # path -> [status, ...] answered before the real answer
        self.requests = []          # (path, query, header names, headers)
        self.lock = threading.Lock()
        self.server = None

    # -- lifecycle -------------------------------------------------------
    def start(self):
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                stub.handle(self)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths_requested(self):
        with self.lock:
            return [path for path, _, _, _ in self.requests]

    # -- serving ---------------------------------------------------------
    def handle(self, request):
        parsed = urllib.parse.urlparse(request.path)
        path, query = parsed.path, urllib.parse.parse_qs(parsed.query)
        headers = {name.lower(): value for name, value in request.headers.items()}
        with self.lock:
            self.requests.append((path, parsed.query, sorted(headers), headers))
            queued = self.failures.get(path)
            failure = queued.pop(0) if queued else None
        if failure:
            return self.reply(request, failure, {"errors": ["injected"]}, {"Retry-After": "0"})
        if path in self.forbidden:
            return self.reply(request, 403, {"errors": ["Forbidden"]})
        if path == "/api/v1/validate":
            ok = headers.get("dd-api-key") in self.valid_api_keys
            return self.reply(request, 200 if ok else 403, {"valid": ok} if ok else {"errors": ["Forbidden"]})
        if path == "/api/v2/validate_keys":
            bearer = headers.get("authorization", "").removeprefix("Bearer ")
            ok = (headers.get("dd-api-key"), headers.get("dd-application-key")) in self.valid_pairs or \
                bearer in self.valid_bearers
            return self.reply(request, 200 if ok else 401, {"status": "ok"} if ok else {"errors": ["Unauthorized"]})
        if not self.authorised(headers):
            return self.reply(request, 401, {"errors": ["Unauthorized"]})
        if path == "/api/v2/api_keys":
            return self.page(request, query, self.api_keys, include_users=True)
        if path.startswith("/api/v2/api_keys/"):
            return self.single(request, self.api_keys, path.rsplit("/", 1)[1], "key", self.api_key_values)
        if path == "/api/v2/application_keys":
            return self.page(request, query, self.application_keys, include_users=True)
        if path == "/api/v2/personal_access_tokens":
            return self.page(request, query, self.access_tokens)
        if path == "/api/v2/rum/applications":
            return self.reply(request, 200, {"data": self.rum_applications})
        if path.startswith("/api/v2/rum/applications/"):
            return self.single(request, self.rum_applications, path.rsplit("/", 1)[1], "client_token",
                               self.rum_tokens)
        return self.reply(request, 404, {"errors": ["Not found"]})

    def authorised(self, headers):
        return (headers.get("dd-api-key") == ADMIN_API_KEY and headers.get("dd-application-key") == ADMIN_APP_KEY) \
            or headers.get("authorization") == "Bearer " + ADMIN_TOKEN

    def page(self, request, query, records, include_users=False):
        size = int(query.get("page[size]", ["10"])[0])
        number = int(query.get("page[number]", ["0"])[0])
        body = {"data": records[number * size:(number + 1) * size],
                "meta": {"page": {"total_count": len(records), "total_filtered_count": len(records)}}}
        if include_users:
            body["included"] = self.users
        self.reply(request, 200, body)

    def single(self, request, records, record_id, field, values):
        for record in records:
            if record["id"] == record_id:
                record = json.loads(json.dumps(record))
                if record_id in values:
                    record["attributes"][field] = values[record_id]
                return self.reply(request, 200, {"data": record})
        self.reply(request, 404, {"errors": ["Not found"]})

    @staticmethod
    def reply(request, status, body, headers=None):
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)


# -- fixture records, as the Datadog API writes them ------------------------
def api_key_record(key_id, name, last4, created="2025-01-10T10:00:00.000000+00:00",
                   last_used="2026-11-20T08:00:00+00:00", creator="user-1"):
    return {"type": "api_keys", "id": key_id,
            "attributes": {"name": name, "last4": last4, "created_at": created,
                           "modified_at": created, "date_last_used": last_used,
                           "category": "default", "remote_config_read_enabled": False},
            "relationships": {"created_by": {"data": {"type": "users", "id": creator}}}}


def application_key_record(key_id, name, last4, scopes=None, owner="user-1",
                           created="2025-02-01T09:00:00+00:00", last_used=None):
    return {"type": "application_keys", "id": key_id,
            "attributes": {"name": name, "last4": last4, "created_at": created,
                           "last_used_at": last_used, "scopes": scopes},
            "relationships": {"owned_by": {"data": {"type": "users", "id": owner}}}}


def access_token_record(token_id, name, public_portion, expires, kind="personal_access_tokens",
                        owner="user-1", created="2026-06-01T00:00:00+00:00", scopes=("dashboards_read",)):
    return {"type": kind, "id": token_id,
            "attributes": {"name": name, "public_portion": public_portion, "created_at": created,
                           "expires_at": expires, "last_used_at": None, "scopes": list(scopes)},
            "relationships": {"owned_by": {"data": {"type": "users", "id": owner}}}}


def rum_application_record(app_id, name):
    return {"type": "rum_application", "id": app_id,
            "attributes": {"application_id": app_id, "name": name, "type": "browser",
                           "created_at": 1700000000000, "updated_at": 1700000000000,
                           "created_by_handle": "jane@example.com", "org_id": 1, "hash": "x"}}


def user_record(user_id, name, email, disabled=False):
    return {"type": "users", "id": user_id,
            "attributes": {"name": name, "email": email, "handle": email, "disabled": disabled}}
