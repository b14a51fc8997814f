// The text of a PDF (poppler's pdftotext -layout, reading standard input).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export function pdfText(buffer) {
  const r = spawnSync('pdftotext', ['-layout', '-', '-'], { input: buffer, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}
