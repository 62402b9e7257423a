// Shared by both pages: sign-in, the API client, error display, role gates and reconnecting WebSockets.
// The token lives in sessionStorage only (this tab, until it closes): never in a URL, a cookie or a log line.
'use strict';

const Dash = (() => {
  const TOKEN_KEY = 'spacetime.token';
  const errors = new Map(); // source -> message; a source's next success clears its error
  let who = null;
  let base = new URL('./', location.href);
  let pausedUntil = 0; // after a 429, polling waits for Retry-After

  class ApiError extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (k === 'class') node.className = v;
        else if (k === 'dataset') Object.assign(node.dataset, v);
        else if (k in node) node[k] = v;
        else node.setAttribute(k, v);
      }
    }
    for (const c of children) {
      if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  /** Where API paths are resolved: '../' for the scene manager (so /godot/web/ reaches /godot/...), '/' for the manager. */
  function setBase(relative) {
    base = new URL(relative, location.href);
  }

  function url(path) {
    return new URL(path.replace(/^\//, ''), base);
  }

  async function problemMessage(response) {
    const text = await response.text();
    try {
      const body = JSON.parse(text);
      return { message: body.detail || body.message || body.title || `${response.status} ${response.statusText}`, body };
    } catch {
      return { message: `${response.status} ${response.statusText}${text ? ': ' + text.slice(0, 200) : ''}`, body: null };
    }
  }

  /** Calls the API with the tab's token; throws ApiError with the problem+json message on any 4xx/5xx. */
  async function api(path, { method = 'GET', body, text = false, allow = [] } = {}) {
    const headers = { Authorization: `Bearer ${token() || ''}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(url(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, `${method} ${path}: the server did not answer (${e.message})`, null);
    }
    if (!response.ok && !allow.includes(response.status)) {
      const { message, body: problem } = await problemMessage(response);
      if (response.status === 429) pausedUntil = Date.now() + 1000 * (Number(response.headers.get('Retry-After')) || 5);
      if (response.status === 401 && who) signOut(`Your token was refused: ${message}. Sign in again.`);
      throw new ApiError(response.status, `${method} ${path} → ${response.status}: ${message}`, problem);
    }
    if (text) return response.text();
    const type = response.headers.get('Content-Type') || '';
    return type.includes('json') ? response.json() : response.text();
  }

  function renderErrors() {
    const list = $('errors');
    if (!list) return;
    list.replaceChildren(...[...errors.values()].map(m => el('li', null, m)));
    list.hidden = errors.size === 0;
  }

  function showError(source, error) {
    errors.set(source, error instanceof Error ? error.message : String(error));
    renderErrors();
  }

  function clearError(source) {
    if (errors.delete(source)) renderErrors();
  }

  /** Runs a call for a named source: its error is shown until the next success. Returns undefined on failure. */
  async function run(source, fn) {
    try {
      const result = await fn();
      clearError(source);
      return result;
    } catch (e) {
      showError(source, e);
      return undefined;
    }
  }

  function can(permission) {
    return !!who && who.permissions.includes(permission);
  }

  const leastRole = {
    'scene:write': 'developer',
    'input:write': 'developer',
    'debug:read': 'developer',
    'process:control': 'admin',
    'state:read': 'readonly',
    'status:read': 'readonly',
    'metrics:read': 'readonly',
  };

  /** Enables a control only for a role with the permission; otherwise disables it and says why. */
  function gate(control, permission) {
    const allowed = can(permission);
    control.disabled = !allowed;
    control.title = allowed ? '' : `Needs the ${leastRole[permission] || permission} role (you are ${who ? who.role : 'signed out'})`;
    control.dataset.gated = allowed ? '' : 'denied';
  }

  /** Shows, next to a group of controls, why they are disabled. */
  function gateNote(node, permission) {
    node.hidden = can(permission);
    node.textContent = can(permission) ? '' : `Read-only for you: these need the ${leastRole[permission] || permission} role (you are ${who ? who.role : 'signed out'}).`;
  }

  function signOut(reason) {
    sessionStorage.removeItem(TOKEN_KEY);
    who = null;
    document.body.classList.remove('signed-in');
    $('app').hidden = true;
    $('signin').hidden = false;
    $('whoami').textContent = '';
    $('signout').hidden = true;
    const message = $('signin-error');
    message.textContent = reason || '';
    message.hidden = !reason;
    onSignOut.forEach(f => f());
  }

  const onSignOut = [];

  /** Wires the sign-in form; calls start(who) once a token is accepted (also at load when the tab has one). */
  function initSignIn(start, stop) {
    if (stop) onSignOut.push(stop);
    const form = $('signin');
    const input = $('token');
    const message = $('signin-error');
    async function accept() {
      try {
        who = await api('auth/whoami');
      } catch (e) {
        sessionStorage.removeItem(TOKEN_KEY);
        const reason = e.status === 401 ? 'Sign-in failed: the token was refused (wrong, expired or revoked).'
          : e.status === 403 ? 'Sign-in failed: this token may not use the dashboard.'
          : `Sign-in failed: ${e.message}`;
        message.textContent = reason;
        message.hidden = false;
        return;
      }
      message.hidden = true;
      form.hidden = true;
      $('app').hidden = false;
      $('whoami').textContent = `${who.subject} (${who.role})`;
      $('signout').hidden = false;
      document.body.classList.add('signed-in');
      start(who);
    }
    form.addEventListener('submit', e => {
      e.preventDefault();
      const value = input.value.trim();
      input.value = '';
      if (!value) {
        message.textContent = 'Enter a token (spacetime token issue --role readonly).';
        message.hidden = false;
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, value);
      accept();
    });
    $('signout').addEventListener('click', () => signOut(''));
    if (token()) accept();
  }

  /**
   * A WebSocket that authenticates with its first message (never the URL) and reconnects with back-off
   * (0.5 s doubling to 10 s, reset once the server says "connected"). onEvent gets each parsed message.
   */
  function telemetry(path, onEvent, onState) {
    let socket = null;
    let delay = 500;
    let timer = null;
    let stopped = false;
    function connect() {
      timer = null;
      if (stopped) return;
      const target = url(path);
      target.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
      onState('connecting');
      socket = new WebSocket(target);
      socket.addEventListener('open', () => socket.send(JSON.stringify({ command: 'authenticate', token: token() })));
      socket.addEventListener('message', m => {
        let message;
        try {
          message = JSON.parse(m.data);
        } catch {
          return;
        }
        if (message.event === 'connected') {
          delay = 500;
          onState('live');
          clearError('telemetry');
        }
        onEvent(message);
      });
      socket.addEventListener('close', e => {
        socket = null;
        if (stopped) return;
        if (e.code === 1008) showError('telemetry', `Telemetry refused the token: ${e.reason || 'policy violation'}`);
        onState(`reconnecting in ${(delay / 1000).toFixed(1)} s`);
        timer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 10000);
      });
    }
    connect();
    return {
      close() {
        stopped = true;
        if (timer) clearTimeout(timer);
        if (socket) socket.close(1000, 'bye');
      },
    };
  }

  /** Repeats fn every ms while signed in, never overlapping itself. */
  function every(ms, fn) {
    let active = true;
    let handle = null;
    async function tick() {
      if (!active) return;
      if (Date.now() >= pausedUntil) await fn();
      if (active) handle = setTimeout(tick, ms);
    }
    tick();
    return () => {
      active = false;
      if (handle) clearTimeout(handle);
    };
  }

  function formatTime(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString();
  }

  function num(value, digits = 2) {
    return typeof value === 'number' ? value.toFixed(digits) : '—';
  }

  return { $, el, api, run, showError, clearError, can, gate, gateNote, initSignIn, telemetry, every, setBase, formatTime, num, ApiError };
})();
