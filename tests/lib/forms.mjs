// What every refused form must show: all its problems at once, each at its
// input (aria-invalid, described by its message, the message next to it) and
// listed in the alert box at the top.
import assert from 'node:assert/strict';
import { tags, textOf } from './http.mjs';

/** The text of the alert box (role="alert") at the top of a page, '' when none. */
export function alertOf(html) {
  const m = html.match(/<(div|p) class="alert" role="alert"[^>]*>([\s\S]*?)<\/\1>/);
  return m ? textOf(m[2]) : '';
}

const controls = (html) => [...tags(html, 'input'), ...tags(html, 'select'), ...tags(html, 'textarea')];

/**
 * Asserts that the refused form res (status, 422 by default) shows each
 * [inputId, messageId, text] at its input and links the alert box to it; with
 * several, the box says "Bitte korrigieren Sie die N markierten Felder" (or
 * matches opts.summary). Inputs in `fine` ([inputId, messageId]) have no message.
 */
export function assertEveryErrorAtItsField(res, expected, fine = [], opts = {}) {
  assert.equal(res.status, opts.status ?? 422, textOf(res.text).slice(0, 400));
  const box = res.text.match(/<div class="alert" role="alert"[^>]*>[\s\S]*?<\/div>/)?.[0] ?? '';
  assert.ok(box, 'an alert box at the top');
  if (opts.summary) assert.match(textOf(box), opts.summary);
  else if (expected.length > 1) {
    assert.match(textOf(box), new RegExp(`Bitte korrigieren Sie die ${expected.length} markierten Felder`));
  }
  const linked = tags(box, 'a').map((a) => a.attrs.href);
  for (const [inputId, messageId, message] of expected) {
    const input = controls(res.text).find((t) => t.attrs.id === inputId);
    assert.ok(input, `${inputId}: the input is there`);
    assert.equal(input.attrs['aria-invalid'], 'true', `${inputId} marked`);
    assert.ok((input.attrs['aria-describedby'] ?? '').split(' ').includes(messageId),
      `${inputId} described by its message #${messageId}`);
    const at = res.text.match(new RegExp(`<p class="error-text" id="${messageId}">([\\s\\S]*?)</p>`, 'g'));
    assert.equal(at?.length, 1, `${inputId}: one message at the field`);
    assert.match(textOf(at[0]), message, `${inputId}: the message at the field`);
    const pos = (s) => res.text.indexOf(s);
    const gap = pos(input.tag) - pos(at[0]);
    assert.ok(gap > 0 && gap < 600, `${inputId}: its message stands right before it`);
    if (expected.length > 1 || opts.summary) {
      assert.ok(linked.includes(`#${messageId}`), `${inputId}: the alert box links to its message`);
    }
  }
  for (const [inputId, messageId] of fine) {
    assert.ok(!res.text.includes(`id="${messageId}"`), `${inputId}: a field that is fine has no message`);
    const input = controls(res.text).find((t) => t.attrs.id === inputId);
    assert.ok(!input || !input.attrs['aria-invalid'], `${inputId} not marked`);
  }
}
