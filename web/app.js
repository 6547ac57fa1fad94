/*
 * mamori hub — the dashboard.  Plain JavaScript, no framework, no external
 * asset: everything it shows comes from /api/v1/ (docs/api/openapi.yaml).
 *
 * Safety rule: text from the store is attacker-controlled (resource names,
 * WAF matches, log fields).  It only ever reaches the page as text nodes or
 * attribute values set through the DOM (el(), textContent, setAttribute);
 * nothing here assigns HTML, and the server's CSP (require-trusted-types-for
 * 'script') would make any such assignment throw.  Links to remediation
 * pages are made only for http(s) URLs.
 */
'use strict';

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];
const WORKFLOWS = ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'];
const SEV_COLOR = { CRITICAL: '#9f1239', HIGH: '#dc2626', MEDIUM: '#d97706', LOW: '#2563eb', INFORMATIONAL: '#64748b' };
const SVG_NS = 'http://www.w3.org/2000/svg';

const state = { lang: 'en', cat: {}, csrf: null, authRequired: false, facets: null, renders: 0 };

/* ---- i18n ---- */

function t(key, vars) {
  let s = state.cat[key];
  if (typeof s !== 'string') s = key; /* a missing key shows itself (and fails the i18n test) */
  if (vars) for (const k of Object.keys(vars)) s = s.split('{' + k + '}').join(String(vars[k]));
  return s;
}

async function loadLang(lang) {
  const res = await fetch('/i18n/' + lang + '.json', { credentials: 'same-origin' });
  state.cat = await res.json();
  state.lang = lang;
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.getAttribute('data-i18n'));
  document.getElementById('lang').value = lang;
}

function fmtNum(n) {
  return new Intl.NumberFormat(state.lang === 'ja' ? 'ja-JP' : 'en-US').format(n);
}

function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  return new Intl.DateTimeFormat(state.lang === 'ja' ? 'ja-JP' : 'en-GB', {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC',
  }).format(d) + ' UTC';
}

/* ---- DOM ---- */

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined) continue;
    node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return node;
}

function link(href, ...children) {
  return el('a', { href }, ...children);
}

function safeUrl(u) {
  try {
    const url = new URL(u);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch (e) {
    return null;
  }
}

function sevBadge(sev) {
  return el('span', { class: 'badge sev-' + sev, text: t('sev.' + sev) });
}

function stateChip(s) {
  return el('span', { class: 'chip state-' + s, text: t('control.' + s) });
}

/* Names the data holds, as people read them: a pillar in the page's
 * language (when the catalogue knows it), and the account of findings
 * that belong to no AWS account (hosts, code, images). */
const NO_ACCOUNT = '000000000000';
const PILLARS = ['posture', 'vulnerabilities', 'detection', 'protection', 'data'];

function pillarName(p) {
  return PILLARS.includes(p) ? t('pillar.' + p) : (p || t('common.none'));
}

function accountName(a) {
  return a === NO_ACCOUNT ? t('common.no_account') : (a || t('common.none'));
}

function setMain(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

function empty(key) {
  return el('div', { class: 'empty', text: t(key) });
}

/* ---- API ---- */

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || String(status));
    this.status = status;
    this.body = body;
  }
}

