import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Router } from 'express';

/** Where the API reference lives; its assets are under `${DOCS_PATH}/assets`. */
export const DOCS_PATH = '/docs';

// Served from the installed package: the page works with no internet and no CDN.
const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const SWAGGER_UI_ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'];

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Inkwell API reference</title>
  <link rel="icon" type="image/png" href="${DOCS_PATH}/assets/favicon-32x32.png">
  <link rel="stylesheet" href="${DOCS_PATH}/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${DOCS_PATH}/assets/swagger-ui-bundle.js"></script>
  <script src="${DOCS_PATH}/assets/init.js"></script>
</body>
</html>
`;

// An external file rather than an inline script, so helmet's `script-src 'self'` needs no change.
// `validatorUrl: null`: the default posts the document to validator.swagger.io.
const init = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

/** `GET /docs`: Swagger UI over /openapi.json, every asset served by this process. */
export function docsRoutes(): Router {
  const routes = Router();
  routes.get(DOCS_PATH, (_req, res) => {
    res.type('html').send(page);
  });
  routes.get(`${DOCS_PATH}/assets/init.js`, (_req, res) => {
    res.type('application/javascript').send(init);
  });
  for (const asset of SWAGGER_UI_ASSETS) {
    routes.get(`${DOCS_PATH}/assets/${asset}`, (_req, res, next) => {
      // `root`, not an absolute path: send refuses paths with dot segments such as `.pnpm`.
      res.sendFile(asset, { root: swaggerUiDir, maxAge: '1h' }, (error) => error && next(error));
    });
  }
  return routes;
}
