// Reload and scale, shown only when /api/admin says the endpoint takes mutations (started with
// --admin-token). The token is asked for on the page, kept in this tab's sessionStorage, and sent as
// `Authorization: Bearer`; without it the page stays read-only. The answer, or the refusal, is shown as is.

const TOKEN_KEY = 'jcluster.adminToken';

const REFUSALS = {
  401: 'refused (401): the token is wrong or missing',
  403: 'refused (403): this endpoint is read-only (started without --admin-token)',
};

export class Controls {
  constructor(doc) {
    const $ = id => doc.getElementById(id);
    this.section = $('controls');
    this.tokenForm = $('token-form');
    this.tokenInput = $('token-input');
    this.tokenForget = $('token-forget');
    this.tokenState = $('token-state');
    this.reloadButton = $('reload-button');
    this.scaleForm = $('scale-form');
    this.scaleCount = $('scale-count');
    this.scaleButton = $('scale-button');
    this.answer = $('answer');
    this.answerTitle = $('answer-title');
    this.answerBody = $('answer-body');
    this.scaleEdited = false;
    this.busy = false;

    this.tokenForm.addEventListener('submit', ev => {
      ev.preventDefault();
      const t = this.tokenInput.value.trim();
      if (t) this.setToken(t);
      this.tokenInput.value = '';
    });
    this.tokenForget.addEventListener('click', () => this.setToken(null));
    this.reloadButton.addEventListener('click', () => this.send('Reload', '/api/reload', null));
    this.scaleCount.addEventListener('input', () => { this.scaleEdited = true; });
    this.scaleForm.addEventListener('submit', ev => {
      ev.preventDefault();
      const n = Number(this.scaleCount.value);
      if (!Number.isInteger(n) || n < 0) {
        this.show('Scale', 'the number of workers must be a whole number, 0 or more', null, false);
        return;
      }
      this.send('Scale', '/api/scale', { count: n });
    });
    this.showTokenState();
  }

  /** Asks /api/admin whether to show the controls; keeps them hidden when it cannot tell. */
  async probe() {
    try {
      const r = await fetch('/api/admin', { cache: 'no-store' });
      const body = r.ok ? await r.json() : null;
      this.section.hidden = !(body && body.mutations === true);
    } catch {
      this.section.hidden = true;
    }
  }

  /** The cluster's target, as the scale field's value until the user types another. */
  target(n) {
    if (!this.scaleEdited && typeof n === 'number' && Number.isFinite(n)) this.scaleCount.value = String(n);
  }

  token() {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  }

  setToken(t) {
    try {
      if (t) sessionStorage.setItem(TOKEN_KEY, t);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // storage refused (a locked-down browser): the token lives as long as this page
    }
    this.memoryToken = t || null;
    this.showTokenState();
  }

  currentToken() {
    return this.token() || this.memoryToken || null;
  }

  showTokenState() {
    const has = Boolean(this.currentToken());
    this.tokenState.textContent = has ? 'token set (kept for this tab only)' : 'no token: read-only';
    this.tokenForget.hidden = !has;
  }

  async send(what, path, body) {
    if (this.busy) return;
    const token = this.currentToken();
    if (!token) {
      this.show(what, 'needs the admin token: enter it above first', null, false);
      this.tokenInput.focus();
      return;
    }
    this.setBusy(true);
    this.show(what, 'sent, waiting for the answer…', null, true);
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== null) headers['Content-Type'] = 'application/json';
    try {
      const r = await fetch(path, { method: 'POST', headers, body: body === null ? undefined : JSON.stringify(body),
        cache: 'no-store' });
      const raw = await r.text();
      const summary = r.ok ? `done (${r.status})` : REFUSALS[r.status] || `failed (${r.status} ${r.statusText})`;
      this.show(what, summary, pretty(raw), r.ok);
    } catch (e) {
      this.show(what, `no answer: ${e && e.message ? e.message : e}`, null, false);
    } finally {
      this.setBusy(false);
    }
  }

  setBusy(b) {
    this.busy = b;
    this.reloadButton.disabled = b;
    this.scaleButton.disabled = b;
  }

  show(what, summary, body, ok) {
    this.answer.hidden = false;
    this.answer.classList.toggle('answer-error', !ok);
    this.answer.classList.toggle('answer-ok', ok);
    this.answerTitle.textContent = `${what}: ${summary}`;
    this.answerBody.textContent = body || '';
    this.answerBody.hidden = !body;
  }
}

function pretty(raw) {
  if (!raw) return '';
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}