async function api(path, opts) {
  const o = Object.assign({ credentials: 'same-origin', headers: {} }, opts || {});
  if (o.method && o.method !== 'GET') {
    o.headers['X-CSRF-Token'] = state.csrf || '';
    o.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(path, o);
  if (res.status === 401) {
    window.location.assign('/login');
    throw new ApiError(401, null);
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}

/* ---- charts ---- */

function donut(bySeverity, total) {
  const r = 52, c = 2 * Math.PI * r;
  const g = svg('svg', { width: 150, height: 150, viewBox: '0 0 140 140', role: 'img', 'aria-label': t('summary.by_severity') });
  g.appendChild(svg('circle', { cx: 70, cy: 70, r, fill: 'none', stroke: '#e2e8f0', 'stroke-width': 18 }));
  let offset = 0;
  for (const sev of SEVERITIES) {
    const n = bySeverity[sev] || 0;
    if (!n || !total) continue;
    const len = (c * n) / total;
    g.appendChild(svg('circle', {
      cx: 70, cy: 70, r, fill: 'none', stroke: SEV_COLOR[sev], 'stroke-width': 18,
      'stroke-dasharray': len.toFixed(2) + ' ' + (c - len).toFixed(2),
      'stroke-dashoffset': (-offset).toFixed(2), transform: 'rotate(-90 70 70)',
    }, svg('title', {}, t('sev.' + sev) + ': ' + fmtNum(n))));
    offset += len;
  }
  g.appendChild(svg('text', { x: 70, y: 74, 'text-anchor': 'middle', class: 'big' }, fmtNum(total)));
  g.appendChild(svg('text', { x: 70, y: 94, 'text-anchor': 'middle' }, t('summary.open')));
  return g;
}

function legend() {
  return el('div', { class: 'legend' }, SEVERITIES.map((s) => el('span', { class: 'sev-' + s }, el('i'), t('sev.' + s))));
}

/* Stacked severity bars, one per key, each a link to the filtered list. */
function bars(list, param) {
  const max = Math.max(1, ...list.map((x) => x.open));
  const box = el('div', { class: 'bars' });
  for (const item of list.slice(0, 12)) {
    const track = el('span', { class: 'track' });
    for (const sev of SEVERITIES) {
      const n = item.by_severity[sev] || 0;
      if (!n) continue;
      const seg = el('span', { class: 'seg sev-' + sev, title: t('sev.' + sev) + ': ' + fmtNum(n) });
      seg.style.width = ((100 * n) / max).toFixed(2) + '%';
      track.appendChild(seg);
    }
    const label = param === 'pillar' ? pillarName(item.key) : param === 'account' ? accountName(item.key) : (item.key === '' ? t('common.none') : item.key);
    box.appendChild(el('div', { class: 'row' },
      link('#/findings' + qs({ [param]: item.key, open: 'true' }), el('span', { class: 'label', title: label, text: label })),
      track,
      el('span', { class: 'n', text: fmtNum(item.open) })));
  }
  if (!list.length) box.appendChild(empty('common.nothing'));
  return box;
}

/* One line per standard: score in percent across scans. */
function trendChart(points) {
  const byStd = new Map();
  const scans = [...new Set(points.map((p) => p.scan_id))].sort((a, b) => a - b);
  for (const p of points) {
    if (p.score === null) continue;
    if (!byStd.has(p.standard)) byStd.set(p.standard, []);
    byStd.get(p.standard).push(p);
  }
  const W = 640, H = 180, L = 42, B = 22, colors = ['#9f1239', '#2563eb', '#15803d', '#d97706', '#7c3aed', '#0891b2'];
  const g = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img', 'aria-label': t('summary.trend') });
  for (const v of [0, 50, 100]) {
    const y = H - B - ((H - B - 10) * v) / 100;
    g.appendChild(svg('line', { x1: L, x2: W - 4, y1: y, y2: y, stroke: '#e2e8f0' }));
    g.appendChild(svg('text', { x: L - 4, y: y + 4, 'text-anchor': 'end' }, v + '%'));
  }
  const x = (id) => (scans.length < 2 ? (L + W) / 2 : L + ((W - L - 10) * scans.indexOf(id)) / (scans.length - 1));
  let i = 0;
  const keys = el('div', { class: 'legend' });
  for (const [std, pts] of byStd) {
    const color = colors[i++ % colors.length];
    const d = pts.map((p, k) => (k ? 'L' : 'M') + x(p.scan_id).toFixed(1) + ' ' + (H - B - ((H - B - 10) * p.score) / 100).toFixed(1)).join(' ');
    g.appendChild(svg('path', { d, fill: 'none', stroke: color, 'stroke-width': 2 }));
    for (const p of pts) {
      g.appendChild(svg('circle', { cx: x(p.scan_id).toFixed(1), cy: (H - B - ((H - B - 10) * p.score) / 100).toFixed(1), r: 3, fill: color },
        svg('title', {}, std + ' — ' + t('scans.scan') + ' ' + p.scan_id + ': ' + p.score + '%')));
    }
    const key = el('span', {}, el('i'), std);
    key.firstChild.style.background = color;
    keys.appendChild(key);
  }
  if (!byStd.size) return empty('summary.no_trend');
  return el('div', {}, g, keys);
}

/* ---- filters shared by the findings list, export and summary links ---- */

const FILTER_KEYS = ['severity', 'status', 'record_state', 'open', 'pillar', 'module', 'account', 'region', 'resource_type', 'rule', 'control', 'q', 'since', 'until', 'sort', 'order', 'page', 'per_page'];

/* The findings of one control ("Standard/Control"), for links from the
 * summary and the standards matrix. */
function controlHref(standard, control, extra) {
  return '#/findings' + qs(Object.assign({ control: standard + '/' + control }, extra || {}));
}

/* A date input's day as RFC 3339 (the start of the day, or of the next one
 * for an inclusive "to"), and back. */
function dayToTime(day, next) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return '';
  const d = new Date(day + 'T00:00:00Z');
  if (next) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().replace('.000Z', 'Z');
}

function timeToDay(v, next) {
  if (!/^\d{4}-\d{2}-\d{2}T00:00:00(\.0+)?Z$/.test(v || '')) return '';
  const d = new Date(v);
  if (next) d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

function routeParams() {
  const h = window.location.hash;
  const i = h.indexOf('?');
  return new URLSearchParams(i >= 0 ? h.slice(i + 1) : '');
}

function paramsObject(p) {
  const o = {};
  for (const k of FILTER_KEYS) if (p.get(k)) o[k] = p.get(k);
  return o;
}

async function facets() {
  if (!state.facets) state.facets = await api('/api/v1/facets');
  return state.facets;
}

/* ---- pages ---- */

async function pageSummary() {
  const s = await api('/api/v1/summary');
  const kpis = el('div', { class: 'kpis' },
    el('a', { class: 'kpi', href: '#/findings?open=true' }, el('b', { text: fmtNum(s.open) }), el('span', { text: t('summary.open_findings') })),
    SEVERITIES.map((sev) => el('a', { class: 'kpi sev-' + sev, href: '#/findings' + qs({ severity: sev, open: 'true' }) },
      el('b', { text: fmtNum(s.by_severity[sev] || 0) }), el('span', { text: t('sev.' + sev) }))),
    el('div', { class: 'kpi sev-PASSED' }, el('b', { text: fmtNum(s.passed) }), el('span', { text: t('summary.passed_checks') })),
    el('a', { class: 'kpi', href: '#/findings?status=SUPPRESSED' }, el('b', { text: fmtNum(s.by_workflow.SUPPRESSED || 0) }), el('span', { text: t('wf.SUPPRESSED') })));

  const standards = el('div', {});
  for (const st of s.standards) {
    standards.appendChild(el('div', { class: 'row-score' },
      el('div', { class: 'score' }, st.score === null ? '—' : st.score + '%', ' ', el('small', { text: t('summary.controls_passed', { passed: st.passed, total: st.passed + st.failed }) })),
      link('#/standards', st.standard)));
  }
  if (!s.standards.length) standards.appendChild(empty('summary.no_standards'));

  const top = el('table', {}, el('thead', {}, el('tr', {}, el('th', { text: t('col.control') }), el('th', { text: t('col.standard') }), el('th', { text: t('col.severity') }), el('th', { class: 'num', text: t('col.failed') }))),
    el('tbody', {}, s.top_failing_controls.map((c) => el('tr', { class: 'sev sev-' + (c.max_severity || 'INFORMATIONAL') },
      el('td', {}, link(controlHref(c.standard, c.control, { open: 'true' }), el('code', { text: c.control }))), el('td', { text: c.standard }),
      el('td', {}, c.max_severity ? sevBadge(c.max_severity) : '—'), el('td', { class: 'num', text: fmtNum(c.failed) })))));

  const newest = s.newest_critical.length
    ? el('table', {}, el('tbody', {}, s.newest_critical.map((f) => el('tr', { class: 'sev sev-CRITICAL' },
      el('td', {}, link('#/finding/' + encodeURIComponent(f.hash), f.title)),
      el('td', { class: 'mono', text: f.resource_id || '' }), el('td', { text: fmtTime(f.first_observed_at) })))))
    : empty('summary.no_critical');

  setMain(
    el('h1', { text: t('summary.title') }),
    kpis,
    el('div', { class: 'grid' },
      el('section', { class: 'card' }, el('h2', { text: t('summary.by_severity') }), el('div', { class: 'donut-wrap' }, donut(s.by_severity, s.open), legend())),
      el('section', { class: 'card' }, el('h2', { text: t('summary.by_pillar') }), bars(s.pillars, 'pillar')),
      el('section', { class: 'card' }, el('h2', { text: t('summary.by_account') }), bars(s.accounts, 'account')),
      el('section', { class: 'card' }, el('h2', { text: t('summary.by_region') }), bars(s.regions, 'region')),
      el('section', { class: 'card', id: 'compliance' }, el('h2', { text: t('summary.compliance') }), standards),
      el('section', { class: 'card wide' }, el('h2', { text: t('summary.trend') }), trendChart(s.trend))),
    el('div', { class: 'grid' },
      el('section', {}, el('h2', { text: t('summary.top_failing') }), s.top_failing_controls.length ? top : empty('summary.no_failing')),
      el('section', {}, el('h2', { text: t('summary.newest_critical') }), newest)));
}

function selectFilter(name, labelKey, values, current) {
  const sel = el('select', { name, id: 'f-' + name },
    el('option', { value: '', text: t('filter.any') }),
    values.map((v) => el('option', { value: v.value, selected: v.value === current, text: v.label || v.value })));
  return el('label', {}, t(labelKey), sel);
}

async function pageFindings() {
  const p = routeParams();
  if (![...p.keys()].length) p.set('open', 'true');
  const params = paramsObject(p);
  const [fc, data] = await Promise.all([facets(), api('/api/v1/findings' + qs(params))]);
  const sevs = (params.severity || '').split(',').filter(Boolean);
  const form = el('form', { class: 'filters', id: 'filters' },
    el('fieldset', {}, el('legend', { text: t('col.severity') }),
      SEVERITIES.map((s) => el('label', { class: 'sevbox' }, el('input', { type: 'checkbox', name: 'severity', value: s, checked: sevs.includes(s) }), t('sev.' + s)))),
    selectFilter('status', 'col.workflow', WORKFLOWS.map((w) => ({ value: w, label: t('wf.' + w) })), params.status),
    el('label', {}, t('filter.open'), el('select', { name: 'open', id: 'f-open' },
      el('option', { value: '', text: t('filter.any') }),
      el('option', { value: 'true', selected: params.open === 'true', text: t('filter.open_only') }),
      el('option', { value: 'false', selected: params.open === 'false', text: t('filter.all') }))),
    selectFilter('pillar', 'col.pillar', fc.pillars.map((v) => ({ value: v.value, label: pillarName(v.value) })), params.pillar),
    selectFilter('account', 'col.account', fc.accounts.map((v) => ({ value: v.value, label: accountName(v.value) })), params.account),
    selectFilter('region', 'col.region', fc.regions, params.region),
    selectFilter('resource_type', 'col.resource_type', fc.resource_types, params.resource_type),
    selectFilter('rule', 'col.rule', fc.rules, params.rule),
    el('label', {}, t('filter.since'), el('select', { name: 'since', id: 'f-since' },
      ['', '24h', '7d', '30d'].map((v) => el('option', { value: v, selected: (params.since || '') === v, text: v ? t('filter.last_' + v) : t('filter.any') })))),
    el('label', {}, t('filter.from'), el('input', { type: 'date', name: 'from', id: 'f-from', value: timeToDay(params.since, false) })),
    el('label', {}, t('filter.to'), el('input', { type: 'date', name: 'to', id: 'f-to', value: timeToDay(params.until, true) })),
    el('label', {}, t('filter.search'), el('input', { type: 'search', name: 'q', id: 'f-q', value: params.q || '', placeholder: t('filter.search_hint') })),
    el('button', { type: 'submit', id: 'apply-filters', text: t('filter.apply') }),
    el('button', { type: 'button', class: 'secondary', id: 'reset-filters', onclick: () => { window.location.hash = '#/findings'; }, text: t('filter.reset') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const next = {};
    const s = fd.getAll('severity');
    if (s.length) next.severity = s.join(',');
    for (const k of ['status', 'open', 'pillar', 'account', 'region', 'resource_type', 'rule', 'since', 'q']) {
      const v = fd.get(k);
      if (v) next[k] = v;
    }
    /* a day range overrides the "last seen" preset */
    if (fd.get('from')) next.since = dayToTime(fd.get('from'), false);
    if (fd.get('to')) next.until = dayToTime(fd.get('to'), true);
    if (params.control) next.control = params.control;
    if (!Object.keys(next).length) next.open = 'false';
    if (params.sort) next.sort = params.sort;
    if (params.order) next.order = params.order;
    window.location.hash = '#/findings' + qs(next);
  });

  const selected = new Set();
  const bulkButtons = [];
  const sortHeader = (key, labelKey) => {
    const on = (params.sort || 'severity') === key;
    const order = on && params.order !== 'asc' ? 'asc' : 'desc';
    return el('th', {}, el('button', { class: 'sort' + (on ? ' on' : ''), type: 'button',
      onclick: () => { window.location.hash = '#/findings' + qs(Object.assign({}, params, { sort: key, order, page: '' })); } },
    t(labelKey), on ? (params.order === 'asc' ? ' ▲' : ' ▼') : ''));
  };
  const all = el('input', { type: 'checkbox', id: 'select-all', 'aria-label': t('findings.select_all') });
  const boxes = [];
  all.addEventListener('change', () => {
    for (const b of boxes) { b.checked = all.checked; b.dispatchEvent(new Event('change')); }
  });
  const rows = data.items.map((f) => {
    const box = el('input', { type: 'checkbox', class: 'pick', 'aria-label': t('findings.select') });
    box.addEventListener('change', () => {
      if (box.checked) selected.add(f.id); else selected.delete(f.id);
      for (const b of bulkButtons) b.disabled = selected.size === 0;
    });
    boxes.push(box);
    return el('tr', { class: 'sev sev-' + f.severity, 'data-id': f.id },
      el('td', {}, box),
      el('td', {}, sevBadge(f.severity)),
      el('td', {}, link('#/finding/' + encodeURIComponent(f.hash), el('span', { class: 'title', text: f.title })),
        el('div', { class: 'muted mono', text: f.rule || '' })),
      el('td', {}, f.resource_id ? link('#/resource' + qs({ id: f.resource_id }), el('span', { class: 'mono', text: f.resource_id })) : '—',
        el('div', { class: 'muted', text: f.resource_type || '' })),
      el('td', { class: 'nowrap', text: accountName(f.account) }), el('td', { class: 'nowrap', text: f.region || '' }),
      el('td', {}, el('span', { class: 'chip', text: t('wf.' + f.workflow) }), f.record_state === 'ARCHIVED' ? el('div', { class: 'muted', text: t('rs.ARCHIVED') }) : null,
        f.compliance ? el('div', { class: 'muted', text: t('comp.' + f.compliance) }) : null),
      el('td', { text: fmtTime(f.last_observed_at) }));
  });
  for (const [to, key] of [['SUPPRESSED', 'workflow.suppress'], ['RESOLVED', 'workflow.resolve'], ['NEW', 'workflow.reopen']]) {
    bulkButtons.push(el('button', { type: 'button', class: 'secondary', id: 'bulk-' + to.toLowerCase(), disabled: true,
      onclick: () => askNote(to, [...selected], () => route()), text: t(key) }));
  }
  const page = Number(params.page || 1), per = Number(params.per_page || 50);
  const pages = Math.max(1, Math.ceil(data.total / per));
  const pager = el('div', { class: 'pager' },
    el('span', { class: 'muted', id: 'total', text: t(data.total_capped ? 'findings.total_capped' : 'findings.total', { n: fmtNum(data.total) }) }),
    el('button', { type: 'button', class: 'secondary', id: 'prev', disabled: page <= 1,
      onclick: () => { window.location.hash = '#/findings' + qs(Object.assign({}, params, { page: page - 1 })); }, text: t('common.prev') }),
    el('span', { text: t('findings.page', { page, pages: data.total_capped ? '…' : pages }) }),
    el('button', { type: 'button', class: 'secondary', id: 'next', disabled: page * per >= data.total,
      onclick: () => { window.location.hash = '#/findings' + qs(Object.assign({}, params, { page: page + 1 })); }, text: t('common.next') }));
  const exportParams = Object.assign({}, params, { format: 'asff' });
  delete exportParams.page; delete exportParams.per_page;
  const without = (key) => { const o = Object.assign({}, params); delete o[key]; delete o.page; return '#/findings' + qs(o); };
  const active = params.control
    ? el('p', { class: 'active-filter', id: 'control-filter' }, t('filter.control'), ' ', el('code', { text: params.control }), ' ',
      link(without('control'), t('filter.remove')))
    : null;
  setMain(
    el('h1', { text: t('findings.title') }),
    form,
    active,
    el('div', { class: 'toolbar' }, el('span', { class: 'muted', text: t('findings.bulk') }), bulkButtons, el('span', { class: 'spacer' }),
      el('a', { href: '/api/v1/findings/export' + qs(exportParams), id: 'export-asff', download: 'mamori-findings.asff.json', text: t('findings.export_asff') })),
    data.items.length
      ? el('table', { id: 'findings-table' },
        el('thead', {}, el('tr', {}, el('th', {}, all), sortHeader('severity', 'col.severity'), sortHeader('title', 'col.finding'),
          sortHeader('resource', 'col.resource'), sortHeader('account', 'col.account'), sortHeader('region', 'col.region'),
          sortHeader('workflow', 'col.workflow'), sortHeader('last_seen', 'col.last_seen'))),
        el('tbody', {}, rows))
      : empty('findings.none'),
    pager);
}

/* Ask for the note a workflow change needs, then apply it to ids. */
function askNote(to, ids, done) {
  const dlg = document.getElementById('note-dialog');
  const text = document.getElementById('note-text');
  const err = document.getElementById('note-error');
  document.getElementById('note-title').textContent = t('workflow.title_' + to);
  document.getElementById('note-what').textContent = t('workflow.count', { n: ids.length });
  text.value = '';
  err.hidden = true;
  const form = document.getElementById('note-form');
  const cancel = document.getElementById('note-cancel');
  const onSubmit = async (ev) => {
    ev.preventDefault();
    const note = text.value.trim();
    if (!note) { err.textContent = t('workflow.note_required'); err.hidden = false; return; }
    try {
      await api('/api/v1/findings/workflow', { method: 'POST', body: JSON.stringify({ ids, status: to, note }) });
      cleanup();
      dlg.close();
      done();
    } catch (e) {
      err.textContent = t('error.generic', { message: e.message });
      err.hidden = false;
    }
  };
  const onCancel = () => { cleanup(); dlg.close(); };
  function cleanup() {
    form.removeEventListener('submit', onSubmit);
    cancel.removeEventListener('click', onCancel);
  }
  form.addEventListener('submit', onSubmit);
  cancel.addEventListener('click', onCancel);
  dlg.showModal();
  text.focus();
}

/* Any JSON value as nested definition lists, depth-limited, text only. */
function jsonView(v, depth) {
  if (depth > 8) return el('code', { text: JSON.stringify(v) });
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== 'object' || x === null)) return el('span', { text: v.map(String).join(', ') });
    return el('div', {}, v.map((x) => el('div', { class: 'card' }, jsonView(x, depth + 1))));
  }
  if (v && typeof v === 'object') {
    return el('dl', { class: 'fields' }, Object.entries(v).map(([k, x]) => [el('dt', { text: k }), el('dd', {}, jsonView(x, depth + 1))]));
  }
  return el('span', { text: v === null ? '—' : String(v) });
}

