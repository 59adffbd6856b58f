// fangpin serve page: plain JS, no libraries (works offline, in the WPS browser too).
'use strict';

const TOKEN = document.querySelector('meta[name="fangpin-token"]').content;
const $ = (sel) => document.querySelector(sel);
// Status colours, most urgent first (the order the server sends the labels in).
const STATUS_COLOURS = ['#b71c1c', '#e53935', '#fb8c00', '#fdd835', '#90a4ae', '#43a047'];

let lastStatus = null;
let events = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c == null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function notice(text, kind) {
  const n = $('#notice');
  n.textContent = text;
  n.className = 'notice ' + (kind || 'info');
  n.hidden = !text;
}

async function api(method, url, body) {
  const headers = { 'X-Fangpin-Token': TOKEN };
  const r = await fetch(url, { method, headers, body, credentials: 'same-origin' });
  let data = null;
  try { data = await r.json(); } catch (_) { data = null; }
  return { status: r.status, ok: r.ok, data: data || {} };
}

// ---- status ---------------------------------------------------------------

async function refresh() {
  $('#campaign').textContent = '正在核查……';
  let r;
  try {
    r = await fetch('/api/status', { cache: 'no-store' });
  } catch (_) {
    notice('无法连接 fangpin（命令窗口可能已关闭）。请重新启动 fangpin serve 后刷新本页。', 'error');
    return;
  }
  const data = await r.json();
  lastStatus = data;
  render(data);
}

function render(data) {
  const s = data.status;
  $('#workspace').textContent = s.workspace;
  $('#output-folder').textContent = data.output_folder;
  $('#limit').textContent = data.upload_limit_mb;
  if (s.error) {
    $('#campaign').textContent = '工作区无法读取';
    notice(s.error, 'error');
  } else {
    $('#campaign').textContent = `${s.campaign} · ${s.township} · 统计截止日 ${s.as_of}`;
    if (s.totals.data_errors > 0) {
      notice(`数据有 ${s.totals.data_errors} 个错误，改正后才能生成。请按下面“核查问题”逐条修改源文件，再上传或点“核查”。`, 'error');
    } else if (s.tally_line) {
      notice('核查完成。' + s.tally_line, 'ok');
    } else {
      notice('', '');
    }
  }
  renderCards(s);
  renderVillages(s);
  renderChart(s);
  renderFiles(s);
  renderProblems(s);
  renderHeld(s);
  renderOutputs(data.outputs);
  $('#build').disabled = !!s.error || s.totals.data_errors > 0;
  if (data.building) follow();
}

function renderCards(s) {
  const t = s.totals;
  const cards = [
    ['村', t.villages], ['户', t.households], ['成员', t.members], ['案例', t.cases],
    ['核查问题', t.problems, `错误 ${t.data_errors + t.rule_errors} · 警告 ${t.data_warnings + t.rule_warnings}`, (t.data_errors + t.rule_errors) > 0 ? 'bad' : ''],
    ['整改问题', t.rectifications, s.rules_ran ? `逾期未整改 ${t.overdue_rectifications}` : '未进行规则核查', t.overdue_rectifications > 0 ? 'warn' : ''],
    ['暂缓公示', s.rules_ran ? t.held_back : '—', s.rules_ran ? '不列入公示、公告' : '数据有错误，未核查', t.held_back > 0 ? 'warn' : ''],
  ];
  const box = $('#cards');
  box.replaceChildren(...cards.map(([label, n, note, cls]) =>
    el('div', { class: 'card ' + (cls || '') },
      el('div', { class: 'n', text: n }), el('div', { class: 'label', text: label }),
      note ? el('div', { class: 'note', text: note }) : null)));
}

