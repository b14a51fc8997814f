// Helpers for the redemption tests: vouchers through `voucherctl order add`
// (the order form's code path), the database through the sqlite3 CLI, and
// the /voucher/einloesen forms.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { simpleParser } from 'mailparser';
import path from 'node:path';
import { Client, csrfFrom, tags, textOf } from './http.mjs';

export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Runs SQL on the test server's database; returns rows as arrays of strings. */
export function sql(srv, query) {
  const r = spawnSync('sqlite3', ['-batch', '-noheader', '-separator', '\t', '-cmd', '.timeout 5000',
    path.join(srv.dir, 'voucher.db'), query], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}\n${query}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** One value of a one-row, one-column query. */
export const sqlValue = (srv, query) => sql(srv, query)[0]?.[0];

/** Orders vouchers as tenant_admin `gemeinde`: [{slug, code, id}] in printed order. */
export function order(srv, ...items) {
  const args = ['order', 'add', '--username', 'gemeinde'];
  for (const it of items) args.push('--item', it);
  const r = srv.ctl(args);
  if (r.code !== 0) throw new Error(`order add failed: ${r.stderr}`);
  const [head, ...lines] = r.stdout.trim().split('\n');
  const orderId = Number(head.split(' ')[1]);
  const ids = sql(srv, `SELECT id FROM vouchers WHERE order_id = ${orderId} ORDER BY id`).map((r) => Number(r[0]));
  return lines.map((l, i) => {
    const [slug, code] = l.split('\t');
    return { slug, code, id: ids[i] };
  });
}

/** The voucher row: {redeemed_at, redeemed_by, revoked_at, valid_until} (null when NULL). */
export function voucherState(srv, id) {
  const [row] = sql(srv, `SELECT coalesce(redeemed_at, 'null'), coalesce(redeemed_by, 'null'),
    coalesce(revoked_at, 'null'), valid_until FROM vouchers WHERE id = ${id}`);
  const n = (v) => (v === 'null' ? null : Number(v));
  return { redeemed_at: n(row[0]), redeemed_by: n(row[1]), revoked_at: n(row[2]), valid_until: n(row[3]) };
}

export const accountId = (srv, username) =>
  Number(sqlValue(srv, `SELECT id FROM accounts WHERE username = '${username}' COLLATE NOCASE`)) || null;

/** Creates accounts of role user in GKZ 30604 directly (existing-user redemption needs no password). */
export function addUsers(srv, prefix, count) {
  sql(srv, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
    INSERT INTO accounts (username, email, first_name, last_name, role, municipality_id, password_hash, created_at)
    SELECT '${prefix}' || i, '${prefix}' || i || '@musterstadt.gv.at', 'Test', 'Person ' || i, 'user',
      (SELECT id FROM municipalities WHERE gkz = '30604'), 'x', strftime('%s') FROM n`);
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

/** A well-formed code (correct check symbol) from 23 data symbols. */
export function wellFormed(data) {
  const dbl = (s) => ((s << 1) & 32 ? ((s << 1) ^ 0b100101) & 31 : (s << 1) & 31);
  let s = 0;
  for (const c of data) s = dbl(s) ^ ALPHABET.indexOf(c);
  return data + ALPHABET[dbl(s)];
}

/** A client that has loaded the form: {client, csrf, page}. */
export async function openForm(srv) {
  const client = new Client(srv.baseUrl);
  const page = await client.get('/voucher/einloesen');
  if (page.status !== 200) throw new Error(`GET /voucher/einloesen answered ${page.status}`);
  return { client, csrf: csrfFrom(page.text), page };
}

export async function redeemExisting(srv, username, code, client) {
  const f = client ? { client, csrf: csrfFrom((await client.get('/voucher/einloesen')).text) } : await openForm(srv);
  const res = await f.client.post('/voucher/einloesen', { csrf: f.csrf, mode: 'existing', username, code });
  return { ...res, client: f.client };
}

export function newUserFields(username, code, extra = {}) {
  return {
    mode: 'new', code, first_name: 'Nora', last_name: 'Neumann', email: `${username}@musterstadt.gv.at`,
    username, password: 'ein-gutes-passwort', password2: 'ein-gutes-passwort', privacy: '1', ...extra,
  };
}

export async function redeemNew(srv, fields, client) {
  const f = client ? { client, csrf: csrfFrom((await client.get('/voucher/einloesen')).text) } : await openForm(srv);
  const res = await f.client.post('/voucher/einloesen', { csrf: f.csrf, ...fields });
  return { ...res, client: f.client };
}

/** {number, reference, text} of the error box of a redemption page, or null. */
export function redeemError(html) {
  const m = textOf(html).match(/Fehlernummer (V\d\d) ?, Referenz (F-[0-9A-Z]{4})/);
  if (!m) return null;
  const box = html.match(/<p id="redeem-error-text">([\s\S]*?)<\/p>/);
  return { number: m[1], reference: m[2], text: box ? textOf(box[1]) : '' };
}

/** The attributes of the input with this id. */
export const inputById = (html, id) => tags(html, 'input').find((t) => t.attrs.id === id)?.attrs;

/**
 * The e-mail voucherd's sender wrote to the spool for this recipient (the
 * test servers have no smtp_url): {subject, text}, waiting up to ms for it.
 */
export async function spooledMail(srv, recipient, ms = 10000) {
  const spool = path.join(srv.dir, 'spool');
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const files = fs.existsSync(spool) ? fs.readdirSync(spool).filter((f) => f.endsWith('.eml')) : [];
    for (const f of files) {
      const mail = await simpleParser(fs.readFileSync(path.join(spool, f)));
      if (mail.to?.value.some((a) => a.address === recipient)) return { subject: mail.subject, text: mail.text };
    }
  }
  return null;
}

/** Every e-mail in the test server's spool for this recipient: [{subject, text}] (no waiting). */
export async function spooledMailAll(srv, recipient) {
  const spool = path.join(srv.dir, 'spool');
  const out = [];
  const files = fs.existsSync(spool) ? fs.readdirSync(spool).filter((f) => f.endsWith('.eml')) : [];
  for (const f of files) {
    const mail = await simpleParser(fs.readFileSync(path.join(spool, f)));
    if (mail.to?.value.some((a) => a.address === recipient)) out.push({ subject: mail.subject, text: mail.text });
  }
  return out;
}
