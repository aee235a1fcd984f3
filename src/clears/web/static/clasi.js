// Live CLASI totals for the visit form: on every change, send the entered items as the
// nested CLASI JSON to /api/score/clasi (partial scoring) and show activity, damage,
// severity and per-area activity. Written for clears; no third-party code.
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  if (!form) { return; }
  var url = form.getAttribute("data-clasi-score");
  var token = form.querySelector("input[name=csrf_token]").value;
  var pending = 0;

  function payload() {
    var body = { areas: {} };
    form.querySelectorAll("select[data-path]").forEach(function (el) {
      if (el.value === "" || el.name.indexOf("clasi_") !== 0) { return; }
      var code = parseInt(el.value, 10);
      var path = el.getAttribute("data-path").split(".");
      if (path[0] === "areas") {
        body.areas[path[1]] = body.areas[path[1]] || {};
        body.areas[path[1]][path[2]] = code;
      } else if (path[0] === "dyspigmentation_lasts_12_months") {
        body[path[0]] = code === 1;
      } else {
        body[path[0]] = code;
      }
    });
    return body;
  }

  function show(result) {
    document.getElementById("clasi-activity").textContent = result.activity;
    document.getElementById("clasi-damage").textContent = result.damage;
    document.getElementById("clasi-severity").textContent = result.severity;
    document.getElementById("clasi-partial").hidden = !result.partial;
    document.getElementById("clasi-error").textContent = "";
    result.working.areas.forEach(function (a) {
      var out = document.getElementById("score-" + a.area);
      if (out) { out.textContent = a.activity ? "A " + a.activity : ""; }
      var shape = document.getElementById("map-" + a.area);
      if (shape) { shape.setAttribute("data-activity", Math.min(a.activity, 5)); }
    });
  }

  function update() {
    var mine = ++pending;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(payload())
    }).then(function (response) {
      return response.json().then(function (data) { return [response.ok, data]; });
    }).then(function (pair) {
      if (mine !== pending) { return; }
      if (pair[0]) { show(pair[1]); return; }
      var problems = (pair[1].problems || []).map(function (p) {
        return p.field + ": " + p.message;
      });
      document.getElementById("clasi-error").textContent = problems.join("; ");
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name && event.target.name.indexOf("clasi_") === 0) { update(); }
  });
  update();
})();
