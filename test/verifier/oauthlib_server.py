"""An OAuth 1.0a resource server built on oauthlib, the library behind requests_oauthlib.

Tests send signed requests here: a 200 means an implementation we did not write agrees
with our signature. Configuration comes from the environment (VERIFIER_CONSUMER_KEY,
VERIFIER_CONSUMER_SECRET, VERIFIER_TOKEN, VERIFIER_TOKEN_SECRET, and VERIFIER_RSA_PUBLIC_KEY,
the PEM public key that checks RSA-SHA* signatures). The port is printed on the first line
of stdout as "listening <port>".

Realms are oauthlib's to decide: it reads the realm of the Authorization header
(request.realm) and asks RequestValidator.validate_realms whether the request may reach a
resource protected under the realms the server names. A test names them in the
X-Resource-Realm header, percent-encoded (absent: any realm, or none, will do); a realm that is not one of
them is refused.

oauthlib signs `oauth_body_hash` like any other parameter but does not check it against the
body, so this server does (OAuth Request Body Hash draft §4.2): a request whose hash does
not match its body bytes is refused. The hash follows the draft and providers' documents,
not the package's table: see body_hash_algorithm.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qsl, unquote

from oauthlib.common import Request
from oauthlib.oauth1 import RequestValidator, ResourceEndpoint, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849 import (
    SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256, SIGNATURE_HMAC_SHA512,
    SIGNATURE_RSA_SHA1, SIGNATURE_RSA_SHA256, SIGNATURE_RSA_SHA512, SIGNATURE_PLAINTEXT,
)
from oauthlib.oauth1.rfc5849 import signature as rfc_signature

CONSUMER_KEY = os.environ.get("VERIFIER_CONSUMER_KEY", "testkey")
CONSUMER_SECRET = os.environ.get("VERIFIER_CONSUMER_SECRET", "testsecret")
TOKEN = os.environ.get("VERIFIER_TOKEN", "testtoken")
TOKEN_SECRET = os.environ.get("VERIFIER_TOKEN_SECRET", "testtokensecret")
RSA_PUBLIC_KEY = os.environ.get("VERIFIER_RSA_PUBLIC_KEY", "")

SIGNATURE_METHODS = (
    SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256, SIGNATURE_HMAC_SHA512,
    SIGNATURE_RSA_SHA1, SIGNATURE_RSA_SHA256, SIGNATURE_RSA_SHA512, SIGNATURE_PLAINTEXT,
)

seen_nonces = set()
nonce_lock = threading.Lock()


class Validator(RequestValidator):
    allowed_signature_methods = SIGNATURE_METHODS
    enforce_ssl = False
    dummy_client = "dummy-client"
    dummy_access_token = "dummy-token"

    # Keys in tests are short; oauthlib's default format check wants 20-30 characters.
    def check_client_key(self, client_key):
        return True

    def check_access_token(self, request_token):
        return True

    def validate_client_key(self, client_key, request):
        return client_key == CONSUMER_KEY

    def get_client_secret(self, client_key, request):
        return CONSUMER_SECRET if client_key == CONSUMER_KEY else "dummy"

    def validate_access_token(self, client_key, token, request):
        return token == TOKEN

    def get_access_token_secret(self, client_key, token, request):
        return TOKEN_SECRET if token == TOKEN else "dummy"

    def get_rsa_key(self, client_key, request):
        return RSA_PUBLIC_KEY

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        # realms: those the resource is protected under; request.realm: what oauthlib read from the header.
        return not realms or request.realm in realms

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None, access_token=None):
        key = (client_key, timestamp, nonce, access_token)
        with nonce_lock:
            if key in seen_nonces:
                return False
            seen_nonces.add(key)
        return True


validator = Validator()
resource_endpoint = ResourceEndpoint(validator)
signature_only_endpoint = SignatureOnlyEndpoint(validator)


def expected_base_string(uri, method, body, headers):
    """The base string oauthlib computes, returned on failure so a test can show the difference."""
    try:
        content_type = headers.get("Content-Type", "")
        form_body = body if content_type.startswith("application/x-www-form-urlencoded") else ""
        params = rfc_signature.collect_parameters(
            uri_query=urlsplit(uri).query, body=form_body, headers=headers, exclude_oauth_signature=True
        )
        return rfc_signature.signature_base_string(
            method, rfc_signature.base_string_uri(uri), rfc_signature.normalize_parameters(params)
        )
    except Exception as error:  # the request was malformed; say why
        return "unavailable: %s" % error


def body_hash_algorithm(signature_method):
    """The hash of oauth_body_hash, from the OAuth Request Body Hash draft (draft-eaton-oauth-bodyhash-00).

    §3.2: HMAC-SHA1 and RSA-SHA1 MUST use SHA-1; a new signature method SHOULD name its own.
    The providers that document one for the SHA-2 methods use the method's hash (Mastercard:
    SHA-256 with RSA-SHA256), so SHA-256 and SHA-512 for those. PLAINTEXT: the draft does not
    recommend a body hash with it and defines no other hash than SHA-1.
    (oauthlib's own client hashes with SHA-1 whatever the method.)
    """
    suffix = signature_method.rsplit("-", 1)[-1]
    return {"SHA256": "sha256", "SHA512": "sha512"}.get(suffix, "sha1")


def body_hash_problem(request, raw_body):
    """Why the request's oauth_body_hash does not match its body, or None (also when there is none)."""
    sent = request.oauth_params.get("oauth_body_hash") if request else None
    if sent is None:
        return None
    if "application/x-www-form-urlencoded" in (request.headers.get("Content-Type") or ""):
        return "oauth_body_hash on a form body"
    digest = hashlib.new(body_hash_algorithm(request.signature_method), raw_body).digest()
    if not hmac.compare_digest(base64.b64encode(digest).decode("ascii"), sent):
        return "oauth_body_hash does not match the body"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        body = raw_body.decode("utf-8", "replace")
        uri = "http://%s%s" % (self.headers.get("Host"), self.path)
        headers = {k: v for k, v in self.headers.items()}
        method = self.command
        has_token = "oauth_token" in uri or "oauth_token" in headers.get("Authorization", "")
        realm_header = headers.pop("X-Resource-Realm", None)
        realms = None if realm_header is None else [unquote(realm_header)]
        try:
            if has_token:
                valid, request = resource_endpoint.validate_protected_resource_request(uri, method, body, headers, realms=realms)
            else:
                # oauthlib's signature-only endpoint (1-legged) checks no realm; the same validator method does.
                valid, request = signature_only_endpoint.validate_request(uri, method, body, headers)
                valid = valid and validator.validate_realms(request.client_key, None, request, uri=uri, realms=realms)
        except Exception as error:
            valid, request = False, None
            print("verifier error: %s" % error, file=sys.stderr)
        problem = body_hash_problem(request, raw_body) if valid else None
        if valid and not problem:
            query = [[k, v] for k, v in parse_qsl(urlsplit(uri).query, keep_blank_values=True) if not k.startswith("oauth_")]
            self.reply(200, {
                "ok": True,
                "method": method,
                "path": urlsplit(uri).path,
                "query": query,
                "body": body,
                "contentType": headers.get("Content-Type"),
                "signatureMethod": request.signature_method if request else None,
                "token": bool(has_token),
                "realm": request.realm,
                "bodyHash": request.oauth_params.get("oauth_body_hash"),
                "cookie": headers.get("Cookie"),
                "bodyBase64": base64.b64encode(raw_body).decode("ascii"),
            })
        else:
            self.reply(401, {
                "code": 117,
                "name": "OAUTH_SIGNATURE_EXCEPTION",
                "message": problem or "oauthlib rejected the request",
                "realm": request.realm if request else None,
                "uri": uri,
                "baseString": expected_base_string(uri, method, body, headers),
            })

    def reply(self, status, payload):
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("VERIFIER_PORT", "0"))), Handler)
    server.daemon_threads = True
    print("listening %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
