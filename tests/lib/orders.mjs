// Placing an order through the real HTTP flow as a logged-in tenant_admin:
// GET /bestellen (csrf, order_token), POST the quantities (the review), POST
// the review page's own form (confirm=1).  Used by the crash test and the
// soak run; tests/integration/order.test.mjs checks the flow itself.
import { csrfFrom, tags } from './http.mjs';

/** Every input of the form that contains the named button, as [name, value] pairs (null when no such form). */
export function formFields(html, buttonText) {
  const forms = [...html.matchAll(/<form\b[\s\S]*?<\/form>/gi)].map((m) => m[0]);
  const form = forms.find((f) => f.includes(buttonText));
  if (!form) return null;
  return tags(form, 'input').filter((t) => t.attrs.name).map((t) => [t.attrs.name, t.attrs.value ?? '']);
}

/**
 * Orders `quantities` ({slug: n}) with client c (logged in as a tenant_admin).
 * Resolves to {ok: true, id} when the confirmation answered 303 to
 * /bestellungen/ID, else {ok: false, step, status, text}; network errors
 * (voucherd or nginx gone) reject, as fetch does.
 */
export async function placeOrder(c, quantities, reference = '') {
  const form = await c.get('/bestellen');
  if (form.status !== 200) return { ok: false, step: 'form', status: form.status, text: form.text };
  const token = tags(form.text, 'input').find((t) => t.attrs.name === 'order_token')?.attrs.value;
  const fields = { csrf: csrfFrom(form.text), order_token: token, reference };
  for (const [slug, q] of Object.entries(quantities)) fields[`qty_${slug}`] = String(q);
  const review = await c.post('/bestellen', fields);
  const confirm = review.status === 200 ? formFields(review.text, 'Zahlungspflichtig bestellen') : null;
  if (!confirm) return { ok: false, step: 'review', status: review.status, text: review.text };
  const res = await c.post('/bestellen', confirm);
  const m = res.status === 303 && (res.headers.get('location') || '').match(/^\/bestellungen\/(\d+)$/);
  if (!m) return { ok: false, step: 'confirm', status: res.status, text: res.text };
  return { ok: true, id: Number(m[1]) };
}
