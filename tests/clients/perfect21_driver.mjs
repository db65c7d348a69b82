// Drives the Perfect21 document's JavaScript AuthClient, unchanged, against a running authd:
// register, verify (token read from the mail directory), login, profile, logout.
//
// Node's fetch keeps no cookies (`credentials: 'include'` only means something in a browser), so
// the client's cookie-based refreshToken() cannot succeed here: authd answers 400
// MISSING_REFRESH_TOKEN, and refreshToken() returns false and forgets the access token. The
// driver asserts exactly that, and that the same request() refreshes when given the token in
// the body.
//
// Usage: node perfect21_driver.mjs <base url ending in /v1> <mail dir>
// Exits 0 when every step behaved as expected, 1 (with the failing step) otherwise.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AuthClient, AuthError } from './perfect21_client.mjs';

const PASSWORD = 'Tr1cky-Harbor!Lamp';
const [baseUrl, mailDir] = process.argv.slice(2);

function fail(step, detail) {
  console.error(`FAILED at ${step}:`, detail);
  process.exit(1);
}

function check(condition, step, detail = '') {
  if (!condition) fail(step, detail);
}

// Undoes quoted-printable and base64 transfer encodings well enough to find a link.
function decodedTexts(raw) {
  const texts = [raw, raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g,
    (_, hex) => String.fromCharCode(parseInt(hex, 16)))];
  for (const block of raw.split(/\r?\n\r?\n/)) {
    const compact = block.replace(/\s+/g, '');
    if (/^[A-Za-z0-9+/]+=*$/.test(compact) && compact.length >= 16) {
      texts.push(Buffer.from(compact, 'base64').toString('utf8'));
    }
  }
  return texts;
}

async function verificationToken(recipient) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    for (const name of readdirSync(mailDir).filter((n) => n.endsWith('.eml'))) {
      const raw = readFileSync(join(mailDir, name), 'utf8');
      if (!raw.toLowerCase().includes(recipient.toLowerCase())) continue;
      for (const text of decodedTexts(raw)) {
        const found = text.match(/\/verify-email\?token=([A-Za-z0-9_\-.~%]+)/);
        if (found) return decodeURIComponent(found[1]);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  fail('reading the verification mail', `no mail to ${recipient} in ${mailDir}`);
}

async function expectAuthError(promise, step, status, code) {
  try {
    await promise;
  } catch (error) {
    check(error instanceof AuthError && error.status === status && error.code === code, step,
      error);
    return;
  }
  fail(step, 'it succeeded');
}

async function main() {
  const username = `js_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const email = `${username}@example.com`;
  const auth = new AuthClient(baseUrl);

  const user = await auth.register({
    email, username, password: PASSWORD, firstName: 'John', lastName: 'Doe',
  });
  check(user.email === email && user.status === 'pending', 'register', user);

  const token = await verificationToken(email);
  const verified = await fetch(`${baseUrl}/auth/verify-email`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }),
  });
  check(verified.status === 200, 'verify-email', await verified.text());

  const login = await auth.login({ email, password: PASSWORD });
  check(login.user.username === username && auth.isAuthenticated(), 'login', login);

  const profile = await auth.getProfile();
  check(profile.email === email, 'getProfile', profile);

  const updated = await auth.updateProfile({ firstName: 'Johnny', phone: '+1234567890' });
  check(updated.firstName === 'Johnny' && updated.phone === '+1234567890', 'updateProfile',
    updated);

  // logout() posts an empty body with Content-Type: application/json and the bearer token.
  await auth.logout();
  check(!auth.isAuthenticated(), 'logout clears the access token');

  const second = await auth.login({ email, password: PASSWORD });

  // No cookie jar in Node: the cookie-based refresh is refused and the client signs out.
  await expectAuthError(auth.request('/auth/refresh', { method: 'POST' }),
    'refresh without a cookie', 400, 'MISSING_REFRESH_TOKEN');
  check((await auth.refreshToken()) === false, 'refreshToken() without a cookie returns false');
  check(!auth.isAuthenticated(), 'a failed refreshToken() forgets the access token');

  // The same request() refreshes once the token travels in the body.
  const refreshed = await auth.request('/auth/refresh', {
    method: 'POST', body: JSON.stringify({ refreshToken: second.refreshToken }),
  });
  check(typeof refreshed.data.accessToken === 'string', 'refresh with the token in the body',
    refreshed);
  auth.accessToken = refreshed.data.accessToken;
  check((await auth.getProfile()).firstName === 'Johnny', 'getProfile after refresh');

  // A rejected access token makes request() try refreshToken(), which fails here, so the
  // original 401 reaches the caller.
  auth.accessToken = 'not-a-valid-token';
  await expectAuthError(auth.getProfile(), 'a bad access token', 401, 'INVALID_TOKEN');
  check(!auth.isAuthenticated(), 'the failed automatic refresh forgets the access token');

  console.log('perfect21 javascript client: every step passed');
}

main().catch((error) => fail('an AuthClient call', error));
