"""A 3-legged OAuth 1.0a provider built on oauthlib's endpoints (RFC 5849 §2).

The independent implementation of the "Get token" dance: oauthlib's RequestTokenEndpoint,
AuthorizationEndpoint and AccessTokenEndpoint, and its ResourceEndpoint for the tokens it
issued. Routes:

  POST /request_token      temporary credentials (oauth_callback signed)
  GET  /authorize          a page with one "Approve" button for ?oauth_token
  POST /authorize          approves: redirects to the callback with oauth_verifier (or shows it for oob)
  POST /access_token       token credentials for the request token and its verifier
  any other route          a protected resource: 200 {"first_name": ...} for an issued access token

The consumer pair comes from PROVIDER_CONSUMER_KEY and PROVIDER_CONSUMER_SECRET. The port is
printed on the first line of stdout as "listening <port>".
"""
import html
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from oauthlib.oauth1 import (
    AccessTokenEndpoint, AuthorizationEndpoint, RequestTokenEndpoint, RequestValidator, ResourceEndpoint,
)

CONSUMER_KEY = os.environ.get("PROVIDER_CONSUMER_KEY", "provider-key")
CONSUMER_SECRET = os.environ.get("PROVIDER_CONSUMER_SECRET", "provider-secret")
USER = {"first_name": "Olivia", "last_name": "Oauthlib", "email": "olivia@oauthlib.example"}

lock = threading.Lock()
request_tokens = {}  # token -> {"secret", "callback", "verifier"}
access_tokens = {}  # token -> secret
seen_nonces = set()


class Validator(RequestValidator):
    enforce_ssl = False
    dummy_client = "dummy-client"
    dummy_request_token = "dummy-request-token"
    dummy_access_token = "dummy-access-token"

    @property
    def realms(self):
        return []

    # Tokens here are longer than oauthlib's default 20-30 character format check allows.
    def check_client_key(self, key):
        return True

    def check_request_token(self, token):
        return True

    def check_access_token(self, token):
        return True

    def check_verifier(self, verifier):
        return True

    def validate_client_key(self, client_key, request):
        return client_key == CONSUMER_KEY

    def get_client_secret(self, client_key, request):
        return CONSUMER_SECRET if client_key == CONSUMER_KEY else "dummy"

    def get_default_realms(self, client_key, request):
        return []

    def validate_requested_realms(self, client_key, realms, request):
        return True

    def validate_redirect_uri(self, client_key, redirect_uri, request):
        return redirect_uri == "oob" or redirect_uri.startswith("http://") or redirect_uri.startswith("https://")

    def save_request_token(self, token, request):
        with lock:
            request_tokens[token["oauth_token"]] = {"secret": token["oauth_token_secret"], "callback": request.redirect_uri, "verifier": None}

    def verify_request_token(self, token, request):
        return token in request_tokens

    def validate_request_token(self, client_key, token, request):
        return token in request_tokens

    def get_request_token_secret(self, client_key, token, request):
        return request_tokens.get(token, {}).get("secret", "dummy")

    def get_realms(self, token, request):
        return []

    def get_redirect_uri(self, token, request):
        return request_tokens[token]["callback"]

    def save_verifier(self, token, verifier, request):
        with lock:
            request_tokens[token]["verifier"] = verifier["oauth_verifier"]

    def validate_verifier(self, client_key, token, verifier, request):
        entry = request_tokens.get(token)
        return bool(entry and entry["verifier"] and entry["verifier"] == verifier)

    def invalidate_request_token(self, client_key, request_token, request):
        with lock:
            request_tokens.pop(request_token, None)

    def save_access_token(self, token, request):
        with lock:
            access_tokens[token["oauth_token"]] = token["oauth_token_secret"]

    def validate_access_token(self, client_key, token, request):
        return token in access_tokens

    def get_access_token_secret(self, client_key, token, request):
        return access_tokens.get(token, "dummy")

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        return True

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None, access_token=None):
        key = (client_key, timestamp, nonce, request_token, access_token)
        with lock:
            if key in seen_nonces:
                return False
            seen_nonces.add(key)
        return True


validator = Validator()
request_token_endpoint = RequestTokenEndpoint(validator)
authorization_endpoint = AuthorizationEndpoint(validator)
access_token_endpoint = AccessTokenEndpoint(validator)
resource_endpoint = ResourceEndpoint(validator)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = (self.rfile.read(length) if length else b"").decode("utf-8", "replace")
        uri = "http://%s%s" % (self.headers.get("Host"), self.path)
        headers = {k: v for k, v in self.headers.items()}
        path = urlsplit(uri).path
        try:
            if path == "/request_token" and self.command == "POST":
                self.answer(*request_token_endpoint.create_request_token_response(uri, "POST", body, headers))
            elif path == "/authorize" and self.command == "GET":
                self.authorize_page(dict(parse_qsl(urlsplit(uri).query)).get("oauth_token", ""))
            elif path == "/authorize" and self.command == "POST":
                token = dict(parse_qsl(body)).get("oauth_token", "")
                self.answer(*authorization_endpoint.create_authorization_response("%s?oauth_token=%s" % (uri, token), "GET"))
            elif path == "/access_token" and self.command == "POST":
                self.answer(*access_token_endpoint.create_access_token_response(uri, "POST", body, headers))
            else:
                valid, _ = resource_endpoint.validate_protected_resource_request(uri, self.command, body, headers)
                self.answer({"Content-Type": "application/json"}, json.dumps(USER if valid else {"message": "oauthlib rejected the request"}), 200 if valid else 401)
        except Exception as error:  # oauthlib raises for a malformed or unknown request token
            print("provider error: %s" % error, file=sys.stderr)
            self.answer({"Content-Type": "text/plain"}, "refused: %s" % error, 400)

    def authorize_page(self, token):
        page = (
            '<!DOCTYPE html><title>oauthlib provider</title><form method="post" action="/authorize">'
            '<input type="hidden" name="oauth_token" value="%s"><button id="approve">Approve</button></form>' % html.escape(token)
        )
        self.answer({"Content-Type": "text/html"}, page, 200)

    def answer(self, headers, body, status):
        data = (body or "").encode("utf-8")
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("listening %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
