// Crash consistency (issue 12, item 2): voucherd is killed with SIGKILL at a
// random moment while clients redeem codes (existing-user and new-user mode)
// and a tenant_admin places orders through nginx, for ROUNDS rounds.  After
// each restart the database must be whole (integrity_check, foreign keys),
// hold everything a client was told had succeeded, and hold nothing half
// done: no code redeemed without its enrollments, no enrollment by a code
// not redeemed, no new account without its redemption, no order without its
// codes, invoice number or outbox mail, and no gap in the invoice numbers.
//
// Only the kill moment is random (logged as a diagnostic); every assertion
// holds for every moment.  Outcomes a client could not see (its request was
// cut off by the kill) are not guessed at: the invariants cover them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client, login, textOf } from '../lib/http.mjs';
import { sql, sqlValue, order, addUsers, redeemExisting, redeemNew, newUserFields } from '../lib/redeem.mjs';
import { placeOrder } from '../lib/orders.mjs';
import { until } from '../lib/wait.mjs';

const ROUNDS = 6;
const EXISTING_WORKERS = 3;
const NEW_WORKERS = 2;
const ORDER_WORKERS = 2;
const ORDER_QTY = { 'dsgvo-grundlagen': 2, 'digitales-amt': 1 }; // a course and a package: 3 codes
// Codes a round may use at most (then that kind's clients wait for the kill): the pools below last
// ROUNDS rounds however fast one kind is compared with the others.
const EXISTING_PER_ROUND = 80;
const NEW_PER_ROUND = 20;

let srv;
let admin;
const pool = { existing: [], next: 0, newNext: 0 };
let newCodes;

before(async () => {
  srv = await startServer({ limits: { redeem_max_failures: 1000, login_max_failures: 1000 } });
  // Course and package codes (a package enrolls in several courses in one redemption).
  const existing = [...order(srv, 'dsgvo-grundlagen=300'), ...order(srv, 'digitales-amt=300')];
  const users = addUsers(srv, 'crashalt', existing.length);
  // Interleave course and package codes so every round redeems both kinds.
  for (let i = 0; i < 300; i++) {
    pool.existing.push({ v: existing[i], user: users[2 * i] }, { v: existing[300 + i], user: users[2 * i + 1] });
  }
  newCodes = order(srv, 'informationssicherheit=150');
  admin = new Client(srv.baseUrl);
  assert.equal((await login(admin, 'gemeinde', 'demo-passwort')).status, 303);
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
}, { timeout: 30000 });

/**
 * Starts the clients.  A success is recorded only when the client got the
 * success answer; an answer other than success before the kill is a defect
 * (recorded in `unexpected`); anything after the kill is left to the checks.
 */
function startLoad(round) {
  const s = { running: true, killed: false, existing: [], created: [], orders: [], cut: 0, unexpected: [] };
  s.stopped = new Promise((resolve) => { s.stop = resolve; });
  const existingEnd = Math.min(pool.existing.length, pool.next + EXISTING_PER_ROUND);
  const newEnd = Math.min(newCodes.length, pool.newNext + NEW_PER_ROUND);
  const note = (what, res, e) => {
    if (s.killed) s.cut++;
    else s.unexpected.push(`${what}: ${e ? e.message : `HTTP ${res.status}: ${textOf(res.text).slice(0, 300)}`}`);
  };
  const existingWorker = async () => {
    while (s.running) {
      if (pool.next >= existingEnd) { await s.stopped; break; }
      const item = pool.existing[pool.next++];
      try {
        const res = await redeemExisting(srv, item.user, item.v.code);
        if (res.status === 200 && /Voucher eingelöst/.test(res.text)) s.existing.push(item);
        else note(`existing-user redemption by ${item.user}`, res);
      } catch (e) { note(`existing-user redemption by ${item.user}`, null, e); }
    }
  };
  const newWorker = async () => {
    while (s.running) {
      if (pool.newNext >= newEnd) { await s.stopped; break; }
      const i = pool.newNext++;
      const v = newCodes[i];
      const username = `crashneu${i}`;
      try {
        const res = await redeemNew(srv, newUserFields(username, v.code));
        if (res.status === 303 && res.headers.get('location') === '/meine-kurse') s.created.push({ v, username });
        else note(`new-user redemption as ${username}`, res);
      } catch (e) { note(`new-user redemption as ${username}`, null, e); }
    }
  };
  const orderWorker = async (w) => {
    for (let k = 0; s.running; k++) {
      try {
        const r = await placeOrder(admin, ORDER_QTY, `Crash ${round}/${w}/${k}`);
        if (r.ok) s.orders.push(r.id);
        else note(`order (${r.step})`, r);
      } catch (e) { note('order', null, e); }
    }
  };
  s.done = Promise.all([
    ...Array.from({ length: EXISTING_WORKERS }, existingWorker),
    ...Array.from({ length: NEW_WORKERS }, newWorker),
    ...Array.from({ length: ORDER_WORKERS }, (_, w) => orderWorker(w)),
  ]);
  return s;
}

const rows = (q) => sql(srv, q);
const count = (q) => Number(sqlValue(srv, q));