function prettyJson(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return String(text); }
}

async function pageFinding(hash) {
  const d = await api('/api/v1/findings/' + encodeURIComponent(hash));
  const f = d.finding || {}, row = d.row;
  const pf = f.ProductFields || {};
  const remediation = (f.Remediation && f.Remediation.Recommendation) || {};
  const url = remediation.Url ? safeUrl(remediation.Url) : null;
  const actions = el('div', { class: 'toolbar' },
    row.workflow !== 'SUPPRESSED' ? el('button', { type: 'button', id: 'do-suppress', onclick: () => askNote('SUPPRESSED', [row.id], route), text: t('workflow.suppress') }) : null,
    row.workflow !== 'RESOLVED' ? el('button', { type: 'button', class: 'secondary', id: 'do-resolve', onclick: () => askNote('RESOLVED', [row.id], route), text: t('workflow.resolve') }) : null,
    row.workflow !== 'NEW' ? el('button', { type: 'button', class: 'secondary', id: 'do-reopen', onclick: () => askNote('NEW', [row.id], route), text: t('workflow.reopen') }) : null);
  const facts = el('dl', { class: 'fields' },
    el('dt', { text: t('col.severity') }), el('dd', {}, sevBadge(row.severity)),
    el('dt', { text: t('col.workflow') }), el('dd', { id: 'workflow-status' }, el('span', { class: 'chip', text: t('wf.' + row.workflow) })),
    el('dt', { text: t('col.record_state') }), el('dd', { text: t('rs.' + row.record_state) }),
    el('dt', { text: t('col.compliance') }), el('dd', { text: row.compliance ? t('comp.' + row.compliance) : '—' }),
    el('dt', { text: t('col.rule') }), el('dd', {}, el('code', { text: row.rule || '' })),
    el('dt', { text: t('col.pillar') }), el('dd', { text: pillarName(row.pillar) + ' / ' + (row.module || '') }),
    el('dt', { text: t('col.resource') }), el('dd', {}, row.resource_id ? link('#/resource' + qs({ id: row.resource_id }), el('span', { class: 'mono', text: row.resource_id })) : '—'),
    el('dt', { text: t('col.account') }), el('dd', { text: accountName(row.account) + ' · ' + (row.region || '') }),
    el('dt', { text: t('col.first_seen') }), el('dd', { text: fmtTime(row.first_observed_at) }),
    el('dt', { text: t('col.last_seen') }), el('dd', { text: fmtTime(row.last_observed_at) }),
    el('dt', { text: t('col.id') }), el('dd', {}, el('code', { text: row.id })));
  const attribution = pf['mamori/RuleAuthor']
    ? el('p', {}, t('finding.rule_by', { author: pf['mamori/RuleAuthor'] }), pf['mamori/RuleLicense'] ? ' (' + pf['mamori/RuleLicense'] + ')' : '')
    : el('p', { class: 'muted', text: t('finding.no_attribution') });
  const history = el('table', { id: 'history' }, el('thead', {}, el('tr', {}, ['col.when', 'col.event', 'col.change', 'col.who', 'col.note'].map((k) => el('th', { text: t(k) })))),
    el('tbody', {}, d.history.map((e) => el('tr', {},
      el('td', { text: fmtTime(e.at) }), el('td', { text: t('event.' + e.event) }),
      el('td', { text: (e.from ? e.from + ' → ' : '') + (e.to || '') }),
      el('td', { text: e.actor }), el('td', { text: e.reason || '' })))));
  setMain(
    el('p', {}, link('#/findings', '← ' + t('nav.findings'))),
    el('h1', { id: 'finding-title', text: row.title }),
    actions,
    el('div', { class: 'grid' },
      el('section', { class: 'card' }, el('h2', { text: t('finding.overview') }), facts),
      el('section', { class: 'card' }, el('h2', { text: t('finding.description') }), el('p', { text: f.Description || '' }),
        el('h2', { text: t('finding.remediation') }), el('p', { text: remediation.Text || t('common.none') }),
        url ? el('p', {}, el('a', { href: url, rel: 'noopener noreferrer', target: '_blank', text: t('finding.reference') })) : null,
        el('h2', { text: t('finding.attribution') }), attribution)),
    el('h2', { text: t('finding.evidence') }),
    pf['mamori/Evidence'] ? el('pre', { id: 'evidence', text: prettyJson(pf['mamori/Evidence']) }) : empty('finding.no_evidence'),
    el('h2', { text: t('finding.history') }), history,
    el('h2', { text: t('finding.asff') }), el('section', { class: 'card', id: 'asff' }, jsonView(f, 0)));
}

