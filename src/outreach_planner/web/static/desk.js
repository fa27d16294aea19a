// The planner's desk: sortable tables, table filter, ISO week of the chosen date, job progress. Plain JS, no library.
(function () {
  "use strict";

  function cellValue(td) {
    var v = td.getAttribute("data-v");
    if (v !== null && v !== "" && !isNaN(Number(v))) { return Number(v); }
    var t = td.textContent.trim().replace(/,/g, "").replace(/%$/, "");
    return (t !== "" && !isNaN(Number(t))) ? Number(t) : td.textContent.trim().toLowerCase();
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("asc");
        table.querySelectorAll("thead th").forEach(function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[col]), y = cellValue(b.cells[col]);
          var c = (typeof x === typeof y) ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });

  document.querySelectorAll("input.filter").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  });

  // ISO week of a date (Monday first; the week with the year's first Thursday is week 1)
  function isoWeek(d) {
    var t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
    var day = t.getUTCDay() || 7;
    t.setUTCDate(t.getUTCDate() + 4 - day);
    var y0 = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
    var n = Math.ceil(((t - y0) / 86400000 + 1) / 7);
    var mon = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 1));
    var sun = new Date(mon.getTime() + 6 * 86400000);
    return { label: t.getUTCFullYear() + "-W" + (n < 10 ? "0" : "") + n, mon: mon, sun: sun };
  }
  var dateInput = document.getElementById("week-date");
  var weekLabel = document.getElementById("week-label");
  function showWeek() {
    if (!dateInput.value) { weekLabel.textContent = ""; return; }
    var w = isoWeek(new Date(dateInput.value + "T00:00:00Z"));
    var f = function (x) { return x.toISOString().slice(0, 10); };
    weekLabel.textContent = weekLabel.getAttribute("data-prefix") + " " + w.label + " (" + f(w.mon) + " – " + f(w.sun) + ")";
  }
  if (dateInput && weekLabel) { dateInput.addEventListener("input", showWeek); showWeek(); }

  // The map of a page is a full-window map made for a whole screen; in the desk's smaller frame its legend of
  // markers (bottom right) would grow over the layer button (top right) and hide it. Cap the legend's height
  // to the frame (it scrolls) and set it a little smaller, so every control stays reachable.
  var MAP_FIT = ".op-markers { max-height: calc(100vh - 110px); overflow-y: auto; font-size: 12px; }" +
                ".op-markers .op-sym { width: 26px; }";
  function fitMap(frame) {
    var doc;
    try { doc = frame.contentDocument; } catch (e) { return; }
    if (!doc || !doc.head || doc.getElementById("desk-map-fit")) { return; }
    var style = doc.createElement("style");
    style.id = "desk-map-fit";
    style.textContent = MAP_FIT;
    doc.head.appendChild(style);
  }
  document.querySelectorAll("iframe.map").forEach(function (frame) {
    frame.addEventListener("load", function () { fitMap(frame); });
    if (frame.contentDocument && frame.contentDocument.readyState === "complete") { fitMap(frame); }
  });

  var job = document.getElementById("job");
  if (job) {
    var labels = JSON.parse(job.getAttribute("data-labels"));
    var id = job.getAttribute("data-job");
    var fmt = function (x) { return x === null || x === undefined ? "–" : Number(x).toLocaleString(document.documentElement.lang === "en" ? "en" : "id-ID", { maximumFractionDigits: 1 }); };
    var poll = function () {
      fetch("/jobs/" + encodeURIComponent(id) + "/status", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          document.getElementById("job-state").textContent = labels[j.state] || j.state;
          document.getElementById("job-best").textContent = fmt(j.best);
          document.getElementById("job-elapsed").textContent = fmt(j.elapsed);
          document.getElementById("job-left").textContent = fmt(j.time_left);
          var total = (j.elapsed || 0) + (j.time_left || 0);
          document.getElementById("job-bar").value = j.state === "done" ? 100 : (total > 0 ? 100 * j.elapsed / total : 0);
          var active = j.state === "queued" || j.state === "running";
          document.getElementById("job-cancel-form").hidden = !active;
          if (j.state === "done" && j.result) {
            var link = document.getElementById("job-link");
            link.href = "/plans/" + encodeURIComponent(j.result);
            document.getElementById("job-open").hidden = false;
            window.location.assign(link.href);
            return;
          }
          if (j.problems && j.problems.length) {
            var tb = document.querySelector("#job-problems tbody");
            tb.innerHTML = "";
            j.problems.forEach(function (p) {
              var tr = document.createElement("tr");
              [p.file, p.row, p.column, p.value, p.message].forEach(function (x) {
                var td = document.createElement("td"); td.textContent = x; tr.appendChild(td);
              });
              tb.appendChild(tr);
            });
            document.getElementById("job-problems").hidden = false;
          }
          if (active) { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    poll();
  }
})();

// A form with data-confirm asks before it is sent (removing a team).
document.querySelectorAll("form[data-confirm]").forEach(function (f) {
  f.addEventListener("submit", function (ev) {
    if (!window.confirm(f.getAttribute("data-confirm"))) { ev.preventDefault(); }
  });
});

// A page that comes back with problems shows them first.
(function () {
  var p = document.getElementById("settings-problems");
  if (p) { window.scrollTo(0, 0); }
})();
