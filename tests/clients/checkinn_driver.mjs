// Runs the CheckInn document's "Frontend Integration" code against a running authd, with axios
// (pinned in ./checkinn/package.json) and `localStorage` as a plain Map-backed object: register,
// store the tokens as the document does, call GET /api/auth/me, let the access token expire, and
// let the document's interceptor refresh and retry.
//
// The document's three snippets are copied VERBATIM into the functions below, whose parameters
// (`axios`, `localStorage`, `window`, `response`) are what the snippets name, so that two flows
// can run side by side with axios instances of their own:
//
// 1. "literal": the snippets exactly as the document strings them together: the Authorization
//    header is set once in `axios.defaults`. The interceptor refreshes and stores the new access
//    token, but retries `error.config`, whose headers still carry the expired token (axios copies
//    the defaults into each request's config), so the retry is refused again and the interceptor
//    loops. No server can make that succeed. The driver stops the loop after a few requests and
//    asserts exactly that behaviour, so docs/checkinn.md can say it on evidence.
// 2. "per request": the same interceptor, VERBATIM, with the "Add Authorization Header" snippet
//    run before every request ("Add to all authenticated requests", as the document says), i.e.
//    in a request interceptor that reads `localStorage`. Then the expired call is refreshed,
//    retried with the new token, and succeeds.
//
// Usage: node checkinn_driver.mjs <authd base url> <mail dir>
// authd must run with a short access-token lifetime (JWT_EXPIRES_IN=1s); tokens are still
// accepted for the verifier's 30 s clock leeway, so the driver waits about 32 s once.
// Exits 0 when every step behaved as expected, 1 (with the failing step) otherwise.

import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';

const require = createRequire(new URL('./checkinn/package.json', import.meta.url));
const axiosModule = require('axios');

const [baseUrl] = process.argv.slice(2);
const LEEWAY_SECONDS = 30;

function fail(step, detail) {
  console.error(`FAILED at ${step}:`, detail);
  process.exit(1);
}

function check(condition, step, detail = '') {
  if (!condition) fail(step, typeof detail === 'string' ? detail : JSON.stringify(detail));
}

// ---- The browser, as far as the document's code touches it ----

function mapStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
    clear: () => items.clear(),
  };
}

function browserWindow() {
  return { location: { href: `${baseUrl}/` } };
}

// ---- The document's snippets, verbatim inside ----

// "Store Tokens Securely". `response` is the JSON answer of register or login
// (`{success, message, data: {token, refreshToken, user}}`), as the document shows it.
function storeTokens(localStorage, response) {
  // Store tokens in secure storage
  localStorage.setItem('accessToken', response.data.token);
  localStorage.setItem('refreshToken', response.data.refreshToken);
}

// "Add Authorization Header".
function addAuthorizationHeader(axios, localStorage) {
  // Add to all authenticated requests
  const token = localStorage.getItem('accessToken');
  axios.defaults.headers.common['Authorization'] = `Bearer ${token}`;
}

// "Handle Token Expiration".
function handleTokenExpiration(axios, localStorage, window) {
  // Automatically refresh tokens on 401 errors
  axios.interceptors.response.use(
    (response) => response,
    async (error) => {
      if (error.response.status === 401) {
        // Try to refresh token
        const refreshToken = localStorage.getItem('refreshToken');
        const response = await axios.post('/api/auth/refresh-token', { refreshToken });
        
        if (response.data.success) {
          localStorage.setItem('accessToken', response.data.token);
          // Retry original request
          return axios.request(error.config);
        } else {
          // Redirect to login
          window.location.href = '/login';
        }
      }
      return Promise.reject(error);
    }
  );
}

// ---- The flows ----

// A frontend served from authd's origin: the document's relative URLs resolve against it.
function frontend(name) {
  const axios = axiosModule.create({ baseURL: baseUrl });
  const localStorage = mapStorage();
  const window = browserWindow();
  // What went over the wire, for the assertions (runs after every other request interceptor).
  const sent = [];
  axios.interceptors.request.use((config) => {
    sent.push({ url: config.url, authorization: config.headers.get('Authorization') ?? null });
    if (sent.length > 8) {
      throw new Error(`${name}: stopped after ${sent.length - 1} requests`);
    }
    return config;
  });
  return { name, axios, localStorage, window, sent };
}