async function pageResource() {
  const id = routeParams().get('id') || '';
  const d = await api('/api/v1/resource' + qs({ id }));
  const r = d.resource;
  setMain(
    el('p', {}, link('#/resources', '← ' + t('nav.resources'))),
    el('h1', { class: 'mono', text: r.id }),
    el('section', { class: 'card' }, el('dl', { class: 'fields' },
      el('dt', { text: t('col.resource_type') }), el('dd', { text: r.type || '' }),
      el('dt', { text: t('col.account') }), el('dd', { text: accountName(r.account) }),
      el('dt', { text: t('col.region') }), el('dd', { text: r.region || '' }),
      el('dt', { text: t('col.partition') }), el('dd', { text: r.partition || '' })),
    r.details ? [el('h2', { text: t('resource.details') }), jsonView(r.details, 0)] : null),
    el('h2', { text: t('resource.findings', { n: d.findings.length }) }),
    findingTable(d.findings));
}

function findingTable(items) {
  if (!items.length) return empty('findings.none');
  return el('table', {}, el('thead', {}, el('tr', {}, ['col.severity', 'col.finding', 'col.workflow', 'col.last_seen'].map((k) => el('th', { text: t(k) })))),
    el('tbody', {}, items.map((f) => el('tr', { class: 'sev sev-' + f.severity },
      el('td', {}, sevBadge(f.severity)),
      el('td', {}, link('#/finding/' + encodeURIComponent(f.hash), f.title), el('div', { class: 'muted mono', text: f.rule || '' })),
      el('td', { text: t('wf.' + f.workflow) + (f.record_state === 'ARCHIVED' ? ' · ' + t('rs.ARCHIVED') : '') }),
      el('td', { text: fmtTime(f.last_observed_at) })))));
}

