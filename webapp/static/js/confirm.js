// Forms that destroy something (restore over the draft, ...) carry data-confirm: the question
// asked before they are sent. Cancelling sends nothing.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.dataset ? form.dataset.confirm : null;
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
