"""The throw-away SMTP server of authd's tests (see smtp.rs): aiosmtpd storing every message in a
Maildir, with optional STARTTLS or implicit TLS, optional AUTH, and two recipient prefixes that
make it answer like a real server in trouble:

  reject-...@...  550, a permanent rejection of that recipient;
  defer-...@...   451, a temporary failure.

It exits on its own once the test process that started it is gone.
"""

import argparse
import asyncio
import os
import ssl

from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject-"):
            return "550 5.1.1 Mailbox unavailable"
        if local.startswith("defer-"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return check


async def exit_with_parent(parent):
    # Re-parenting (to init or a subreaper) means the test process is gone.
    while os.getppid() == parent:
        await asyncio.sleep(0.2)
    os._exit(0)


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password")
    args = p.parse_args()

    context = None
    if args.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    handler = Handler(args.maildir)
    options = dict(
        hostname="localhost",
        # A test server: AUTH is also offered on plain and implicit-TLS connections.
        auth_require_tls=False,
        auth_required=args.user is not None,
        authenticator=authenticator(args.user, args.password) if args.user else None,
    )
    if args.tls == "starttls":
        options.update(tls_context=context, require_starttls=True)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, **options),
        host="127.0.0.1",
        port=args.port,
        ssl=context if args.tls == "implicit" else None,
        reuse_address=True,
    )
    loop.create_task(exit_with_parent(os.getppid()))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
