// make soak (issue 12, item 9): SOAK_SECONDS (default 60) of SOAK_CONNECTIONS
// (default 64) concurrent clients against a real nginx + voucherd (the release
// build, bin/), each looping over a mix of what the portal's users do:
//   catalog        GET /kurse or /                                   public
//   login          GET /login, POST /login (Argon2id), GET /meine-kurse
//   redeem         existing-user redemption of a fresh code
//   redeem-new     new-user redemption (an account, Argon2id, a session)
//   race           two clients redeem the same code for two users at once
//   support        GET /support, POST /support q=CODE (a used code)
//   order          a tenant_admin's order through /bestellen (review, confirm)
// Afterwards the database is checked against what the clients saw: every
// redemption a client saw succeed is there for the right account with its
// enrollments, no code is redeemed that no client saw succeed, each race has
// exactly one winner, every order has its codes, invoice number and mail, the
// invoice numbers have no gap.  voucherd's VmRSS/VmHWM (from /proc) before
// (after a warm-up) and after are printed with the answers in one summary.
// Exit status 1 on any violation: a 5xx, a request without answer, an answer
// other than the expected one, a lost or doubled redemption, voucherd's VmRSS
// at the end more than 32 MiB above the one after the warm-up (not flat).
//
// The instance: tests/lib/server.mjs (demo data, 4 worker threads, the mail
// spool instead of SMTP).  Its limits let the load through: the soak measures
// stability under load, not the rate limits (their tests are in tests/integration/).
import fs from 'node:fs';
import os from 'node:os';
import { startServer } from '../lib/server.mjs';
import { Client, csrfFrom, login } from '../lib/http.mjs';
import { sql, order, addUsers, redeemExisting, redeemNew, newUserFields, redeemError } from '../lib/redeem.mjs';
import { placeOrder } from '../lib/orders.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS || 60);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS || 64);
const WARMUP_SECONDS = Math.min(5, Math.max(1, SECONDS / 10));
const PW = 'demo-passwort';
const MiB = 1024 * 1024;
const RSS_GROWTH_LIMIT = 32 * MiB;

// The mix: weights per client iteration.
const MIX = [['catalog', 40], ['redeem', 22], ['support', 14], ['login', 8], ['order', 8], ['redeem-new', 5], ['race', 3]];
const WEIGHT = MIX.reduce((s, [, w]) => s + w, 0);
const pick = () => {
  let r = Math.random() * WEIGHT;
  for (const [name, w] of MIX) if ((r -= w) < 0) return name;
  return MIX[0][0];
};

const proc = (pid) => {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (k) => Number(s.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm'))[1]) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM'), threads: Number(s.match(/^Threads:\s+(\d+)/m)[1]) };
};
const mib = (b) => `${(b / MiB).toFixed(1)} MiB`;

// Codes and users enough for the redemptions of the whole run (sized by SOAK_SECONDS).
const POOL = Math.min(60000, Math.max(2000, Math.ceil(SECONDS * 200)));
const NEW_POOL = Math.max(500, SECONDS * 20);

// Every HTTP answer of the run, whatever helper asked (form pages included): status -> count.
const answers = {};
let counting = false;
const realFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const res = await realFetch(...args);
  if (counting) answers[res.status] = (answers[res.status] ?? 0) + 1;
  return res;
};

const violations = [];
const violate = (msg) => { if (violations.length < 50) violations.push(msg); else violations.length === 50 && violations.push('…'); };

