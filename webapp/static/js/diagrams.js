// Draw Mermaid diagrams (<pre class="mermaid">) on page load and after htmx swaps.
// Loaded as a static file so the Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  if (!window.mermaid) {
    return;
  }
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral" });

  function draw(root) {
    var nodes = root.querySelectorAll("pre.mermaid:not([data-processed])");
    if (nodes.length > 0) {
      window.mermaid.run({ nodes: nodes });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.detail.target); });
})();
