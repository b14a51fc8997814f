// A real SMTP server inside the test process (smtp-server), keeping every
// message it receives parsed with mailparser.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

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
