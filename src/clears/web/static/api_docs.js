// Start Swagger UI on /docs over the schema the page names (no inline script: the CSP
// allows scripts from the app only).
"use strict";
(function () {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle !== "function") return;
  window.ui = SwaggerUIBundle({
    url: root.dataset.schema,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
