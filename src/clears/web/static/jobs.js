// The job page: poll /api/jobs/{id} and show its progress; reload once the job has ended
// (the page then shows the download). Without script, a <noscript> refresh does the same.
(function () {
  "use strict";
  var card = document.getElementById("job");
  if (!card) { return; }
  var id = card.getAttribute("data-job");
  var active = { queued: true, running: true };
  function show(job) {
    document.getElementById("job-status").textContent = job.status;
    document.getElementById("job-phase").textContent = job.phase;
    document.getElementById("job-progress").value = job.progress;
    document.getElementById("job-percent").textContent = Math.round(job.progress * 100) + " %";
  }
  function poll() {
    fetch("/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        show(job);
        if (!active[job.status]) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
