// Container health probe (Docker HEALTHCHECK and the ECS task definition):
// exit 0 when the server answers GET /healthz with 2xx on its own port.
'use strict';
const port = process.env.PORT || '8000';
const controller = new AbortController();
const timer = setTimeout(() => controller.abort(), 4000);
fetch(`http://127.0.0.1:${port}/healthz`, { signal: controller.signal })
  .then((res) => process.exit(res.ok ? 0 : 1))
  .catch(() => process.exit(1))
  .finally(() => clearTimeout(timer));
