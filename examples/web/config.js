// Where the page finds authd: its /v1 base URL. Use the same host name as the page's own URL
// (localhost with localhost, 127.0.0.1 with 127.0.0.1): the refresh cookie is SameSite=Strict,
// and two host names are two sites (docs/frontend.md).
window.AUTHD_API = 'http://localhost:3000/v1';
