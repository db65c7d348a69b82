// The built-in pages of the links authd mails. The token is read from the page's own address
// (then removed from it) and posted to the API only when the person presses the button: a mail scanner that fetches
// the link, even one that runs scripts, spends nothing.
'use strict';

(function () {
  // Relative to the page, so that a proxy's path prefix carries over.
  var ROUTES = {
    'verify-email': 'v1/auth/verify-email',
    'unlock-account': 'v1/auth/unlock',
    'reset-password': 'v1/auth/reset-password'
  };

  var DONE = {
    'verify-email': 'Your email address is confirmed. You can now sign in.',
    'unlock-account': 'Your account is unlocked. You can sign in again with your password.',
    'reset-password': 'Your password has been changed. Every device that was signed in has ' +
      'been signed out: sign in again with your new password.'
  };

  // What to do next when the link no longer works.
  var NEXT = {
    'verify-email': 'If you have already confirmed your address, simply sign in; otherwise ' +
      'ask for a new verification email from the sign-in page.',
    'unlock-account': 'If your account is still locked, wait for the lock to end, or reset ' +
      'your password with "Forgot password".',
    'reset-password': 'Ask for a new password reset email with "Forgot password".'
  };

  var page = document.body.getAttribute('data-page');
  var status = document.getElementById('status');
  var submit = document.getElementById('submit');
  var token = new URLSearchParams(window.location.search).get('token');
  // The token stays in this script's memory only: out of the address bar, the history and a
  // bookmark, where the next person at this computer would find a link that still works.
  if (window.location.search) {
    window.history.replaceState(null, '', window.location.pathname);
  }

  function show(state, text) {
    status.setAttribute('data-state', state);
    status.textContent = text;
  }

  // Shows `messages` (one or several sentences) under the field `id`, or clears them.
  function fieldError(id, messages) {
    var field = document.getElementById(id);
    var error = document.getElementById(id + '-error');
    if (!field || !error) {
      return;
    }
    var list = [].concat(messages || []).filter(Boolean);
    error.textContent = '';
    if (list.length === 1) {
      error.textContent = list[0];
    } else if (list.length > 1) {
      var ul = document.createElement('ul');
      list.forEach(function (message) {
        var li = document.createElement('li');
        li.textContent = message;
        ul.appendChild(li);
      });
      error.appendChild(ul);
    }
    if (list.length) {
      field.setAttribute('aria-invalid', 'true');
    } else {
      field.removeAttribute('aria-invalid');
    }
  }

  // The sentence for an error envelope `{success: false, error: {code, message, details?}}`.
  function failure(status, body) {
    var error = (body && body.error) || {};
    switch (error.code) {
      case 'INVALID_TOKEN':
        return 'This link is not valid or has already been used. ' + NEXT[page];
      case 'TOKEN_EXPIRED':
        return 'This link has expired. ' + NEXT[page];
      case 'MISSING_TOKEN':
        return incomplete();
      case 'RATE_LIMIT_EXCEEDED':
        return 'Too many attempts from your network. ' + (error.message || 'Try again later.');
      case 'VALIDATION_ERROR':
      case 'INVALID_PASSWORD_STRENGTH':
        return 'Please correct the password and try again.';
      default:
        if (status >= 500) {
          return 'The service could not answer just now. Please try again in a moment.';
        }
        return error.message || 'Something went wrong. Please try again.';
    }
  }

  function incomplete() {
    return 'This link is incomplete. Open the link from the email again, or copy the whole ' +
      'address into the browser.';
  }

  // POSTs `body` as JSON to the page's route; resolves to `{status, body}`.
  function call(body) {
    return fetch(ROUTES[page], {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (json) {
        return { status: res.status, body: json };
      });
    });
  }

  function unreachable() {
    show('error', 'The service could not be reached. Check your connection and try again.');
    submit.disabled = false;
  }

  function confirmOnPress() {
    submit.addEventListener('click', function () {
      submit.disabled = true;
      show('pending', 'One moment…');
      call({ token: token }).then(function (answer) {
        if (answer.body && answer.body.success) {
          show('ok', DONE[page]);
          submit.hidden = true;
        } else {
          show('error', failure(answer.status, answer.body));
          // Only a failure of the service is worth a second press; a dead link stays dead.
          submit.disabled = answer.status < 500 && answer.status !== 429;
        }
      }, unreachable);
    });
  }

  // The policy problems of `details` next to the field; anything else in the status line.
  function showDetails(details) {
    fieldError('new-password', (details || []).map(function (d) { return d.message; }));
  }

  function resetOnSubmit() {
    var form = document.getElementById('reset-form');
    var password = document.getElementById('new-password');
    var confirmation = document.getElementById('confirm-password');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      fieldError('new-password', null);
      fieldError('confirm-password', null);
      if (!password.value) {
        fieldError('new-password', 'Enter a new password.');
        show('error', 'Please correct the password and try again.');
        password.focus();
        return;
      }
      if (password.value !== confirmation.value) {
        fieldError('confirm-password', 'The two passwords are not the same.');
        show('error', 'Please correct the password and try again.');
        confirmation.focus();
        return;
      }
      submit.disabled = true;
      show('pending', 'One moment…');
      call({ token: token, newPassword: password.value }).then(function (answer) {
        if (answer.body && answer.body.success) {
          show('ok', DONE[page]);
          form.hidden = true;
          password.value = '';
          confirmation.value = '';
          return;
        }
        var error = (answer.body && answer.body.error) || {};
        show('error', failure(answer.status, answer.body));
        if (error.details && error.details.length) {
          showDetails(error.details);
          password.focus();
        }
        // A dead link stays dead; anything else may be corrected and sent again.
        submit.disabled = error.code === 'INVALID_TOKEN' || error.code === 'TOKEN_EXPIRED' ||
          error.code === 'MISSING_TOKEN';
      }, unreachable);
    });
  }

  if (!ROUTES[page] || !status || !submit) {
    return;
  }
  if (!token || !token.trim()) {
    show('error', incomplete());
    return;
  }
  if (page === 'reset-password') {
    resetOnSubmit();
  } else {
    confirmOnPress();
  }
  submit.disabled = false;
}());
