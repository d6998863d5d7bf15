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
// The public form's choice of a procuratorate among the four levels: each level's choice lists
// the units under it on the next level (data-children), and a search by name (data-unit-search)
// offers units whose choice fills every level. Without the script the search is a plain GET.
(function () {
  var box = document.getElementById("unit-levels");
  if (!box || !window.fetch) { return; }
  var selects = box.querySelectorAll("select");
  function children(parent) {
    return fetch("/letters/units?parent=" + encodeURIComponent(parent))
      .then(function (r) { return r.json(); })
      .then(function (j) { return j.units; });
  }
  function fill(i, units) {
    var s = selects[i];
    while (s.options.length > 1) { s.remove(1); }
    units.forEach(function (u) { s.add(new Option(u.name, u.id)); });
    s.value = "";
  }
  // levels below i are emptied, and level i+1 lists the children of level i's choice
  function follow(i) {
    for (var k = i + 1; k < selects.length; k++) { fill(k, []); }
    var v = selects[i].value;
    if (i + 1 >= selects.length || !v) { return Promise.resolve(); }
    return children(v).then(function (units) { fill(i + 1, units); });
  }
  Array.prototype.forEach.call(selects, function (s, i) {
    s.addEventListener("change", function () { follow(i); });
  });
  // a unit found by name: its chain (province, city, county) is chosen level by level
  function choose(chain, id) {
    if (!chain.length) { chain = [id]; }
    var step = function (i) {
      if (i >= chain.length || i >= selects.length) { return; }
      selects[i].value = String(chain[i]);
      follow(i).then(function () { step(i + 1); });
    };
    step(0);
  }
  var input = document.querySelector("[data-unit-search]");
  var found = input && document.querySelector(input.getAttribute("data-unit-search"));
  if (!input || !found) { return; }
  var timer = null, chains = {};
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (!q) { found.innerHTML = ""; return; }
      fetch("/letters/units?q=" + encodeURIComponent(q))
        .then(function (r) { return r.json(); })
        .then(function (j) {
          found.innerHTML = "";
          j.units.forEach(function (u) {
            chains[u.id] = u.chain;
            var li = document.createElement("li"), a = document.createElement("a");
            a.href = "/letters/new?unit=" + u.id;
            a.setAttribute("data-unit", u.id);
            a.textContent = u.name;
            li.appendChild(a);
            found.appendChild(li);
          });
        });
    }, 250);
  });
  found.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[data-unit]") : null;
    if (!a) { return; }
    var id = Number(a.getAttribute("data-unit"));
    if (!chains[id]) { return; }
    e.preventDefault();
    choose(chains[id], id);
    found.innerHTML = "";
    input.value = a.textContent;
  });
})();
