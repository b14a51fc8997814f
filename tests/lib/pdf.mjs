// The text of a PDF (poppler's pdftotext -layout, reading standard input).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export function pdfText(buffer) {
  const r = spawnSync('pdftotext', ['-layout', '-', '-'], { input: buffer, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** The text of the first page inside a box (points from the top left), whitespace removed: shows that a
 * wrapped text lies whole inside its column. */
export function pdfTextIn(buffer, { x, y, w, h }) {
  const r = spawnSync('pdftotext', ['-f', '1', '-l', '1', '-x', String(x), '-y', String(y), '-W', String(w),
    '-H', String(h), '-', '-'], { input: buffer, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/\s+/g, '');
}

/** Every word of a PDF with its box (pdftotext -bbox): [{page, text, xMin, yMin, xMax, yMax}]. */
export function pdfWords(buffer) {
  const r = spawnSync('pdftotext', ['-bbox', '-', '-'], { input: buffer, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const words = [];
  let page = 0;
  for (const line of r.stdout.split('\n')) {
    if (/<page\b/.test(line)) page++;
    const m = line.match(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)<\/word>/);
    if (m) words.push({ page, xMin: +m[1], yMin: +m[2], xMax: +m[3], yMax: +m[4], text: m[5] });
  }
  return words;
}

/** Fails when two words of the PDF overlap (by more than `tolerance` points each way) or a word leaves the
 * A4 page; returns the words. */
export function assertNoOverlap(buffer, tolerance = 0.5) {
  const words = pdfWords(buffer);
  assert.ok(words.length > 0, 'the PDF has text');
  for (const w of words) {
    assert.ok(w.xMin >= 0 && w.yMin >= 0 && w.xMax <= 595.5 && w.yMax <= 842.5, `"${w.text}" lies on the page`);
  }
  for (let i = 0; i < words.length; i++) {
    for (let j = i + 1; j < words.length; j++) {
      const a = words[i];
      const b = words[j];
      if (a.page !== b.page) continue;
      const dx = Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin);
      const dy = Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin);
      assert.ok(!(dx > tolerance && dy > tolerance),
        `"${a.text}" (${a.xMin},${a.yMin}–${a.xMax},${a.yMax}) overlaps "${b.text}" ` +
        `(${b.xMin},${b.yMin}–${b.xMax},${b.yMax}) on page ${a.page}`);
    }
  }
  return words;
}
