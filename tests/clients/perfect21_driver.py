"""Drives the Perfect21 document's Python AuthClient, unchanged, through a whole account life
against a running authd: register, verify (token read from the mail directory), login, profile,
change password, refresh via the cookie, logout.

Usage: python3 perfect21_driver.py <base url ending in /v1> <mail dir>
Exits 0 when every step behaved as the document promises, 1 (with the failing step) otherwise.
"""

import email
import email.policy
import pathlib
import re
import sys
import time
import uuid

import requests

from perfect21_client import AuthClient, AuthError

PASSWORD = "Tr1cky-Harbor!Lamp"
NEW_PASSWORD = "Qu1et#Meadow-Stone"


def fail(step: str, detail: object) -> None:
    print(f"FAILED at {step}: {detail}", file=sys.stderr)
    sys.exit(1)


def check(condition: bool, step: str, detail: object = "") -> None:
    if not condition:
        fail(step, detail)


def mail_texts(mail_dir: pathlib.Path, recipient: str):
    """Decoded text of every .eml addressed to `recipient`."""
    for path in mail_dir.glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if recipient.lower() not in str(msg.get("To", "")).lower():
            continue
        parts = [p.get_content() for p in msg.walk() if p.get_content_maintype() == "text"]
        yield "\n".join(parts)


def verification_token(mail_dir: pathlib.Path, recipient: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for text in mail_texts(mail_dir, recipient):
            found = re.search(r"/verify-email\?token=([A-Za-z0-9_\-.~%]+)", text)
            if found:
                return requests.utils.unquote(found.group(1))
        time.sleep(0.05)
    fail("reading the verification mail", f"no mail to {recipient} in {mail_dir}")
    return ""


def main() -> None:
    base_url, mail_dir = sys.argv[1], pathlib.Path(sys.argv[2])
    username = f"py_{uuid.uuid4().hex[:10]}"
    address = f"{username}@example.com"
    auth = AuthClient(base_url)

    try:
        user = auth.register({
            "email": address,
            "username": username,
            "password": PASSWORD,
            "firstName": "John",
            "lastName": "Doe",
        })
        check(user["email"] == address and user["status"] == "pending", "register", user)

        token = verification_token(mail_dir, address)
        verified = requests.post(f"{base_url}/auth/verify-email", json={"token": token}, timeout=10)
        check(verified.status_code == 200, "verify-email", verified.text)

        login = auth.login({"email": address, "password": PASSWORD})
        check(login["user"]["username"] == username, "login", login)
        check(auth.is_authenticated(), "login stores the access token")
        check("refresh_token" in auth.session.cookies, "login sets the refresh cookie",
              auth.session.cookies)

        profile = auth.get_profile()
        check(profile["email"] == address and profile["firstName"] == "John", "get_profile",
              profile)

        updated = auth.update_profile({"firstName": "Johnny", "phone": "+1234567890"})
        check(updated["firstName"] == "Johnny" and updated["phone"] == "+1234567890",
              "update_profile", updated)

        auth.change_password(PASSWORD, NEW_PASSWORD)

        before = auth.access_token
        check(auth.refresh_token() is True, "refresh_token() with the cookie")
        check(auth.access_token not in (None, before), "refresh_token() stores a new token")
        check(auth.get_profile()["firstName"] == "Johnny", "get_profile after refresh")

        auth.logout()
        check(not auth.is_authenticated(), "logout clears the access token")
        check(auth.refresh_token() is False, "refresh_token() after logout fails")

        again = auth.login({"email": address, "password": NEW_PASSWORD})
        check(again["user"]["firstName"] == "Johnny", "login with the new password", again)
        try:
            AuthClient(base_url).login({"email": address, "password": PASSWORD})
            fail("login with the old password", "it succeeded")
        except AuthError as e:
            check(e.code == "INVALID_CREDENTIALS" and e.status == 401,
                  "login with the old password", (e.code, e.status))
    except AuthError as e:
        fail("an AuthClient call", f"[{e.status} {e.code}] {e.message}")
    except (KeyError, TypeError, ValueError) as e:
        fail("reading an answer", repr(e))

    print("perfect21 python client: every step passed")


if __name__ == "__main__":
    main()
