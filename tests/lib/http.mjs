import { timeScale } from './server.mjs';
// Tiny HTTP helpers for the integration tests: a cookie-jar client on top of
// the global fetch (redirects never followed), HTML helpers, login.

/** Decode the HTML entities the server may use in text and attribute values. */
export function decodeEntities(s) {
  const named = {
    amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0',
    auml: 'ä', ouml: 'ö', uuml: 'ü', Auml: 'Ä', Ouml: 'Ö', Uuml: 'Ü', szlig: 'ß',
    euro: '€', middot: '·', ndash: '–', mdash: '—', shy: '\u00ad', copy: '©',
  };
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return String.fromCodePoint(cp);
    }
    return Object.hasOwn(named, e) ? named[e] : m;
  });
}

/** Attributes of one start tag, e.g. '<a class="x" href="/">' → {class: 'x', href: '/'}. */
export function attrsOf(tag) {
  const attrs = {};
  const re = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  const inner = tag.replace(/^<\s*[a-zA-Z0-9]+/, '').replace(/\/?>$/, '');
  let m;
  while ((m = re.exec(inner))) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

/** Visible-ish text of an HTML fragment: tags dropped, entities decoded, spaces collapsed. */
export function textOf(html) {
  return decodeEntities(
    html
      .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]*>/g, ' '),
  ).replace(/[\s\u00a0]+/g, ' ').trim();
}

/** All start tags of one element name with their attributes, e.g. tags(html, 'input'). */
export function tags(html, name) {
  const re = new RegExp(`<${name}\\b[^>]*>`, 'gi');
  return [...html.matchAll(re)].map((m) => ({ tag: m[0], attrs: attrsOf(m[0]), index: m.index }));
}

/** All links: [{href, class, attrs, text, html}]. */
export function links(html) {
  return [...html.matchAll(/<a\b[^>]*>([\s\S]*?)<\/a\s*>/gi)].map((m) => {
    const attrs = attrsOf(m[0].match(/^<a\b[^>]*>/i)[0]);
    return { href: attrs.href, class: attrs.class ?? '', attrs, text: textOf(m[1]), html: m[0], index: m.index };
  });
}

/** Inner HTML of the first element `name` (e.g. 'header', 'footer'), or null. */
export function element(html, name) {
  const m = html.match(new RegExp(`<${name}\\b[^>]*>([\\s\\S]*?)</${name}\\s*>`, 'i'));
  return m ? m[0] : null;
}

/** The value of the hidden csrf field (first one) in a page, or null. */
export function csrfFrom(html) {
  for (const { attrs } of tags(html, 'input')) {
    if (attrs.name === 'csrf' && attrs.value !== undefined) return attrs.value;
  }
  return null;
}

/** A cookie jar client; never follows redirects. */
export class Client {
  constructor(baseUrl) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.cookies = new Map();
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  setCookie(name, value) {
    this.cookies.set(name, value);
  }

  keepCookies(headers) {
    const list = typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : [];
    for (const sc of list) {
      const [pair, ...attrs] = sc.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let expired = value === '';
      for (const a of attrs) {
        const [k, v = ''] = a.split('=').map((x) => x.trim());
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) expired = true;
      }
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(method, path, { body, headers = {} } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.cookie = this.cookieHeader();
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: h,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(15000 * timeScale),
    });
    this.keepCookies(res.headers);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  }

  get(path, opts) {
    return this.request('GET', path, opts);
  }

  /** fields: an object or an array of [name, value] pairs. */
  post(path, fields = {}, { headers = {} } = {}) {
    const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields)).toString();
    return this.request('POST', path, {
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }
}

/** GET /login, take the csrf token, POST /login; returns the POST response. */
export async function login(client, username, password) {
  const page = await client.get('/login');
  if (page.status !== 200) throw new Error(`GET /login answered ${page.status}`);
  const csrf = csrfFrom(page.text);
  if (!csrf) throw new Error('GET /login: no csrf field found in the login form');
  return client.post('/login', { csrf, username, password });
}
