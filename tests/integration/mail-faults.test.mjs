// Mail faults (issue 12, item 3) with a real SMTP server under the test's
// control (tests/lib/smtp.mjs startScriptedSmtp): the server (a) is down,
// (b) answers 451 then 250, (c) answers 550 for one recipient, (d) drops the
// connection in the middle of DATA, (e) stores the message but never says
// 250.  Every message reaches every recipient that can take it exactly once;
// a permanent refusal is not retried, shows on the order in /support and is
// sent again by its button to the corrected address; every copy of one
// outbox row has the same Message-ID; a dead sender's claims are released
// at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, freePort } from '../lib/server.mjs';
import { startScriptedSmtp } from '../lib/smtp.mjs';
import { Client, csrfFrom, login, textOf } from '../lib/http.mjs';
import { sql, sqlValue } from '../lib/redeem.mjs';

const INVOICE = 'buchhaltung@musterstadt.gv.at';
const ADMIN = 'gerda.gemeindeamt@musterstadt.gv.at';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, pred, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function instance(smtpPort) {
  return startServer({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, extraConf: { mail: { retry_base_seconds: 1 } } });
}

/** Places an order while voucherd is stopped, then starts it: its sender tries at once. */
async function orderWithRestart(srv) {
  assert.equal((await srv.killVoucherd('SIGTERM')).code, 0);
  const r = srv.ctl(['order', 'add', '--username', 'gemeinde', '--item', 'dsgvo-grundlagen=2']);
  assert.equal(r.code, 0, r.stderr);
  const [, id, invoice] = r.stdout.split('\n')[0].split(' ');
  await srv.startVoucherd();
  return { id: Number(id), invoice };
}

const outboxOf = (srv, orderId) => {
  const [row] = sql(srv, `SELECT id, attempts, coalesce(sent_at, 0), coalesce(given_up_at, 0), last_error,
    delivered_to, refused_to FROM outbox WHERE order_id = ${orderId}`);
  return row && { id: Number(row[0]), attempts: Number(row[1]), sent: Number(row[2]), givenUp: Number(row[3]),
    error: row[4], delivered: row[5], refused: row[6] };
};

const copiesFor = (smtp, invoice, addr) =>
  smtp.messages.filter((m) => m.mail.subject.includes(invoice) && m.rcpts.includes(addr));

test('(a) SMTP server down: retried until it is up, then each recipient gets the order mail exactly once', async () => {
  const port = await freePort();
  const srv = await instance(port);
  let smtp;
  try {
    const o = await orderWithRestart(srv);
    await until('a failed attempt', () => outboxOf(srv, o.id)?.attempts >= 1 && outboxOf(srv, o.id).error !== '');
    assert.equal(outboxOf(srv, o.id).sent, 0);
    smtp = await startScriptedSmtp({ port });
    await until('delivery', () => outboxOf(srv, o.id).sent > 0);
    assert.equal(copiesFor(smtp, o.invoice, INVOICE).length, 1);
    assert.equal(copiesFor(smtp, o.invoice, ADMIN).length, 1);
    assert.equal(outboxOf(srv, o.id).givenUp, 0);
  } finally {
    await srv.stop();
    if (smtp) await smtp.close();
  }
});

test('(b) 451 then 250: delivered on the retry, once per recipient, with the same Message-ID', async () => {
  const refusedOnce = new Set();
  const smtp = await startScriptedSmtp({
    data: (n, env) => {
      const key = env.rcpts.join();
      if (refusedOnce.has(key)) return 'accept';
      refusedOnce.add(key);
      return '451 4.3.0 temporarily unavailable, try later';
    },
  });
  const srv = await instance(smtp.port);
  try {
    const o = await orderWithRestart(srv);
    await until('delivery', () => outboxOf(srv, o.id).sent > 0);
    const row = outboxOf(srv, o.id);
    assert.ok(row.attempts >= 2, `attempts ${row.attempts}`);
    const a = copiesFor(smtp, o.invoice, INVOICE);
    const b = copiesFor(smtp, o.invoice, ADMIN);
    assert.equal(a.length, 1);
    assert.equal(b.length, 1);
    assert.equal(a[0].mail.messageId, b[0].mail.messageId, 'one outbox row, one Message-ID');
  } finally {
    await srv.stop();
    await smtp.close();
  }
});