function renderVillages(s) {
  const head = el('tr', {}, el('th', { text: '村' }), el('th', { text: '户' }), el('th', { text: '成员' }),
    el('th', { text: '案例' }), ...s.statuses.map((l) => el('th', { text: l })),
    el('th', { text: '暂缓公示' }), el('th', { text: '逾期未整改' }), el('th', { text: '核查问题' }));
  $('#villages thead').replaceChildren(head);
  const rows = s.villages.map((v) => el('tr', {}, el('td', { text: v.name }), el('td', { text: v.households }),
    el('td', { text: v.members }), el('td', { text: v.cases }),
    // Without the rules (data errors) there are no deadline counts: a dash, not a misleading 0.
    ...v.by_status.map((n, i) => el('td', { class: n && i < 2 ? 'bad' : '', text: s.rules_ran ? n : '—' })),
    el('td', { class: v.held_back ? 'warn' : '', text: s.rules_ran ? v.held_back : '—' }),
    el('td', { class: v.overdue_rectifications ? 'warn' : '', text: s.rules_ran ? v.overdue_rectifications : '—' }),
    el('td', { text: v.problems })));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: 20, class: 'empty', text: '还没有村级数据。请在下面上传各村的表格。' })));
  $('#villages tbody').replaceChildren(...rows);
}

// A stacked horizontal bar per village: 时限合规报告 rows by status.
function renderChart(s) {
  const NS = 'http://www.w3.org/2000/svg';
  const svgEl = (tag, attrs) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  const box = $('#chart');
  if (!s.villages.length || !s.rules_ran) {
    box.replaceChildren(el('p', { class: 'hint', text: s.rules_ran ? '没有数据。' : '数据有错误，未进行规则核查，暂无时限统计。' }));
    return;
  }
  const W = 440, labelW = 70, rowH = 22, top = 4;
  const legendH = 22;
  const H = top + s.villages.length * rowH + legendH + 6;
  const max = Math.max(1, ...s.villages.map((v) => v.by_status.reduce((a, b) => a + b, 0)));
  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': '各村时限合规情况' });
  s.villages.forEach((v, i) => {
    const y = top + i * rowH;
    const label = svgEl('text', { x: labelW - 6, y: y + 14, 'text-anchor': 'end', 'font-size': 12 });
    label.textContent = v.name;
    svg.append(label);
    let x = labelW;
    v.by_status.forEach((n, k) => {
      if (!n) return;
      const w = (n / max) * (W - labelW - 40);
      const r = svgEl('rect', { x, y: y + 3, width: Math.max(w, 1), height: rowH - 8, fill: STATUS_COLOURS[k] });
      const tip = svgEl('title', {});
      tip.textContent = `${v.name} ${s.statuses[k]} ${n}`;
      r.append(tip);
      svg.append(r);
      x += w;
    });
    const total = svgEl('text', { x: x + 4, y: y + 14, 'font-size': 11, fill: '#555' });
    total.textContent = v.by_status.reduce((a, b) => a + b, 0);
    svg.append(total);
  });
  let lx = 4;
  const ly = top + s.villages.length * rowH + 8;
  s.statuses.forEach((l, k) => {
    svg.append(svgEl('rect', { x: lx, y: ly, width: 10, height: 10, fill: STATUS_COLOURS[k] }));
    const t = svgEl('text', { x: lx + 13, y: ly + 9, 'font-size': 11 });
    t.textContent = l;
    svg.append(t);
    lx += 13 + l.length * 11 + 10;
  });
  box.replaceChildren(svg);
}

function renderFiles(s) {
  const box = $('#files');
  if (!s.data_files.length) {
    box.replaceChildren(el('span', { class: 'hint', text: '工作区中还没有数据文件。' }));
    return;
  }
  box.replaceChildren(el('span', { class: 'hint', text: `已读取 ${s.data_files.length} 个数据文件：` }),
    ...s.data_files.map((f) => el('span', { class: 'file', text: f })));
}

function renderProblems(s) {
  const vs = $('#filter-village');
  const keep = vs.value;
  const names = [...new Set(s.villages.map((v) => v.name).concat(s.problems.map((p) => p.village).filter(Boolean)))];
  vs.replaceChildren(el('option', { value: '', text: '全部' }), ...names.map((n) => el('option', { value: n, text: n })),
    el('option', { value: '-', text: '乡镇层面及其他' }));
  if ([...vs.options].some((o) => o.value === keep)) vs.value = keep;
  applyFilters();
}