async function main() {
  const t0 = Date.now();
  const srv = await startServer({
    limits: { redeem_max_failures: 1000, redeem_window_seconds: 1, login_max_failures: 1000 },
  });
  let exitCode = 1;
  try {
    // ---- data: codes (courses and packages), users for existing-user redemption
    const codes = [];
    const items = ['dsgvo-grundlagen', 'digitales-amt', 'verwaltungsverfahren', 'informationssicherheit'];
    for (let left = POOL, k = 0; left > 0; k++) {
      const n = Math.min(left, 5000);
      codes.push(...order(srv, `${items[k % items.length]}=${n}`));
      left -= n;
    }
    for (let i = codes.length - 1; i > 0; i--) { // shuffle: the kinds mixed over the run
      const j = Math.floor(Math.random() * (i + 1));
      [codes[i], codes[j]] = [codes[j], codes[i]];
    }
    const users = addUsers(srv, 'soak', codes.length);
    const newCodes = order(srv, `buergerservice=${NEW_POOL}`);
    const soakVoucherIds = [...codes, ...newCodes].map((c) => c.id);
    const minId = Math.min(...soakVoucherIds);
    const maxId = Math.max(...soakVoucherIds);
    const ordersBefore = Number(sql(srv, 'SELECT count(*) FROM orders')[0][0]);

    // A few logged-in sessions shared by the clients (logging in is also part of the mix).
    const sessions = async (username, n) => Promise.all(Array.from({ length: n }, async () => {
      const c = new Client(srv.baseUrl);
      const res = await login(c, username, PW);
      if (res.status !== 303) throw new Error(`login as ${username}: HTTP ${res.status}`);
      return c;
    }));
    const admins = await sessions('gemeinde', 4);
    const supports = await sessions('support', 4);
    const setupSeconds = (Date.now() - t0) / 1000;

    // ---- the load
    let next = 0;        // next index into codes/users
    let nextNew = 0;     // next index into newCodes
    const seen = new Map(); // voucher id -> username of the account a client saw redeem it
    const races = [];    // {id, winners}
    const stats = new Map(); // action -> {n, ms, status: {code: count}}
    const redeemedSeenTwice = [];
    const saw = (id, username) => {
      if (seen.has(id)) redeemedSeenTwice.push(`voucher ${id}: success seen for ${seen.get(id)} and ${username}`);
      seen.set(id, username);
    };
    let supportCodes = [];
    let stopAt = 0;
    let running = true;
    const status = (action, st) => {
      const e = stats.get(action) ?? { n: 0, ms: 0, status: {} };
      e.status[st] = (e.status[st] ?? 0) + 1;
      stats.set(action, e);
      if (typeof st === 'number' && st >= 500) violate(`${action}: HTTP ${st}`);
    };
    const timed = async (action, fn) => {
      const start = performance.now();
      try {
        await fn();
      } catch (e) {
        status(action, 'no answer');
        violate(`${action}: no answer (${e.cause?.code || e.message})`);
      }
      const e = stats.get(action) ?? { n: 0, ms: 0, status: {} };
      e.n++; e.ms += performance.now() - start;
      stats.set(action, e);
    };
    const expect = (action, ok, res, what) => {
      status(action, res.status);
      if (!ok) violate(`${action}: ${what} (HTTP ${res.status})`);
    };

    const actions = {
      async catalog() {
        const res = await new Client(srv.baseUrl).get(Math.random() < 0.7 ? '/kurse' : '/');
        expect('catalog', res.status === 200, res, 'page not shown');
      },
      async login() {
        const c = new Client(srv.baseUrl);
        const res = await login(c, 'mitarbeiterin', PW);
        expect('login', res.status === 303, res, 'login refused');
        const page = await c.get('/meine-kurse');
        expect('login', page.status === 200 && /Meine Kurse/.test(page.text), page, 'Meine Kurse not shown after login');
      },
      async redeem() {
        if (next >= codes.length) return actions.catalog();
        const i = next++;
        const res = await redeemExisting(srv, users[i], codes[i].code);
        const ok = res.status === 200 && /Voucher eingelöst/.test(res.text);
        expect('redeem', ok, res, `code ${codes[i].id} for ${users[i]} not redeemed`);
        if (ok) { saw(codes[i].id, users[i]); supportCodes.push(codes[i].code); }
      },
      async 'redeem-new'() {
        if (nextNew >= newCodes.length) return actions.catalog();
        const i = nextNew++;
        const username = `soakneu${i}`;
        const res = await redeemNew(srv, newUserFields(username, newCodes[i].code));
        const ok = res.status === 303 && res.headers.get('location') === '/meine-kurse';
        expect('redeem-new', ok, res, `new account ${username} with code ${newCodes[i].id} not created`);
        if (ok) saw(newCodes[i].id, username);
      },
      async race() {
        if (next + 1 >= codes.length) return actions.catalog();
        const i = next;
        next += 2; // users[i] and users[i + 1] race for codes[i]; codes[i + 1] stays open
        const answers = await Promise.all([redeemExisting(srv, users[i], codes[i].code),
          redeemExisting(srv, users[i + 1], codes[i].code)]);
        const winners = [];
        answers.forEach((res, k) => {
          status('race', res.status);
          if (res.status === 200 && /Voucher eingelöst/.test(res.text)) winners.push(users[i + k]);
          else if (res.status >= 500 || !redeemError(res.text)) violate(`race: neither success nor a numbered refusal (HTTP ${res.status})`);
        });
        races.push({ id: codes[i].id, other: codes[i + 1].id, winners });
        if (winners.length !== 1) violate(`race for voucher ${codes[i].id}: ${winners.length} winners`);
        for (const w of winners) saw(codes[i].id, w);
      },
      async support() {
        const c = supports[Math.floor(Math.random() * supports.length)];
        const page = await c.get('/support');
        expect('support', page.status === 200, page, 'support page not shown');
        const q = supportCodes.length ? supportCodes[Math.floor(Math.random() * supportCodes.length)] : 'mitarbeiterin';
        const res = await c.post('/support', { csrf: csrfFrom(page.text), q });
        expect('support', res.status === 200, res, 'search not answered');
      },
      async order() {
        const c = admins[Math.floor(Math.random() * admins.length)];
        const r = await placeOrder(c, { 'dsgvo-grundlagen': 1 + Math.floor(Math.random() * 3), 'digitales-amt': 1 }, 'Soak');
        expect('order', r.ok, r.ok ? { status: 303 } : r, r.ok ? '' : `order not placed at the ${r.step}`);
      },
    };

    const client = async () => {
      while (running && Date.now() < stopAt) {
        const a = pick();
        await timed(a, actions[a]);
      }
    };
    const pid = srv.pids().voucherd;
    // Warm-up: the same load for WARMUP_SECONDS (threads, caches, the first Argon2id runs), then "before".
    stopAt = Date.now() + WARMUP_SECONDS * 1000;
    await Promise.all(Array.from({ length: CONNECTIONS }, client));
    const warm = proc(pid);
    stats.clear();
    const load0 = os.loadavg()[0];
    counting = true;
    const samples = [];
    const sampler = setInterval(() => samples.push(proc(pid).rss), 1000);
    const start = Date.now();
    stopAt = start + SECONDS * 1000;
    await Promise.all(Array.from({ length: CONNECTIONS }, client));
    running = false;
    counting = false;
    clearInterval(sampler);
    const load1 = os.loadavg()[0];
    for (const st of Object.keys(answers)) if (Number(st) >= 500) violate(`${answers[st]} HTTP answers ${st}`);
    const elapsed = (Date.now() - start) / 1000;
    const end = proc(pid);
    // Flat: what voucherd holds at the end may exceed what it held after the warm-up by less than one
    // Argon2id block; a leak of a few kB per request over the run would show as tens of MiB.
    if (end.rss - warm.rss > RSS_GROWTH_LIMIT) violate(`voucherd's VmRSS grew from ${mib(warm.rss)} to ${mib(end.rss)}`);

    // ---- the database against what the clients saw (every request was answered: no outcome unknown)
    const rows = (q) => sql(srv, q);
    const integrity = rows('PRAGMA integrity_check')[0][0];
    if (integrity !== 'ok') violate(`integrity_check: ${integrity}`);
    for (const r of redeemedSeenTwice) violate(`doubled: ${r}`);
    const inDb = new Map(rows(`SELECT v.id, a.username FROM vouchers v JOIN accounts a ON a.id = v.redeemed_by
      WHERE v.id BETWEEN ${minId} AND ${maxId} AND v.redeemed_at IS NOT NULL`).map(([id, u]) => [Number(id), u]));
    let lost = 0;
    let unseen = 0;
    for (const [id, u] of seen) {
      if (inDb.get(id)?.toLowerCase() !== u.toLowerCase()) { lost++; violate(`lost: voucher ${id} seen redeemed by ${u}, database: ${inDb.get(id) ?? 'open'}`); }
    }
    for (const [id, u] of inDb) {
      if (!seen.has(id)) { unseen++; violate(`doubled/unseen: voucher ${id} redeemed by ${u} in the database, no client saw it`); }
    }
    const halfDone = Number(rows(`SELECT count(*) FROM vouchers v JOIN voucher_courses c ON c.voucher_id = v.id
      WHERE v.redeemed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.voucher_id = v.id
        AND e.account_id = v.redeemed_by AND e.course_id = c.course_id)`)[0][0]);
    if (halfDone) violate(`${halfDone} redeemed codes lack an enrollment`);
    const extraEnrollments = Number(rows(`SELECT count(*) FROM enrollments e JOIN vouchers v ON v.id = e.voucher_id
      WHERE v.redeemed_by IS NOT e.account_id`)[0][0]);
    if (extraEnrollments) violate(`${extraEnrollments} enrollments paid by a code their account did not redeem`);
    const badOrders = rows(`SELECT o.id FROM orders o WHERE
        (SELECT count(*) FROM vouchers v WHERE v.order_id = o.id) != (SELECT coalesce(sum(quantity), -1) FROM order_lines l WHERE l.order_id = o.id)
        OR o.invoice_number != printf('RE-%04d-%06d', o.invoice_year, o.invoice_seq)
        OR NOT EXISTS (SELECT 1 FROM outbox m WHERE m.order_id = o.id)`).length;
    if (badOrders) violate(`${badOrders} orders lack codes, invoice number or mail`);
    const gaps = rows(`SELECT invoice_year FROM orders GROUP BY invoice_year
      HAVING min(invoice_seq) != 1 OR max(invoice_seq) != count(*)`).length;
    if (gaps) violate('invoice numbers with a gap');
    const ordersPlaced = Number(rows('SELECT count(*) FROM orders')[0][0]) - ordersBefore;

    // ---- the summary
    let requests = 0;
    const lines = [];
    for (const [name] of MIX) {
      const e = stats.get(name);
      if (!e) { lines.push(`  ${name.padEnd(11)} none`); continue; }
      requests += e.n;
      lines.push(`  ${name.padEnd(11)} ${String(e.n).padStart(6)} done, ${(e.n / elapsed).toFixed(1).padStart(6)}/s, ` +
        `mean ${(e.ms / e.n).toFixed(0).padStart(5)} ms; answers ${JSON.stringify(e.status)}`);
    }
    const maxSample = samples.length ? Math.max(...samples) : end.rss;
    console.log([
      `### make soak: ${elapsed.toFixed(1)} s, ${CONNECTIONS} connections (after ${WARMUP_SECONDS} s warm-up; setup ${setupSeconds.toFixed(1)} s)`,
      `  nginx + voucherd (pid ${srv.pids().voucherd}), 4 worker threads, release build, ${os.cpus().length} cores, ` +
        `load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end`,
      `  ${requests} mixed actions (${(requests / elapsed).toFixed(1)}/s), ` +
        `${Object.values(answers).reduce((a, b) => a + b, 0)} HTTP requests (${(Object.values(answers).reduce((a, b) => a + b, 0) / elapsed).toFixed(1)}/s), ` +
        `answers ${JSON.stringify(answers)}`,
      ...lines,
      `  redemptions seen ${seen.size} (races ${races.length}, each one winner: ${races.every((r) => r.winners.length === 1)}); ` +
        `in the database ${inDb.size}; lost ${lost}, unseen/doubled ${unseen + redeemedSeenTwice.length}; orders placed ${ordersPlaced} (warm-up included)`,
      `  voucherd VmRSS before ${mib(warm.rss)} (VmHWM ${mib(warm.hwm)}), after ${mib(end.rss)} (VmHWM ${mib(end.hwm)}), ` +
        `highest 1 s sample ${mib(maxSample)}; threads ${end.threads}`,
      violations.length ? `  VIOLATIONS:\n    ${violations.join('\n    ')}` : '  violations: none (no 5xx, every request answered as expected, nothing lost or doubled, memory flat)',
    ].join('\n'));
    exitCode = violations.length ? 1 : 0;
  } finally {
    await srv.stop();
  }
  return exitCode;
}

main().then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 1; });