async function register(app) {
  const email = `checkinn_${randomUUID().slice(0, 12)}@example.com`;
  const answer = await app.axios.post('/api/auth/register', {
    name: 'John Doe',
    email,
    phone: '0987654321',
    password: 'SecurePass123!',
    role: 'Customer',
  });
  check(answer.status === 201, `${app.name}: register`, answer.data);
  const response = answer.data;
  storeTokens(app.localStorage, response);
  check(app.localStorage.getItem('accessToken') === response.data.token, `${app.name}: stored`);
  return email;
}

async function me(app, step) {
  try {
    return await app.axios.get('/api/auth/me');
  } catch (error) {
    fail(step, error.response ? `${error.response.status} ${JSON.stringify(error.response.data)}` : String(error));
  }
}

function expiryOf(token) {
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  check(claims.exp - claims.iat <= 5, 'the token lifetime', `run authd with JWT_EXPIRES_IN=1s: ${JSON.stringify(claims)}`);
  return claims.exp;
}

const literal = frontend('literal');
const perRequest = frontend('per request');

// literal: the header once, in the defaults, as the document's snippet sets it.
const literalEmail = await register(literal);
addAuthorizationHeader(literal.axios, literal.localStorage);
handleTokenExpiration(literal.axios, literal.localStorage, literal.window);

// per request: the same snippet run before each request.
const email = await register(perRequest);
perRequest.axios.interceptors.request.use((config) => {
  addAuthorizationHeader(perRequest.axios, perRequest.localStorage);
  config.headers.set('Authorization', perRequest.axios.defaults.headers.common['Authorization']);
  return config;
});
handleTokenExpiration(perRequest.axios, perRequest.localStorage, perRequest.window);

for (const app of [literal, perRequest]) {
  const before = await me(app, `${app.name}: GET /api/auth/me with a fresh token`);
  check(before.data.success === true && before.data.data.user.email === (app === literal ? literalEmail : email),
    `${app.name}: the profile`, before.data);
}

// Let both access tokens expire (and the verifier's leeway pass).
const expiries = [literal, perRequest].map((app) => expiryOf(app.localStorage.getItem('accessToken')));
const waitMs = (Math.max(...expiries) + LEEWAY_SECONDS + 2) * 1000 - Date.now();
await new Promise((resolve) => setTimeout(resolve, Math.max(waitMs, 0)));

// per request: refreshed, retried, answered.
const expired = perRequest.localStorage.getItem('accessToken');
perRequest.sent.length = 0;
const after = await me(perRequest, 'per request: GET /api/auth/me after expiry');
check(after.status === 200 && after.data.data.user.email === email, 'per request: the retried profile', after.data);
const renewed = perRequest.localStorage.getItem('accessToken');
check(renewed && renewed !== expired, 'per request: a new access token stored');
check(
  JSON.stringify(perRequest.sent.map((r) => r.url)) ===
    JSON.stringify(['/api/auth/me', '/api/auth/refresh-token', '/api/auth/me']),
  'per request: the requests',
  perRequest.sent,
);
check(perRequest.sent[0].authorization === `Bearer ${expired}`, 'per request: first with the expired token', perRequest.sent);
check(perRequest.sent[2].authorization === `Bearer ${renewed}`, 'per request: retried with the new token', perRequest.sent);

// literal: the interceptor refreshes, stores the new token, and retries with the old header.
const stale = literal.localStorage.getItem('accessToken');
literal.sent.length = 0;
let outcome;
try {
  outcome = await literal.axios.get('/api/auth/me');
} catch (error) {
  outcome = error;
}
check(!(outcome && outcome.status === 200), 'literal: the document code cannot succeed', outcome && outcome.data);
check(literal.localStorage.getItem('accessToken') !== stale, 'literal: the refresh stored a new token');
const urls = literal.sent.map((r) => r.url);
check(urls[0] === '/api/auth/me' && urls[1] === '/api/auth/refresh-token' && urls[2] === '/api/auth/me',
  'literal: refreshed, then retried', literal.sent);
check(literal.sent[2].authorization === `Bearer ${stale}`, 'literal: the retry carried the expired token', literal.sent);
check(literal.window.location.href === `${baseUrl}/`, 'literal: no redirect to /login (authd answers 401, axios throws)');

console.log('checkinn driver: per-request flow refreshed and retried; literal flow loops as analysed');
