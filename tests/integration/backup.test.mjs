// Backup and restore (issue 12, item 7): `voucherctl backup` finishes while
// redemptions write all the time, gives a copy integrity_check accepts; a
// killed backup leaves no file under the backup's name and the retry works;
// `voucherctl restore` refuses while voucherd runs, refuses a damaged file
// and a file of another key, and puts the backup back so that voucherd
// serves every redemption committed before the backup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, timeScale, voucherctlBin } from '../lib/server.mjs';
import { until } from '../lib/wait.mjs';
import { sql, sqlValue, order, addUsers, redeemExisting } from '../lib/redeem.mjs';
import { textOf } from '../lib/http.mjs';

let srv;
let codes;
let users;

/** voucherctl without blocking the event loop: resolves to {code, signal, stdout, stderr, child}. */
function ctlAsync(args, onSpawn) {
  return new Promise((resolve) => {
    const child = spawn(voucherctlBin, ['-c', srv.conf, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (onSpawn) onSpawn(child);
  });
}

const sqlFile = (file, query) => {
  const r = spawnSync('sqlite3', ['-batch', '-noheader', file, query], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr };
};

before(async () => {
  srv = await startServer({ limits: { redeem_max_failures: 1000 } });
  // A database of realistic size: 120,000 accounts and 3,000 codes (about 15 MB).
  users = addUsers(srv, 'last', 120000).slice(0, 3000);
  codes = [...order(srv, 'dsgvo-grundlagen=1500'), ...order(srv, 'verwaltungsverfahren=1500')];
  const pages = Number(sqlValue(srv, 'PRAGMA page_count')) * Number(sqlValue(srv, 'PRAGMA page_size'));
  assert.ok(pages > 10e6, `database of ${pages} bytes`);
}, { timeout: 240000 });

after(async () => {
  if (srv) await srv.stop();
}, { timeout: 30000 });

/**
 * Redeems codes[from..] with 4 concurrent clients until stop() is called; returns the ones that succeeded.
 * failed() gives the first refused redemption's error (null while all succeed).
 */
function redemptionLoad(from) {
  let next = from;
  let running = true;
  let failure = null;
  const done = [];
  const worker = async () => {
    while (running && next < codes.length) {
      const i = next++;
      const res = await redeemExisting(srv, users[i], codes[i].code);
      if (res.status === 200 && /Voucher eingelöst/.test(res.text)) done.push({ i, at: Date.now() });
      else throw new Error(`redemption ${i} answered ${res.status}: ${textOf(res.text).slice(0, 300)}`);
    }
  };
  const workers = Promise.all([worker(), worker(), worker(), worker()]);
  workers.catch((e) => { failure = e; });
  return { done, failed: () => failure, stop: async () => { running = false; await workers; return done; } };
}

test('backup under constant redemption load finishes with a consistent copy holding what was committed before it', async (t) => {
  const file = path.join(srv.dir, 'under-load.db');
  const load = redemptionLoad(0);
  // Bounded: a load that stalls or fails ends the test with its reason instead of hanging.
  await until(() => {
    if (load.failed()) throw load.failed();
    return load.done.length >= 20;
  }, { ms: 60000 * timeScale, every: 20, what: '20 redemptions committed before the backup' }).catch((e) => {
    load.stop().catch(() => {}); // not awaited: a hung request must not hang the test
    throw new Error(`${e.message} (${load.done.length} so far)`);
  });
  const committedBefore = load.done.map((d) => d.i);
  const startedAt = Date.now();
  const r = await ctlAsync(['backup', file]);
  const endedAt = Date.now();
  const during = load.done.filter((d) => d.at > startedAt && d.at < endedAt).length;
  await load.stop();
  t.diagnostic(`backup of the live database took ${endedAt - startedAt} ms; ${during} redemptions committed meanwhile`);
  assert.equal(r.code, 0, r.stderr);
  // Writes went on while it ran (SQLite's step-wise backup restarted on each of them).
  assert.ok(during > 0 || endedAt - startedAt < 200, `redemptions during the backup: ${during}`);
  assert.equal(sqlFile(file, 'PRAGMA integrity_check').out, 'ok');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'the backup holds personal data: owner only');
  assert.equal(fs.existsSync(`${file}.partial`), false);
  const inCopy = new Set(sqlFile(file, 'SELECT id FROM vouchers WHERE redeemed_at IS NOT NULL').out
    .split('\n').filter(Boolean).map(Number));
  for (const i of committedBefore) assert.ok(inCopy.has(codes[i].id), `redemption ${i} in the backup`);
  assert.equal(sqlFile(file, 'SELECT count(*) FROM accounts').out, sqlValue(srv, 'SELECT count(*) FROM accounts'));
});

test('a backup killed half-way leaves no file under its name, and the retry to the same path succeeds', async () => {
  const file = path.join(srv.dir, 'killed.db');
  let caught = 0;
  for (let attempt = 0; attempt < 5 && caught === 0; attempt++) {
    fs.rmSync(file, { force: true });
    const r = await ctlAsync(['backup', file], (child) => {
      const poll = () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (fs.existsSync(`${file}.partial`)) {
          child.kill('SIGKILL');
          return;
        }
        setImmediate(poll);
      };
      poll();
    });
    if (r.signal === 'SIGKILL') {
      caught++;
      assert.equal(fs.existsSync(file), false, 'no file under the backup name after a kill');
    } else {
      assert.equal(r.code, 0, r.stderr);
    }
  }
  assert.equal(caught, 1, 'one backup was killed while copying');
  const retry = await ctlAsync(['backup', file]);
  assert.equal(retry.code, 0, retry.stderr);
  assert.equal(sqlFile(file, 'PRAGMA integrity_check').out, 'ok');
  assert.equal(fs.existsSync(`${file}.partial`), false, 'the retry removed what the killed run left');
});

