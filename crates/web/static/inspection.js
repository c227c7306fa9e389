// The inspection record form: hazards added as found, photos uploaded as they are taken (each hashed with
// SM3 by the server), signatures drawn on the screen, and the record saved in one request. Plain
// JavaScript, no framework: it has to work on an old phone on a stairwell.
(function () {
  'use strict';
  var form = document.getElementById('inspection-form');
  if (!form) return;
  var csrf = JSON.parse(document.body.getAttribute('hx-headers') || '{}')['X-CSRF-Token'] || '';
  var flash = document.getElementById('flash');
  var evidenceIds = [];
  var uploading = 0;

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function show(el, on) { if (el) { if (on) el.removeAttribute('hidden'); else el.setAttribute('hidden', ''); } }
  function message(kind, text) {
    flash.innerHTML = '';
    var div = document.createElement('div');
    div.className = 'alert alert-' + kind;
    div.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    var p = document.createElement('p');
    p.textContent = text;
    div.appendChild(p);
    flash.appendChild(div);
    flash.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }
  function errorText(body) {
    try { return JSON.parse(body).error.message; } catch (e) { return '保存失败，请检查网络后重试'; }
  }

  // Joint inspections name their departments.
  var kind = $('#kind');
  function kindChanged() { show($('#departments'), kind.value === 'joint'); }
  kind.addEventListener('change', kindChanged);
  kindChanged();

  // Refusal to sign: a witness signs instead.
  var refused = $('#refused');
  function refusedChanged() { $$('.witness').forEach(function (el) { show(el, refused.checked); }); }
  refused.addEventListener('change', refusedChanged);
  refusedChanged();

  // ---- hazards ----
  var hazards = $('#hazards');
  var template = $('#hazard-template');
  function startDate() { return ($('#started_at').value || '').slice(0, 10); }
  function addDays(day, n) {
    var d = new Date(day + 'T00:00:00');
    if (isNaN(d)) return '';
    d.setDate(d.getDate() + n);
    var m = String(d.getMonth() + 1).padStart(2, '0'), dd = String(d.getDate()).padStart(2, '0');
    return d.getFullYear() + '-' + m + '-' + dd;
  }
  function renumber() { $$('.hazard', hazards).forEach(function (h, i) { $('.n', h).textContent = i + 1; }); }
  function addHazard(code) {
    var node = template.content.firstElementChild.cloneNode(true);
    var uid = 'h' + Date.now() + Math.floor(Math.random() * 1000);
    $$('input[type=radio]', node).forEach(function (r) { r.name = uid + '-disposition'; });
    var item = $('select[name=item_code]', node), basis = $('[name=basis]', node);
    var difficulty = $('select[name=difficulty]', node), deadline = $('input[name=deadline]', node);
    function suggest() {
      var opt = difficulty.options[difficulty.selectedIndex];
      if (!deadline.dataset.touched) deadline.value = addDays(startDate(), parseInt(opt.dataset.days, 10));
    }
    item.addEventListener('change', function () {
      var opt = item.options[item.selectedIndex];
      if (opt && opt.dataset.basis) basis.value = opt.dataset.basis;
    });
    difficulty.addEventListener('change', suggest);
    deadline.addEventListener('input', function () { deadline.dataset.touched = '1'; });
    function dispositionChanged() {
      var c = $('input[type=radio]:checked', node);
      show($('.deadline-fields', node), !c || c.value === 'deadline');
    }
    $$('input[type=radio]', node).forEach(function (r) { r.addEventListener('change', dispositionChanged); });
    $('.remove', node).addEventListener('click', function () { node.remove(); renumber(); });
    if (code) { item.value = code; item.dispatchEvent(new Event('change')); }
    suggest();
    hazards.appendChild(node);
    renumber();
    $('textarea', node).focus();
  }
  $('#add-hazard').addEventListener('click', function () { addHazard(''); });
  // A failed checklist item opens a hazard for it.
  $$('#checklist li').forEach(function (li) {
    $$('input[type=radio]', li).forEach(function (r) {
      r.addEventListener('change', function () {
        var code = li.dataset.code;
        var exists = $$('.hazard select[name=item_code]', hazards).some(function (s) { return s.value === code; });
        if (r.value === 'fail' && r.checked && !exists) addHazard(code);
      });
    });
  });

  // ---- outcomes of a 复查 ----
  $$('.outcome').forEach(function (f) {
    function sync() { show($('.escalation', f), $('input[value=not]', f).checked); }
    $$('input[type=radio]', f).forEach(function (r) { r.addEventListener('change', sync); });
    sync();
  });

  // ---- evidence ----
  function upload(kindName, file, name) {
    var fd = new FormData();
    fd.append('kind', kindName);
    fd.append('file', file, name);
    return fetch('/api/v1/evidence', { method: 'POST', headers: { 'X-CSRF-Token': csrf }, body: fd, credentials: 'same-origin' })
      .then(function (r) { return r.text().then(function (t) { if (!r.ok) throw new Error(errorText(t)); return JSON.parse(t); }); });
  }
  $('#evidence-input').addEventListener('change', function (ev) {
    Array.prototype.forEach.call(ev.target.files, function (file) {
      var k = file.type.indexOf('video/') === 0 ? 'video' : file.type.indexOf('audio/') === 0 ? 'audio' : 'photo';
      var li = document.createElement('li');
      li.className = 'uploading';
      li.textContent = file.name + '：上传中……';
      $('#evidence').appendChild(li);
      uploading++;
      upload(k, file, file.name).then(function (e) {
        evidenceIds.push(e.id);
        li.className = 'done';
        li.textContent = '';
        if (k === 'photo') {
          var img = document.createElement('img');
          img.src = '/api/v1/evidence/' + e.id + '/file';
          img.alt = file.name;
          li.appendChild(img);
        }
        var s = document.createElement('span');
        s.textContent = file.name + ' · SM3 ' + e.sm3.slice(0, 12) + '…';
        li.appendChild(s);
      }).catch(function (err) {
        li.className = 'failed';
        li.textContent = file.name + '：' + err.message;
      }).then(function () { uploading--; });
    });
    ev.target.value = '';
  });

  // ---- signature pads ----
  function pad(el) {
    var canvas = $('canvas', el), ctx = canvas.getContext('2d'), drawing = false;
    el.dirty = false;
    ctx.lineWidth = 4; ctx.lineCap = 'round'; ctx.strokeStyle = '#111';
    function pos(e) {
      var r = canvas.getBoundingClientRect();
      return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
    }
    canvas.addEventListener('pointerdown', function (e) { drawing = true; el.dirty = true; el.evidenceId = null; var p = pos(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]); canvas.setPointerCapture(e.pointerId); e.preventDefault(); });
    canvas.addEventListener('pointermove', function (e) { if (!drawing) return; var p = pos(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); e.preventDefault(); });
    canvas.addEventListener('pointerup', function () { drawing = false; });
    $('.clear', el).addEventListener('click', function () { ctx.clearRect(0, 0, canvas.width, canvas.height); el.dirty = false; el.evidenceId = null; });
    return el;
  }
  $$('#pads .pad').forEach(pad);
  var officerPads = $('#officer-pads');
  function syncOfficerPads() {
    $$('#officers input').forEach(function (cb) {
      var existing = $('.pad[data-id="' + cb.value + '"]', officerPads);
      if (cb.checked && !existing) {
        var el = document.createElement('div');
        el.className = 'pad';
        el.dataset.role = 'officer';
        el.dataset.id = cb.value;
        el.dataset.name = cb.dataset.name;
        el.innerHTML = '<div class="pad-title"></div><canvas width="600" height="200"></canvas><button type="button" class="link clear">重签</button>';
        $('.pad-title', el).textContent = '检查人员签名：' + cb.dataset.name;
        officerPads.appendChild(pad(el));
      } else if (!cb.checked && existing) {
        existing.remove();
      }
    });
  }
  $$('#officers input').forEach(function (cb) { cb.addEventListener('change', syncOfficerPads); });
  syncOfficerPads();

  function canvasBlob(canvas) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, 'image/png'); });
  }

  // ---- save ----
  function val(name) { var el = form.elements[name]; return el ? el.value : ''; }
  function collect() {
    var findings = [];
    $$('#checklist li').forEach(function (li) {
      var r = $('input:checked', li);
      if (r) findings.push({ code: li.dataset.code, result: r.value });
    });
    var hz = $$('.hazard', hazards).map(function (h) {
      var disp = $('input[type=radio]:checked', h);
      return {
        item_code: $('select[name=item_code]', h).value,
        description: $('textarea[name=description]', h).value,
        basis: $('[name=basis]', h).value,
        disposition: disp ? disp.value : 'deadline',
        difficulty: $('select[name=difficulty]', h).value,
        deadline: $('input[name=deadline]', h).value,
        tags: []
      };
    });
    var outcomes = $$('.outcome').map(function (f) {
      var rectified = $('input[value=rectified]', f).checked;
      return { hazard_id: f.dataset.hazard, rectified: rectified, escalation: rectified ? '' : $('select', f).value };
    });
    return {
      unit_id: form.dataset.unit,
      kind: kind.value,
      task_id: val('task_id') || null,
      reinspection_of: val('reinspection_of') || null,
      departments: $$('#departments input:checked').map(function (c) { return c.value; }),
      tags: val('tags').split(/[,，、]/).map(function (t) { return t.trim(); }).filter(Boolean),
      started_at: val('started_at'),
      ended_at: val('ended_at'),
      officer_ids: $$('#officers input:checked').map(function (c) { return c.value; }),
      representative: val('representative'),
      refused_to_sign: refused.checked,
      witness: val('witness'),
      findings: findings,
      summary: val('summary'),
      hazards: hz,
      outcomes: outcomes,
      evidence_ids: evidenceIds.slice(),
      signatures: []
    };
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (uploading > 0) { message('warn', '还有文件正在上传，请稍候再保存'); return; }
    var body = collect();
    var button = $('#save-inspection');
    button.disabled = true;
    show($('#saving'), true);
    var pads = $$('.pad').filter(function (p) { return p.dirty && !p.hasAttribute('hidden'); });
    var chain = Promise.resolve();
    pads.forEach(function (p) {
      // A signature uploaded by an earlier attempt is reused until it is drawn again.
      chain = chain.then(function () {
        if (p.evidenceId) return { id: p.evidenceId };
        return canvasBlob($('canvas', p)).then(function (blob) { return upload('signature', blob, 'signature.png'); });
      }).then(function (e) {
        p.evidenceId = e.id;
        var role = p.dataset.role;
        var name = role === 'officer' ? p.dataset.name : role === 'witness' ? body.witness : body.representative;
        body.signatures.push({ role: role, name: name || '（未填姓名）', evidence_id: e.id });
      });
    });
    chain.then(function () {
      return fetch('/api/v1/inspections', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify(body),
        credentials: 'same-origin'
      });
    }).then(function (r) {
      return r.text().then(function (t) {
        if (!r.ok) throw new Error(errorText(t));
        window.location.href = '/inspections/' + JSON.parse(t).id + '?saved=1';
      });
    }).catch(function (err) {
      message('error', err.message);
      button.disabled = false;
      show($('#saving'), false);
    });
  });
})();
