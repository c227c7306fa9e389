// The handover form: evidence (photos, video) uploaded as chosen, each hashed with SM3 by the server, and
// sent with the handover as hidden evidence_ids fields. Plain JavaScript for old phones.
(function () {
  'use strict';
  var form = document.getElementById('handover-form');
  var input = document.getElementById('handover-files');
  if (!form || !input) return;
  var csrf = JSON.parse(document.body.getAttribute('hx-headers') || '{}')['X-CSRF-Token'] || '';
  var list = document.getElementById('handover-evidence');
  input.addEventListener('change', function () {
    Array.prototype.forEach.call(input.files, function (file) {
      var kind = file.type.indexOf('video/') === 0 ? 'video' : 'photo';
      var li = document.createElement('li');
      li.textContent = file.name + '：上传中……';
      list.appendChild(li);
      var fd = new FormData();
      fd.append('kind', kind);
      fd.append('file', file, file.name);
      fetch('/api/v1/evidence', { method: 'POST', headers: { 'X-CSRF-Token': csrf }, body: fd, credentials: 'same-origin' })
        .then(function (r) { return r.text().then(function (t) { if (!r.ok) { var m = '上传失败'; try { m = JSON.parse(t).error.message; } catch (e) {} throw new Error(m); } return JSON.parse(t); }); })
        .then(function (e) {
          li.textContent = file.name + ' · SM3 ' + e.sm3.slice(0, 12) + '…';
          var h = document.createElement('input');
          h.type = 'hidden'; h.name = 'evidence_ids'; h.value = e.id;
          form.appendChild(h);
        })
        .catch(function (err) { li.textContent = file.name + '：' + err.message; });
    });
    input.value = '';
  });
})();
