// Floods bounded (issue 12, item 4): 200 simultaneous login POSTs are all
// answered (no 5xx: the listen backlog holds the burst) while at most
// [limits] hash_concurrency Argon2id runs (64 MiB each) happen at once, so
// voucherd's peak memory stays bounded; 40 concurrent wrong passwords for
// one account test at most the login limit (5); a client sending its body
// byte by byte holds no worker thread (nginx buffers the body).
//
// The login flood runs the release build of voucherd (bin/voucherd, made by
// `make test`): its memory is what production sees (AddressSanitizer keeps
// freed blocks in quarantine), and Argon2id runs at its real speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { Client, csrfFrom } from '../lib/http.mjs';
import { sqlValue } from '../lib/redeem.mjs';

const MiB = 1024 * 1024;
const status = (pid) => fs.readFileSync(`/proc/${pid}/status`, 'utf8');
const kib = (text, key) => Number(text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))[1]) * 1024;

/** n clients that each loaded the login form: [{client, csrf}]. */
async function loginForms(srv, n) {
  const out = [];
  for (let i = 0; i < n; i += 20) {
    out.push(...await Promise.all(Array.from({ length: Math.min(20, n - i) }, async () => {
      const client = new Client(srv.baseUrl);
      const page = await client.get('/login');
      return { client, csrf: csrfFrom(page.text) };
    })));
  }
  return out;
}

test('200 simultaneous login POSTs: every one answered without 5xx, peak memory bounded by hash_concurrency', async (t) => {
  const release = path.join(repoRoot, 'bin', 'voucherd');
  const srv = await startServer({
    voucherd: fs.existsSync(release) ? release : undefined,
    limits: { hash_concurrency: 2, login_max_failures: 1000 },
  });
  try {
    // Warm up: one verification (the dummy hash is made on first use).
    const [warm] = await loginForms(srv, 1);
    await warm.client.post('/login', { csrf: warm.csrf, username: 'niemand', password: 'falsch' });
    const pid = srv.pids().voucherd;
    const before = kib(status(pid), 'VmRSS');
    const forms = await loginForms(srv, 200);
    // All at once, each waiting as long as it takes (the Client's 15 s would give up first).
    const answers = await Promise.all(forms.map(async (f, i) => {
      const res = await fetch(`${srv.baseUrl}/login`, {
        method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(300000),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: f.client.cookieHeader() },
        body: new URLSearchParams({ csrf: f.csrf, username: i % 2 ? `unbekannt${i}` : 'mitarbeiterin',
          password: `falsch-${i}` }).toString(),
      });
      await res.text();
      return { status: res.status };
    }));
    const counts = {};
    for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
    const s = status(pid);
    const peak = kib(s, 'VmHWM');
    t.diagnostic(`voucherd RSS before ${(before / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB ` +
      `(hash_concurrency 2, 4 threads); answers ${JSON.stringify(counts)}`);
    assert.deepEqual(Object.keys(counts).filter((k) => Number(k) >= 500), [], 'no 5xx');
    assert.equal(answers.length, 200);
    for (const a of answers) assert.ok(a.status === 401 || a.status === 429, `status ${a.status}`);
    // Two Argon2id runs at 64 MiB each, plus the process itself; 4 threads unbounded would be 4 × 64 MiB more.
    assert.ok(peak - before < 2 * 64 * MiB + 48 * MiB, `peak grew by ${((peak - before) / MiB).toFixed(0)} MiB`);
  } finally {
    await srv.stop();
  }
});

test('40 concurrent wrong passwords for one account test at most 5 of them', async () => {
  const srv = await startServer({ limits: { login_max_failures: 5 } });
  try {
    const forms = await loginForms(srv, 40);
    const answers = await Promise.all(forms.map((f, i) => f.client.post('/login',
      { csrf: f.csrf, username: 'mitarbeiterin', password: `geraten-${i}` })));
    const wrong = answers.filter((a) => a.status === 401).length;
    const limited = answers.filter((a) => a.status === 429).length;
    assert.equal(wrong + limited, 40);
    assert.ok(wrong <= 5, `${wrong} passwords tested against a limit of 5`);
    assert.equal(wrong, 5, 'the limit itself is reached');
    const id = sqlValue(srv, "SELECT id FROM accounts WHERE username = 'mitarbeiterin'");
    assert.equal(sqlValue(srv, `SELECT count(*) FROM login_failures WHERE key = 'a:${id}'`), '5');
    // The right password is refused too while the limit holds.
    const [f] = await loginForms(srv, 1);
    assert.equal((await f.client.post('/login', { csrf: f.csrf, username: 'mitarbeiterin', password: 'demo-passwort' })).status, 429);
  } finally {
    await srv.stop();
  }
});

test('clients sending their bodies byte by byte hold no worker: the portal answers meanwhile', async () => {
  const srv = await startServer(); // 4 worker threads
  const slow = [];
  try {
    const body = 'csrf=x&username=a&password=' + 'b'.repeat(200);
    for (let i = 0; i < 12; i++) {
      const sock = net.connect(srv.port, '127.0.0.1');
      sock.on('error', () => {});
      await new Promise((r) => sock.once('connect', r));
      sock.write(`POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
      sock.write(body.slice(0, 1));
      slow.push({ sock, sent: 1, answered: false });
      sock.on('data', () => { slow[i].answered = true; });
    }
    // Three times as many slow senders as workers, each with most of its body still to come:
    const drip = setInterval(() => {
      for (const s of slow) {
        if (s.sent < body.length - 50) s.sock.write(body[s.sent++]);
      }
    }, 20);
    try {
      for (let k = 0; k < 10; k++) {
        const res = await fetch(`${srv.baseUrl}/kurse`, { signal: AbortSignal.timeout(5000) });
        assert.equal(res.status, 200);
        await res.text();
      }
      assert.ok(slow.every((s) => s.sent < body.length && !s.answered), 'the slow bodies were still incomplete');
    } finally {
      clearInterval(drip);
    }
  } finally {
    for (const s of slow) s.sock.destroy();
    await srv.stop();
  }
});
