// kyso staff pages: "select all" boxes for the signing queue, a question
// before a button marked data-confirm (disabling an account, revoking a
// token) and a copy button for a new API token. Progressive enhancement
// only: without this script every box is ticked by hand and the forms
// work the same.
(function () {
  'use strict';
  function ready(fn) {
    if (document.readyState !== 'loading') { fn(); } else { document.addEventListener('DOMContentLoaded', fn); }
  }
  ready(function () {
    Array.prototype.forEach.call(document.querySelectorAll('button[data-confirm]'), function (b) {
      b.addEventListener('click', function (e) {
        if (!window.confirm(b.getAttribute('data-confirm'))) { e.preventDefault(); }
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll('button[data-copy]'), function (b) {
      var field = document.getElementById(b.getAttribute('data-copy'));
      if (!field || !navigator.clipboard) { return; }
      b.hidden = false;
      b.addEventListener('click', function () {
        navigator.clipboard.writeText(field.value).then(function () { field.select(); });
      });
    });
  });
  ready(function () {
    var form = document.getElementById('batch');
    if (!form) { return; }
    var items = Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name=id]'));
    var groups = Array.prototype.slice.call(form.querySelectorAll('input[data-select-group]'));
    var all = form.querySelector('input[data-select-all]');
    var counter = document.querySelector('[data-selected-count]');

    function boxesOf(groupBox) {
      var fs = document.getElementById(groupBox.getAttribute('data-select-group'));
      return fs ? Array.prototype.slice.call(fs.querySelectorAll('input[type=checkbox][name=id]')) : [];
    }
    function mark(box, list) {
      var n = list.filter(function (i) { return i.checked; }).length;
      box.checked = n > 0 && n === list.length;
      box.indeterminate = n > 0 && n < list.length;
    }
    function sync() {
      groups.forEach(function (g) { mark(g, boxesOf(g)); });
      if (all) { mark(all, items); }
      if (counter) {
        counter.textContent = String(items.filter(function (i) { return i.checked; }).length);
      }
    }
    groups.forEach(function (g) {
      g.hidden = false;
      g.addEventListener('change', function () {
        boxesOf(g).forEach(function (i) { i.checked = g.checked; });
        sync();
      });
    });
    if (all) {
      all.closest('[hidden]') && (all.closest('[hidden]').hidden = false);
      all.addEventListener('change', function () {
        items.forEach(function (i) { i.checked = all.checked; });
        sync();
      });
    }
    if (counter && counter.parentElement) { counter.parentElement.hidden = false; }
    items.forEach(function (i) { i.addEventListener('change', sync); });
    sync();
  });
})();
