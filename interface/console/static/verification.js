// Follows a chain verification started by the console (interface/console/audit_pages.py): the progress
// bar moves as events are checked; when it is done the page is shown again with the outcome.
(function () {
  "use strict";
  var box = document.getElementById("verification");
  if (!box || box.dataset.done === "true") { return; }
  var bar = document.getElementById("verify-progress");
  var counter = box.querySelector("[data-testid=checked]");
  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (answer) { return answer.json(); })
      .then(function (job) {
        bar.max = job.total || 1;
        bar.value = job.checked;
        counter.textContent = job.checked;
        if (job.done) { window.location.replace(box.dataset.url); } else { window.setTimeout(poll, 300); }
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }
  poll();
})();