test('restore: refused while voucherd runs, refused for a damaged file and for another key; puts the backup back', async () => {
  const file = path.join(srv.dir, 'for-restore.db');
  const b = await ctlAsync(['backup', file]);
  assert.equal(b.code, 0, b.stderr);
  const redeemedInBackup = sqlFile(file, 'SELECT count(*) FROM vouchers WHERE redeemed_at IS NOT NULL').out;
  // A redemption after the backup: gone after the restore.
  const late = codes.length - 1;
  const res = await redeemExisting(srv, users[late], codes[late].code);
  assert.match(textOf(res.text), /Voucher eingelöst/, textOf(res.text).slice(0, 300));

  const running = await ctlAsync(['restore', file]);
  assert.equal(running.code, 1);
  assert.match(running.stderr, /voucherd is running/);
  assert.notEqual(sqlValue(srv, 'SELECT count(*) FROM vouchers WHERE redeemed_at IS NOT NULL'), redeemedInBackup);

  const stopped = await srv.killVoucherd('SIGTERM');
  assert.equal(stopped.code, 0);

  const damaged = path.join(srv.dir, 'damaged.db');
  const bytes = fs.readFileSync(file);
  bytes.fill(0x5a, 4096, bytes.length / 2); // pages overwritten, header intact
  fs.writeFileSync(damaged, bytes);
  const bad = await ctlAsync(['restore', damaged]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /damaged|not a usable backup|not a database/);
  const garbage = path.join(srv.dir, 'garbage.db');
  fs.writeFileSync(garbage, 'this is no database at all, just some text.\n'.repeat(200));
  assert.equal((await ctlAsync(['restore', garbage])).code, 1);

  const otherKey = path.join(srv.dir, 'other.key');
  fs.writeFileSync(otherKey, Buffer.alloc(32, 7), { mode: 0o600 });
  const r = spawnSync(voucherctlBin, ['-c', srv.conf, 'restore', file], {
    encoding: 'utf8', env: { ...process.env, VOUCHER_SECURITY_KEY_FILE: otherKey },
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /does not belong to this key file/);
  // None of the refusals touched the database.
  assert.equal(sqlValue(srv, 'PRAGMA integrity_check'), 'ok');
  assert.notEqual(sqlValue(srv, 'SELECT count(*) FROM vouchers WHERE redeemed_at IS NOT NULL'), redeemedInBackup);

  const ok = await ctlAsync(['restore', file]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(fs.statSync(path.join(srv.dir, 'voucher.db')).mode & 0o777, 0o600);
  await srv.startVoucherd();
  assert.equal(sqlValue(srv, 'SELECT count(*) FROM vouchers WHERE redeemed_at IS NOT NULL'), redeemedInBackup);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM vouchers WHERE id = ${codes[late].id} AND redeemed_at IS NULL`), '1');
  // voucherd serves the restored data: the late code is open again and redeems.
  const again = await redeemExisting(srv, users[late], codes[late].code);
  assert.match(textOf(again.text), /Voucher eingelöst/, textOf(again.text).slice(0, 300));
  assert.equal(sql(srv, 'PRAGMA integrity_check')[0][0], 'ok');
});
