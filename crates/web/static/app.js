// Duban's only script (the pages work without it): confirmation of irreversible actions
// (data-confirm on a form or a button), the print button (data-print), and the address of a page
// shown after a form was posted with its token in the query (data-address).
document.addEventListener("submit", function (e) {
  var b = e.submitter, f = e.target;
  var msg = (b && b.getAttribute("data-confirm")) || f.getAttribute("data-confirm");
  // data-confirm-if="field=value": only when the form's field has that value
  var cond = f.getAttribute("data-confirm-if");
  if (cond) {
    var kv = cond.split("="), el = f.elements[kv[0]];
    if (!el || el.value !== kv[1]) { msg = null; }
  }
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});
document.addEventListener("click", function (e) {
  var t = e.target.closest ? e.target.closest("[data-print]") : null;
  if (t) { e.preventDefault(); window.print(); }
});
(function () {
  var a = document.querySelector("[data-address]");
  if (a && window.history && history.replaceState) { history.replaceState(null, "", a.getAttribute("data-address")); }
})();