/** Everything the clients were told, and every invariant, against the database after a restart. */
function checkDatabase(seen) {
  assert.deepEqual(rows('PRAGMA integrity_check'), [['ok']]);
  assert.deepEqual(rows('PRAGMA foreign_key_check'), [], 'no dangling reference');

  // What the clients saw succeed is there, with its enrollments (and its new account).
  for (const { v, user } of seen.existing) {
    const [row] = rows(`SELECT v.redeemed_by = a.id, (SELECT count(*) FROM enrollments e WHERE e.voucher_id = v.id
      AND e.account_id = a.id), (SELECT count(*) FROM voucher_courses c WHERE c.voucher_id = v.id)
      FROM vouchers v, accounts a WHERE v.id = ${v.id} AND a.username = '${user}'`);
    assert.ok(row && row[0] === '1', `code ${v.id} redeemed by ${user} (the client saw the success page)`);
    assert.ok(Number(row[2]) >= 1 && row[1] === row[2], `code ${v.id}: ${row[1]} of ${row[2]} enrollments for ${user}`);
  }
  for (const { v, username } of seen.created) {
    const [row] = rows(`SELECT a.role, v.redeemed_by = a.id, (SELECT count(*) FROM enrollments e
      WHERE e.voucher_id = v.id AND e.account_id = a.id) FROM accounts a, vouchers v
      WHERE a.username = '${username}' AND v.id = ${v.id}`);
    assert.deepEqual(row, ['user', '1', '1'], `new account ${username} with code ${v.id} and its enrollment`);
  }
  for (const id of seen.orders) assert.equal(count(`SELECT count(*) FROM orders WHERE id = ${id}`), 1, `order ${id}`);

  // Nothing half done.
  assert.equal(count(`SELECT count(*) FROM vouchers v JOIN voucher_courses c ON c.voucher_id = v.id
    WHERE v.redeemed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM enrollments e
      WHERE e.voucher_id = v.id AND e.account_id = v.redeemed_by AND e.course_id = c.course_id)`), 0,
  'no code redeemed without all its enrollments');
  assert.equal(count(`SELECT count(*) FROM enrollments e JOIN vouchers v ON v.id = e.voucher_id
    WHERE v.redeemed_by IS NOT e.account_id`), 0, 'no enrollment paid by a code its account did not redeem');
  assert.equal(count(`SELECT count(*) FROM accounts a WHERE a.username LIKE 'crashneu%'
    AND NOT EXISTS (SELECT 1 FROM vouchers v WHERE v.redeemed_by = a.id)`), 0, 'no new account without its redemption');
  assert.deepEqual(rows(`SELECT o.id FROM orders o WHERE
      (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id) = 0
      OR (SELECT count(*) FROM vouchers v WHERE v.order_id = o.id)
         != (SELECT sum(quantity) FROM order_lines l WHERE l.order_id = o.id)
      OR EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id
         AND (SELECT count(*) FROM vouchers v WHERE v.order_line_id = l.id) != l.quantity)
      OR o.invoice_number != printf('RE-%04d-%06d', o.invoice_year, o.invoice_seq)
      OR NOT EXISTS (SELECT 1 FROM outbox m WHERE m.order_id = o.id)`), [],
  'every order has its lines, all its codes, its invoice number and its outbox mail');
  // Gapless: per year the numbers are exactly 1..n, and the counter stands at n.
  assert.deepEqual(rows(`SELECT o.invoice_year, count(*), min(o.invoice_seq), max(o.invoice_seq),
      coalesce((SELECT last_seq FROM invoice_counters c WHERE c.year = o.invoice_year), -1)
      FROM orders o GROUP BY o.invoice_year`).filter(([, n, lo, hi, last]) => !(lo === '1' && hi === n && last === n)),
  [], 'invoice numbers without gaps, counter at the last one');
}

test(`kill -9 during concurrent redemptions and orders, ${ROUNDS} rounds: nothing seen is lost, nothing half done`, async (t) => {
  const total = { existing: 0, created: 0, orders: 0, cut: 0 };
  for (let round = 1; round <= ROUNDS; round++) {
    const s = startLoad(round);
    // Let every kind of work succeed at least once in this round, then kill at a random moment.
    await until(() => s.unexpected.length > 0 || (s.existing.length && s.created.length && s.orders.length),
      { ms: 30000, what: `round ${round}: a success of each kind` });
    assert.deepEqual(s.unexpected, [], `round ${round}: answers before the kill`);
    const delay = Math.floor(Math.random() * 600);
    await new Promise((r) => setTimeout(r, delay));
    s.killed = true; // what is in flight now is cut off; no new request starts
    s.running = false;
    s.stop();
    const ended = await srv.killVoucherd('SIGKILL');
    assert.equal(ended.signal, 'SIGKILL', `round ${round}: voucherd was killed, not ended otherwise`);
    await s.done;
    assert.deepEqual(s.unexpected, [], `round ${round}: answers before the kill`);
    await srv.startVoucherd();
    t.diagnostic(`round ${round}: killed ${delay} ms after the first success of each kind; seen: ` +
      `${s.existing.length} existing-user and ${s.created.length} new-user redemptions, ${s.orders.length} orders; ` +
      `${s.cut} requests cut off`);
    checkDatabase(s);
    for (const k of Object.keys(total)) total[k] += s[k].length ?? s[k];
  }
  t.diagnostic(`total seen: ${JSON.stringify(total)}; orders in the database: ${count('SELECT count(*) FROM orders')}`);
  // After the last restart the portal works as before: a redemption and an order go through.
  const item = pool.existing[pool.next++];
  const res = await redeemExisting(srv, item.user, item.v.code);
  assert.match(textOf(res.text), /Voucher eingelöst/);
  assert.ok((await placeOrder(admin, ORDER_QTY, 'nach dem Absturz')).ok);
  checkDatabase({ existing: [item], created: [], orders: [] });
});