test('(c) 550 for the invoice address: the admin still gets it, no retry, support sees it and resends to the corrected address', async () => {
  const smtp = await startScriptedSmtp({
    rcpt: (addr) => (addr === INVOICE ? '550 5.1.1 <buchhaltung@musterstadt.gv.at>: mailbox unknown' : null),
  });
  const srv = await instance(smtp.port);
  try {
    const o = await orderWithRestart(srv);
    await until('the permanent failure', () => outboxOf(srv, o.id).givenUp > 0);
    let row = outboxOf(srv, o.id);
    assert.equal(row.sent, 0);
    assert.equal(row.attempts, 1, 'a permanent 5xx is not retried');
    assert.equal(row.refused, INVOICE);
    assert.equal(row.delivered, ADMIN);
    assert.match(row.error, /550/);
    assert.equal(copiesFor(smtp, o.invoice, ADMIN).length, 1, 'the other recipient got it');
    assert.equal(copiesFor(smtp, o.invoice, INVOICE).length, 0);
    const rcptsBefore = smtp.rcptLog.filter((a) => a === INVOICE).length;

    // Support finds the order and sees the failure with its reason.
    const c = new Client(srv.baseUrl);
    assert.equal((await login(c, 'support', 'demo-passwort')).status, 303);
    const page = await c.get(`/support?q=${o.id}`);
    assert.equal(page.status, 200);
    const text = textOf(page.text);
    assert.match(text, /E-Mails zu dieser Bestellung/);
    assert.match(text, /fehlgeschlagen: abgelehnt für buchhaltung@musterstadt\.gv\.at; zugestellt an gerda/);
    assert.match(text, /refused for good: .*550/);
    assert.match(page.text, /action="\/support\/bestellungen\/mail"/);

    // The municipality's address is corrected; "Erneut senden".
    sql(srv, "UPDATE municipalities SET invoice_email = 'rechnung@musterstadt.gv.at' WHERE gkz = '30604'");
    const res = await c.post('/support/bestellungen/mail', { csrf: csrfFrom(page.text), mail: row.id, q: o.id });
    assert.equal(res.status, 303, textOf(res.text).slice(0, 300));
    await until('the resent mail', () => outboxOf(srv, o.id).sent > 0);
    assert.equal(copiesFor(smtp, o.invoice, 'rechnung@musterstadt.gv.at').length, 1);
    assert.equal(copiesFor(smtp, o.invoice, ADMIN).length, 1, 'who had it does not get it twice');
    assert.equal(smtp.rcptLog.filter((a) => a === INVOICE).length, rcptsBefore, 'the refused address not tried again');
    row = outboxOf(srv, o.id);
    assert.equal(row.givenUp, 0);
    assert.equal(sqlValue(srv, `SELECT count(*) FROM audit_log WHERE action = 'mail.resend'
      AND subject = 'order ${o.id}'`), '1');
    // A mail that was delivered cannot be "resent" (nothing changes).
    const again = await c.post('/support/bestellungen/mail', { csrf: csrfFrom(page.text), mail: row.id, q: o.id });
    assert.equal(again.status, 422);
  } finally {
    await srv.stop();
    await smtp.close();
  }
});

test('(d) connection dropped in the middle of DATA: nothing half-delivered, then exactly one copy each', async () => {
  const dropped = new Set();
  const smtp = await startScriptedSmtp({
    data: (n, env) => {
      const key = env.rcpts.join();
      if (dropped.has(key)) return 'accept';
      dropped.add(key);
      return 'drop';
    },
  });
  const srv = await instance(smtp.port);
  try {
    const o = await orderWithRestart(srv);
    await until('delivery', () => outboxOf(srv, o.id).sent > 0);
    assert.equal(copiesFor(smtp, o.invoice, INVOICE).length, 1);
    assert.equal(copiesFor(smtp, o.invoice, ADMIN).length, 1);
    assert.ok(outboxOf(srv, o.id).attempts >= 2);
  } finally {
    await srv.stop();
    await smtp.close();
  }
});

test('(e) stored but no 250 (a crash before the answer): the second copy has the same Message-ID', async () => {
  let first = true;
  const smtp = await startScriptedSmtp({
    data: (n, env) => {
      if (env.rcpts[0] !== ADMIN) return 'accept';
      if (first) { first = false; return 'store-drop'; }
      return 'accept';
    },
  });
  const srv = await instance(smtp.port);
  try {
    const o = await orderWithRestart(srv);
    await until('delivery', () => outboxOf(srv, o.id).sent > 0);
    const copies = copiesFor(smtp, o.invoice, ADMIN);
    assert.equal(copies.length, 2);
    assert.equal(copies[0].mail.messageId, copies[1].mail.messageId);
    assert.match(copies[0].mail.messageId, /^<outbox-\d+\.[A-Za-z0-9_-]{22}@staedtebund-academy\.at>$/);
  } finally {
    await srv.stop();
    await smtp.close();
  }
});

test('a claim held by a sender that died is released at start: the mail goes out at once, not after 600 s', async () => {
  const smtp = await startScriptedSmtp();
  const srv = await instance(smtp.port);
  try {
    assert.equal((await srv.killVoucherd('SIGTERM')).code, 0);
    const r = srv.ctl(['order', 'add', '--username', 'gemeinde', '--item', 'dsgvo-grundlagen=1']);
    assert.equal(r.code, 0, r.stderr);
    const [, id, invoice] = r.stdout.split('\n')[0].split(' ');
    // A process that has ended: its pid holds the claim for the next 600 s.
    const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    sql(srv, `UPDATE outbox SET claimed_by = ${gone}, claimed_until = strftime('%s') + 600, attempts = 1
      WHERE order_id = ${id}`);
    await srv.startVoucherd();
    await until('delivery', () => outboxOf(srv, id).sent > 0, 20000);
    assert.equal(copiesFor(smtp, invoice, ADMIN).length, 1);
    assert.match(srv.logs(), /releasing the claims of process/);
  } finally {
    await srv.stop();
    await smtp.close();
  }
});