function applyFilters() {
  if (!lastStatus) return;
  const s = lastStatus.status;
  const v = $('#filter-village').value, l = $('#filter-level').value, src = $('#filter-source').value;
  const shown = s.problems.filter((p) => (!v || (v === '-' ? !p.village : p.village === v)) && (!l || p.level === l) && (!src || p.source === src));
  const rows = shown.map((p) => el('tr', { class: p.level === '错误' ? 'error' : 'warning' },
    el('td', { class: 'level', text: p.level }), el('td', { text: p.source === '数据' ? '数据' : '规则' }),
    el('td', { class: 'place', text: p.place }), el('td', { text: p.field }), el('td', { class: 'value', text: p.value }),
    el('td', { text: p.message }), el('td', { class: 'fix', text: p.fix })));
  if (!rows.length) {
    const text = s.problems.length ? '没有符合筛选条件的问题。' : (s.error ? '工作区无法读取，见上方提示。' : '没有发现问题。');
    rows.push(el('tr', {}, el('td', { colspan: 7, class: 'empty', text })));
  }
  $('#problems tbody').replaceChildren(...rows);
  $('#problem-count').textContent = s.problems.length ? `（共 ${s.problems.length} 条，显示 ${shown.length} 条）` : '';
}

function renderHeld(s) {
  const rows = s.held_back.map((h) => el('tr', {}, el('td', { text: h.village }), el('td', { text: h.head_name }),
    el('td', { text: h.household_id }), el('td', { text: h.kind }),
    el('td', {}, ...h.reasons.map(([reason, fix]) => el('div', { class: 'reason' }, reason, el('span', { class: 'fix', text: '如何处理：' + fix }))))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: 5, class: 'empty', text: s.rules_ran ? '没有暂缓公示的案例。' : '数据有错误，未进行规则核查。' })));
  $('#held tbody').replaceChildren(...rows);
  $('#held-count').textContent = s.held_back.length ? `（${s.held_back.length} 个案例）` : '';
}

function renderOutputs(outputs) {
  const box = $('#outputs');
  $('#zip').classList.toggle('disabled', !outputs.length);
  if (!outputs.length) {
    box.replaceChildren();
    return;
  }
  const groups = new Map();
  for (const o of outputs) {
    const key = o.village || '乡镇';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(o);
  }
  // Township first, then the villages in the order the summary lists them.
  const order = lastStatus ? lastStatus.status.villages.map((v) => v.name) : [];
  const rank = (k) => (k === '乡镇' ? -1 : (order.indexOf(k) + 1 || order.length + 1));
  const sorted = [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0]));
  const url = (p) => '/out/' + p.split('/').map(encodeURIComponent).join('/');
  const table = el('table', { class: 'grid outputs' },
    el('thead', {}, el('tr', {}, el('th', { text: '单位' }), el('th', { text: '公文（PDF，点击在浏览器中打开）' }), el('th', { text: '表格（XLSX，点击下载）' }))));
  const body = el('tbody');
  for (const [unit, list] of sorted) {
    const link = (o) => el('a', { class: 'output ' + o.format, href: url(o.path), target: o.format === 'pdf' ? '_blank' : '_self',
      title: o.path + (o.pages ? `（${o.pages} 页）` : '') }, o.kind);
    body.append(el('tr', {}, el('th', { text: unit }),
      el('td', {}, ...list.filter((o) => o.format === 'pdf').map(link)),
      el('td', {}, ...list.filter((o) => o.format !== 'pdf').map(link))));
  }
  table.append(body);
  box.replaceChildren(el('p', { class: 'hint', text: `共 ${outputs.length} 个文件。` }), table);
}

// ---- upload ---------------------------------------------------------------

