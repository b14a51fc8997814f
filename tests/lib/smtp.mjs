// A real SMTP server inside the test process (smtp-server), keeping every
// message it receives parsed with mailparser.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import net from 'node:net';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Listens on 127.0.0.1:port (0 = any free port), without STARTTLS and AUTH.
 * Returns { port, messages: [{raw, envelope, mail}], waitFor(pred, ms), close() }.
 */
export async function startSmtp(port = 0) {
  const messages = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    size: 100 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        try {
          const mail = await simpleParser(raw);
          messages.push({ raw, envelope: JSON.parse(JSON.stringify(session.envelope)), mail });
          callback();
        } catch (e) {
          callback(e);
        }
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  /** The first message for which pred(message) holds, waiting up to ms. */
  const waitFor = async (pred, ms = 20000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = messages.find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching mail within ${ms} ms (${messages.length} received)`);
      await sleep(100);
    }
  };
  return {
    port: server.server.address().port,
    messages,
    waitFor,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * A scripted SMTP server (plain TCP, RFC 5321 commands) whose every answer
 * the test decides, for fault injection:
 *   rcpt(address, n) -> reply line such as '550 5.1.1 no such mailbox', or null for '250 OK'
 *   data(n, session) -> 'accept' (store, 250), 'drop' (close the connection as soon as message data
 *                       arrives: the client never sees an answer, nothing stored), 'store-drop' (store
 *                       the message, then close instead of 250: the receipt-before-250 crash), or a
 *                       reply line such as '451 4.3.0 try later' (not stored)
 * n counts from 1 per address (rcpt) or per DATA command (data).
 * Returns { port, messages: [{from, rcpts, raw, mail}], rcptLog: [address], listen(port), close() }.
 */
export async function startScriptedSmtp({ rcpt = () => null, data = () => 'accept', port = 0 } = {}) {
  const messages = [];
  const rcptLog = [];
  const rcptCount = new Map();
  let dataCount = 0;
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    let mode = 'command';
    let env = { from: null, rcpts: [] };
    let action = 'accept';
    const reply = (line) => { if (!sock.destroyed) sock.write(line + '\r\n'); };
    reply('220 scripted.test ESMTP');
    sock.on('data', async (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (mode === 'data') {
          if (action === 'drop') { sock.destroy(); return; }
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const raw = buf.subarray(0, end + 2);
          buf = buf.subarray(end + 5);
          mode = 'command';
          if (action === 'accept' || action === 'store-drop') {
            const unstuffed = Buffer.from(raw.toString('latin1').replace(/\r\n\.\./g, '\r\n.'), 'latin1');
            messages.push({ from: env.from, rcpts: [...env.rcpts], raw: unstuffed, mail: await simpleParser(unstuffed) });
            if (action === 'store-drop') { sock.destroy(); return; }
            reply('250 2.0.0 queued');
          } else {
            reply(action);
          }
          env = { from: null, rcpts: [] };
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.subarray(0, nl).toString('latin1');
        buf = buf.subarray(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') reply('250-scripted.test\r\n250 8BITMIME');
        else if (verb === 'HELO') reply('250 scripted.test');
        else if (verb === 'MAIL') { env = { from: line.match(/<([^>]*)>/)?.[1] ?? '', rcpts: [] }; reply('250 OK'); }
        else if (verb === 'RCPT') {
          const addr = line.match(/<([^>]*)>/)?.[1] ?? '';
          const n = (rcptCount.get(addr) ?? 0) + 1;
          rcptCount.set(addr, n);
          rcptLog.push(addr);
          const r = rcpt(addr, n);
          if (r) reply(r);
          else { env.rcpts.push(addr); reply('250 OK'); }
        } else if (verb === 'DATA') {
          if (!env.rcpts.length) { reply('554 5.5.1 no valid recipients'); continue; }
          // A refusal line is the final reply after the message (RFC 5321 §4.3.2).
          action = data(++dataCount, env);
          mode = 'data';
          reply('354 go ahead');
        } else if (verb === 'RSET') { env = { from: null, rcpts: [] }; reply('250 OK'); }
        else if (verb === 'NOOP') reply('250 OK');
        else if (verb === 'QUIT') { reply('221 bye'); sock.end(); return; }
        else reply('502 5.5.2 not implemented');
      }
    });
  });
  const listen = (p) => new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, '127.0.0.1', () => resolve(server.address().port));
  });
  const actualPort = await listen(port);
  return {
    port: actualPort,
    messages,
    rcptLog,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
