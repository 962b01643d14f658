"""Drives upare's OAuth 2.0 provider with a real client library (authlib).

Authorization code with PKCE (S256) and HTTP Basic client authentication,
consent, a call with the bearer token, refresh with rotation and reuse
detection, RFC 7009 revocation. Run by scripts/oauth-client-test, which
starts the server and passes: BASE CLIENT_ID CLIENT_SECRET REDIRECT_URI COOKIE.
"""
import re
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

base, client_id, client_secret, redirect_uri, cookie = sys.argv[1:6]
authorize_url = f"{base}/api/Oauth/authorize"
token_url = f"{base}/api/Oauth/accessToken"
revoke_url = f"{base}/api/Oauth/revoke"
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


client = OAuth2Session(
    client_id, client_secret, scope="basic messages", redirect_uri=redirect_uri,
    code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
verifier = generate_token(64)
url, state = client.create_authorization_url(authorize_url, code_verifier=verifier)

# The browser: logged in by its session cookie, shown the consent page once.
browser = requests.Session()
name, value = cookie.split("=", 1)
browser.cookies.set(name, value)
page = browser.get(url, allow_redirects=False)
check(page.status_code == 200 and "asks to use your upare account" in page.text, "consent page shown")
fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
check(fields.get("state") == state and "consent_token" in fields, "the page carries state and a consent token")
fields["consent"] = "allow"
answer = browser.post(authorize_url, data=fields, allow_redirects=False)
location = answer.headers.get("Location", "")
check(answer.status_code == 302 and location.startswith(redirect_uri + "?"), "consent redirects to the registered URI")

token = client.fetch_token(token_url, authorization_response=location, code_verifier=verifier)
check(bool(token.get("access_token")) and token.get("token_type") == "Bearer", "code exchanged for tokens (PKCE, Basic auth)")
check(token.get("expires_in") == 3600 and token.get("scope") == "basic messages", "expires_in and scope as granted")

inbox = client.post(f"{base}/api/User/message").json()
check(inbox.get("error_code") == 0, "the bearer token works on User/message")

replayed = requests.post(token_url, auth=(client_id, client_secret), data={
    "grant_type": "authorization_code", "code": re.search(r"code=([^&]+)", location).group(1),
    "redirect_uri": redirect_uri, "code_verifier": verifier}).json()
check(replayed.get("error_code") == 201215, "a replayed code is refused")
check(client.post(f"{base}/api/User/message").json().get("error_code") == 201203, "and what it issued is revoked")

# A second grant (consent is remembered: straight to the redirect).
verifier = generate_token(64)
url, state = client.create_authorization_url(authorize_url, code_verifier=verifier)
answer = browser.get(url, allow_redirects=False)
check(answer.status_code == 302, "consent asked only once per client and scope")
token = client.fetch_token(token_url, authorization_response=answer.headers["Location"], code_verifier=verifier)
old_refresh = token["refresh_token"]
refreshed = client.refresh_token(token_url, refresh_token=old_refresh)
check(refreshed.get("refresh_token") not in (None, old_refresh), "refresh rotates the refresh token")
check(client.post(f"{base}/api/User/message").json().get("error_code") == 0, "the refreshed access token works")
reuse = requests.post(token_url, auth=(client_id, client_secret),
                      data={"grant_type": "refresh_token", "refresh_token": old_refresh}).json()
check(reuse.get("error_code") == 201209, "reusing a rotated refresh token is refused")
check(client.post(f"{base}/api/User/message").json().get("error_code") == 201203, "and revokes its family")
try:
    client.refresh_token(token_url, refresh_token=old_refresh)
    check(False, "authlib raises on a refused refresh")
except OAuthError as error:
    check(error.error == "invalid_grant", "authlib reads the RFC 6749 error (invalid_grant)")

# RFC 7009 revocation of a fresh grant's refresh token.
verifier = generate_token(64)
url, state = client.create_authorization_url(authorize_url, code_verifier=verifier)
answer = browser.get(url, allow_redirects=False)
token = client.fetch_token(token_url, authorization_response=answer.headers["Location"], code_verifier=verifier)
revoked = client.revoke_token(revoke_url, token=token["refresh_token"], token_type_hint="refresh_token")
check(revoked.status_code == 200 and revoked.json().get("error_code") == 0, "revoke answers success")
check(client.post(f"{base}/api/User/message").json().get("error_code") == 201203, "revoking the refresh token ends the grant")

print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