async function pageResources() {
  const params = paramsObject(routeParams());
  const [fc, d] = await Promise.all([facets(), api('/api/v1/resources' + qs(params))]);
  const page = Number(params.page || 1);
  const form = el('form', { class: 'filters', id: 'resource-filters' },
    selectFilter('account', 'col.account', fc.accounts.map((v) => ({ value: v.value, label: accountName(v.value) })), params.account),
    selectFilter('resource_type', 'col.resource_type', fc.resource_types, params.resource_type),
    el('label', {}, t('filter.search'), el('input', { type: 'search', name: 'q', id: 'r-q', value: params.q || '', placeholder: t('filter.search_hint') })),
    el('button', { type: 'submit', id: 'apply-resource-filters', text: t('filter.apply') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const next = {};
    for (const k of ['account', 'resource_type', 'q']) if (fd.get(k)) next[k] = fd.get(k);
    window.location.hash = '#/resources' + qs(next);
  });
  setMain(
    el('h1', { text: t('resources.title') }),
    form,
    d.items.length
      ? el('table', { id: 'resources-table' }, el('thead', {}, el('tr', {}, ['col.resource', 'col.resource_type', 'col.account', 'col.region', 'col.max_severity', 'col.open', 'col.findings'].map((k) => el('th', { text: t(k) })))),
        el('tbody', {}, d.items.map((r) => el('tr', { class: r.max_severity ? 'sev sev-' + r.max_severity : '' },
          el('td', {}, link('#/resource' + qs({ id: r.id }), el('span', { class: 'mono', text: r.id }))),
          el('td', { text: r.type }), el('td', { class: 'nowrap', text: accountName(r.account) }), el('td', { class: 'nowrap', text: r.region }),
          el('td', {}, r.max_severity ? sevBadge(r.max_severity) : '—'),
          el('td', { class: 'num', text: fmtNum(r.open) }), el('td', { class: 'num', text: fmtNum(r.findings) })))))
      : empty('resources.none'),
    el('div', { class: 'pager' },
      el('button', { type: 'button', class: 'secondary', disabled: page <= 1, onclick: () => { window.location.hash = '#/resources' + qs(Object.assign({}, params, { page: page - 1 })); }, text: t('common.prev') }),
      el('button', { type: 'button', class: 'secondary', disabled: d.items.length < d.per_page, onclick: () => { window.location.hash = '#/resources' + qs(Object.assign({}, params, { page: page + 1 })); }, text: t('common.next') })));
}

async function pageStandards() {
  const account = routeParams().get('account') || '';
  const d = await api('/api/v1/standards' + qs({ account }));
  const sections = [];
  for (const st of d.standards) {
    const controls = d.controls.filter((c) => c.standard === st.standard)
      .sort((a, b) => a.control.localeCompare(b.control, undefined, { numeric: true }));
    const cells = new Map(d.cells.filter((c) => c.standard === st.standard).map((c) => [c.control + '\u001f' + c.account, c]));
    sections.push(el('section', { class: 'card' },
      el('h2', { text: st.standard }),
      el('div', { class: 'score' }, st.score === null ? '—' : st.score + '%', ' ', el('small', { text: t('summary.controls_passed', { passed: st.passed, total: st.passed + st.failed }) })),
      el('table', { class: 'matrix' },
        el('thead', {}, el('tr', {}, el('th', { text: t('col.control') }), el('th', { text: t('col.status') }), d.accounts.map((a) => el('th', { text: accountName(a) })))),
        el('tbody', {}, controls.map((c) => el('tr', {},
          el('td', {}, link(controlHref(st.standard, c.control, { open: 'false' }), el('code', { text: c.control }))),
          el('td', {}, stateChip(c.state)),
          d.accounts.map((a) => {
            const cell = cells.get(c.control + '\u001f' + a);
            return el('td', { class: 'cell' }, cell
              ? link(controlHref(st.standard, c.control, { account: a, open: 'false' }), stateChip(cell.state))
              : '—');
          })))))));
  }
  const fc = await facets();
  const pick = el('select', { id: 'standards-account', onchange: (ev) => { window.location.hash = '#/standards' + qs({ account: ev.target.value }); } },
    el('option', { value: '', text: t('filter.any') }),
    fc.accounts.map((a) => el('option', { value: a.value, selected: a.value === account, text: accountName(a.value) })));
  setMain(el('h1', { text: t('standards.title') }),
    el('div', { class: 'filters' }, el('label', {}, t('col.account'), pick)),
    sections.length ? sections : empty('summary.no_standards'));
}

async function pageScans() {
  const d = await api('/api/v1/scans');
  setMain(
    el('h1', { text: t('scans.title') }),
    d.scans.length
      ? el('table', { id: 'scans-table' }, el('thead', {}, el('tr', {}, ['scans.scan', 'col.target', 'col.started', 'col.duration', 'col.modules', 'col.findings', 'col.new', 'col.archived', 'col.host'].map((k) => el('th', { text: t(k) })))),
        el('tbody', {}, d.scans.map((s) => el('tr', {},
          el('td', { class: 'num', text: '#' + s.id }), el('td', { class: 'mono', text: s.target }),
          el('td', { text: fmtTime(s.started_at) }),
          el('td', { class: 'num', text: s.duration_seconds === null ? '—' : t('scans.seconds', { n: s.duration_seconds }) }),
          el('td', {}, s.modules.map((m) => el('span', { class: 'chip', text: m })), s.failed_modules.map((m) => el('span', { class: 'chip state-FAILED', text: m }))),
          el('td', { class: 'num', text: fmtNum(s.findings) }), el('td', { class: 'num', text: fmtNum(s.new_findings) }),
          el('td', { class: 'num', text: fmtNum(s.archived) }), el('td', { text: s.host })))))
      : empty('scans.none'));
}

/* ---- routing ---- */

async function route() {
  const h = window.location.hash || '#/summary';
  const path = h.slice(1).split('?')[0];
  const page = path.split('/')[1] || 'summary';
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.getAttribute('data-page') === page || (page === 'finding' && a.getAttribute('data-page') === 'findings') || (page === 'resource' && a.getAttribute('data-page') === 'resources'));
  document.title = t('app.title');
  try {
    if (page === 'summary') await pageSummary();
    else if (page === 'findings') await pageFindings();
    else if (page === 'finding') await pageFinding(decodeURIComponent(path.split('/')[2] || ''));
    else if (page === 'resource') await pageResource();
    else if (page === 'resources') await pageResources();
    else if (page === 'standards') await pageStandards();
    else if (page === 'scans') await pageScans();
    else setMain(empty('error.not_found'));
  } catch (e) {
    if (e.status === 401) return;
    setMain(el('h1', { text: t(e.status === 404 ? 'error.not_found' : 'error.title') }), el('p', { class: 'error', text: e.message }));
  }
  /* for tests and screenshots: which page is drawn, and how many times */
  document.body.setAttribute('data-page', page);
  document.body.setAttribute('data-rendered', String(++state.renders));
}

async function start() {
  const session = await api('/api/v1/session');
  state.csrf = session.csrf || null;
  state.authRequired = session.auth_required;
  const cookie = /(?:^|;\s*)mamori_lang=(en|ja)/.exec(document.cookie);
  await loadLang(cookie ? cookie[1] : session.lang);
  document.getElementById('version').textContent = 'v' + session.version;
  const logout = document.getElementById('logout');
  logout.hidden = !state.authRequired;
  logout.addEventListener('click', async () => {
    await fetch('/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': state.csrf || '' } });
    window.location.assign('/login');
  });
  document.getElementById('lang').addEventListener('change', async (ev) => {
    document.cookie = 'mamori_lang=' + ev.target.value + '; path=/; SameSite=Strict; max-age=31536000';
    await loadLang(ev.target.value);
    route();
  });
  window.addEventListener('hashchange', route);
  await route();
  document.body.setAttribute('data-ready', 'true');
}

start();
