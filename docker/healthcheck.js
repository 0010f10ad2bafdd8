/* global process, fetch, AbortSignal */
/* eslint-disable no-restricted-properties, @typescript-eslint/no-require-imports -- a probe the image runs with plain node beside the process; the ports come from the platform's own schema */
// The image's HEALTHCHECK: a container runs one process, so whichever admin port answers
// /healthz is its own. The ports are those the process reads (servicePortsConfig: the same
// variables and the registry's defaults). Exit 0 when one answers 200 within 2 s, else 1.
const { servicePortsConfig, SUBGRAPHS } = require('/app/packages/platform/src/index.js');

const config = servicePortsConfig.parse(process.env);
const ports = [config.GATEWAY_ADMIN_PORT, ...SUBGRAPHS.map((subgraph) => config[subgraph.adminPortKey])];

Promise.any(
  ports.map((port) =>
    fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) }).then((response) => (response.ok ? response : Promise.reject(new Error(String(response.status))))),
  ),
).then(
  () => process.exit(0),
  () => process.exit(1),
);
