/* Draws openapi.json with Swagger UI, loaded before this script from docs/assets. The
   validator badge is off: it would send the document to another host. */
"use strict";

window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