function logUpload(text, kind) {
  $('#upload-log').append(el('li', { class: kind, text }));
}

async function uploadOne(file, replace) {
  const url = `/api/upload?name=${encodeURIComponent(file.name)}${replace ? '&replace=1' : ''}`;
  const r = await api('PUT', url, file);
  if (r.ok) {
    logUpload(`${r.data.replaced ? '已替换' : '已保存'}：${r.data.path}`, 'ok');
    return;
  }
  if (r.status === 409 && r.data.exists && !replace) {
    // Replacing a village's workbook loses what was in it: ask first.
    if (window.confirm(`${r.data.error}\n\n点“确定”替换，点“取消”保留原文件。`)) {
      return uploadOne(file, true);
    }
    logUpload(`未替换：${r.data.exists}`, 'warn');
    return;
  }
  logUpload(`${file.name}：${r.data.error || '上传失败（' + r.status + '）'}`, 'error');
}

async function uploadAll(files) {
  $('#upload-log').replaceChildren();
  for (const f of files) {
    // One at a time, so each replace question is about one file.
    await uploadOne(f, false);
  }
  await refresh();
}

function setupUpload() {
  const drop = $('#drop');
  const input = $('#file-input');
  input.addEventListener('change', () => {
    const files = [...input.files];
    input.value = '';
    if (files.length) uploadAll(files);
  });
  ['dragenter', 'dragover'].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add('over'); }));
  ['dragleave', 'drop'].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove('over'); }));
  drop.addEventListener('drop', (e) => {
    const files = [...(e.dataTransfer ? e.dataTransfer.files : [])];
    if (files.length) uploadAll(files);
  });
  // A file dropped beside the box would otherwise replace the page.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());
}

// ---- build ----------------------------------------------------------------

function showProgress(p) {
  const bar = $('#bar');
  const state = $('#build-state');
  const pct = p.planned ? Math.round((p.done / p.planned) * 100) : (p.state === 'done' ? 100 : 3);
  bar.style.width = (p.state === 'running' || p.state === 'done' ? pct : 0) + '%';
  bar.className = 'bar ' + p.state;
  if (p.state === 'running') {
    state.textContent = `正在生成：${p.stage}${p.planned ? `（${p.done}/${p.planned} 份）` : ''}`;
  } else if (p.state === 'done') {
    state.textContent = '生成完成。' + p.message;
  } else if (p.state === 'failed') {
    state.textContent = '生成失败：' + p.message;
  }
  state.className = 'state ' + p.state;
  $('#build').disabled = p.state === 'running';
}

function follow() {
  if (events) return;
  events = new EventSource('/api/build/events');
  events.addEventListener('progress', (e) => {
    const p = JSON.parse(e.data);
    showProgress(p);
    if (p.state === 'done' || p.state === 'failed') {
      events.close();
      events = null;
      refresh();
    }
  });
  events.onerror = () => {
    if (events) { events.close(); events = null; }
  };
}

async function startBuild() {
  $('#build').disabled = true;
  const r = await api('POST', '/api/build');
  if (r.status === 202) {
    showProgress({ state: 'running', stage: '准备', planned: 0, done: 0 });
    follow();
  } else {
    $('#build').disabled = false;
    notice(r.data.error || `无法开始生成（${r.status}）`, r.status === 409 ? 'warn' : 'error');
  }
}

document.addEventListener('DOMContentLoaded', () => {
  setupUpload();
  $('#recheck').addEventListener('click', refresh);
  $('#build').addEventListener('click', startBuild);
  ['#filter-village', '#filter-level', '#filter-source'].forEach((s) => $(s).addEventListener('change', applyFilters));
  $('#zip').addEventListener('click', (e) => { if ($('#zip').classList.contains('disabled')) { e.preventDefault(); notice('还没有生成结果，请先点“生成”。', 'warn'); } });
  fetch('/api/build').then((r) => r.json()).then((p) => { if (p.state !== 'idle') showProgress(p); }).catch(() => {});
  refresh();
});
