// Polling for a condition instead of sleeping for a fixed time.

/**
 * Calls cond() (sync or async) every `every` ms until it returns a truthy
 * value, and returns that value; throws naming `what` when it has not become
 * true within `ms`.
 */
export async function until(cond, { ms = 15000, every = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}
