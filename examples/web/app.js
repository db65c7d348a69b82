// The page's own code around the Perfect21 AuthClient (auth-client.js, unchanged): forms,
// views and messages. The access token lives in the AuthClient's memory only; the refresh token
// is the HttpOnly `refresh_token` cookie authd sets, which scripts never see. A reload therefore
// starts with no access token and asks authd for one with the cookie (refreshToken()).
'use strict';

const auth = new AuthClient(window.AUTHD_API);

const $ = (id) => document.getElementById(id);

// `state` (data-state) is what a test or a stylesheet keys on; the text is for people.
function say(text, state) {
  const message = $('message');
  message.textContent = text;
  message.dataset.state = state;
}

function show(view) {
  for (const id of ['signed-out', 'signed-in']) {
    $(id).hidden = id !== view;
  }
}

// An AuthError carries authd's error code; anything else is a network or CORS failure, which
// a page cannot look into (the browser hides the reason from scripts).
function explain(error) {
  if (error instanceof AuthError) {
    return `${error.message} (${error.code})`;
  }
  return `authd could not be reached (${error.message})`;
}

async function showProfile() {
  const profile = await auth.getProfile();
  $('profile-email').textContent = profile.email;
  $('profile-username').textContent = profile.username;
  $('profile-name').textContent = [profile.firstName, profile.lastName].filter(Boolean).join(' ');
  show('signed-in');
}

async function register(event) {
  event.preventDefault();
  try {
    await auth.register({
      email: $('register-email').value,
      username: $('register-username').value,
      password: $('register-password').value,
      firstName: $('register-first-name').value,
      lastName: $('register-last-name').value,
    });
    $('register-form').reset();
    say('Account created. Open the link in the email we sent you, then sign in.', 'registered');
  } catch (error) {
    say(`Registration failed: ${explain(error)}`, 'error');
  }
}

async function login(event) {
  event.preventDefault();
  try {
    await auth.login({
      email: $('login-email').value,
      password: $('login-password').value,
      rememberMe: $('login-remember').checked,
    });
    $('login-form').reset();
    await showProfile();
    say('Signed in.', 'signed-in');
  } catch (error) {
    say(`Sign-in failed: ${explain(error)}`, 'error');
  }
}

async function reloadProfile() {
  try {
    await showProfile();
    say('Profile reloaded.', 'reloaded');
  } catch (error) {
    show('signed-out');
    say(`Could not load your profile: ${explain(error)}`, 'error');
  }
}

async function logout() {
  try {
    await auth.logout();
    show('signed-out');
    say('Signed out.', 'signed-out');
  } catch (error) {
    say(`Sign-out failed: ${explain(error)}`, 'error');
  }
}

// On every load: the cookie, if the browser still has one, brings a new access token.
async function restore() {
  if (await auth.refreshToken()) {
    try {
      await showProfile();
      say('Welcome back: your session was restored.', 'restored');
      return;
    } catch (error) {
      say(`Could not load your profile: ${explain(error)}`, 'error');
    }
  }
  show('signed-out');
  if ($('message').dataset.state !== 'error') {
    say('Not signed in.', 'signed-out');
  }
}

// The page the mailed link {APP_BASE_URL}/verify-email?token=… opens. It confirms the address
// when the person presses the button, never on load: mail scanners open links, some run their
// scripts, and the token is single-use (docs/decisions.md). The AuthClient has no verify
// method; its generic request() posts the token.
function verify() {
  const token = new URLSearchParams(location.search).get('token');
  // The token is single-use; keep it out of the history and of bookmarks.
  history.replaceState(null, '', location.pathname);
  if (!token) {
    say('This link has no token. Open the link from the email as it is.', 'error');
    return;
  }
  const confirm = $('confirm');
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    try {
      await auth.request('/auth/verify-email', {
        method: 'POST',
        body: JSON.stringify({ token }),
      });
      confirm.hidden = true;
      say('Your email is verified. You can sign in now.', 'verified');
    } catch (error) {
      say(`Verification failed: ${explain(error)}`, 'error');
    }
    $('continue').hidden = false;
  });
  confirm.disabled = false;
  say('Press the button to confirm that this email address is yours.', 'ready');
}

if ($('verify')) {
  verify();
} else {
  $('register-form').addEventListener('submit', register);
  $('login-form').addEventListener('submit', login);
  $('reload-profile').addEventListener('click', reloadProfile);
  $('logout').addEventListener('click', logout);
  restore();
}
