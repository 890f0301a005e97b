// Serves a prebuilt OHIF viewer on 127.0.0.1 and proxies /dicom-web to Orthanc's DICOMweb
// plugin, adding Orthanc's credentials so that the browser never needs them. Node only, no
// dependencies.
//   node scripts/viewer/server.mjs --dist <ohif dist folder> [--port N] [--host ADDRESS]
// Environment: ORTHANC_URL (e.g. http://127.0.0.1:8042), ORTHANC_USER, ORTHANC_PASSWORD
// (credentials stay out of the process list). Port 0 (the default) picks a free port. The host
// is 127.0.0.1 unless told otherwise (inside a container, whose published port stays on the
// host's 127.0.0.1).
// Prints "viewer listening on http://127.0.0.1:<port>/" once it accepts connections.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appConfig } from './app-config.mjs';
import { patchOhif } from './ohif-patches.mjs';

const { values: options } = parseArgs({
  options: {
    dist: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const orthancUrl = process.env.ORTHANC_URL;
if (!options.dist || !orthancUrl) {
  console.error('usage: ORTHANC_URL=... [ORTHANC_USER=... ORTHANC_PASSWORD=...] ' +
                'node server.mjs --dist <ohif dist> [--port N] [--host ADDRESS]');
  process.exit(2);
}
const dist = path.resolve(options.dist);
const orthanc = new URL(orthancUrl);
const authorization = process.env.ORTHANC_USER
  ? 'Basic ' + Buffer.from(`${process.env.ORTHANC_USER}:${process.env.ORTHANC_PASSWORD ?? ''}`)
    .toString('base64')
  : undefined;

const { patched, unmatched } = await patchOhif(dist);
if (unmatched.length > 0) {
  console.error(`warning: this OHIF build does not contain the code these fixes expect: ` +
                `${unmatched.join(', ')} (scripts/viewer/ohif-patches.mjs)`);
}

const contentTypes = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff': 'font/woff', '.woff2': 'font/woff2',
  '.ttf': 'font/ttf', '.map': 'application/json', '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml', '.onnx': 'application/octet-stream',
};

// Forwards one request to Orthanc. The browser's Host header is kept, so that the DICOMweb
// plugin writes BulkDataURIs that point back at this server rather than at Orthanc's port.
function proxyToOrthanc(request, response) {
  const headers = { ...request.headers };
  delete headers.authorization;
  delete headers.cookie;
  if (authorization) {
    headers.authorization = authorization;
  }
  const upstream = http.request({
    hostname: orthanc.hostname, port: orthanc.port || 80, method: request.method,
    path: orthanc.pathname.replace(/\/$/, '') + request.url, headers,
  }, (answer) => {
    response.writeHead(answer.statusCode, answer.headers);
    answer.pipe(response);
  });
  upstream.on('error', (error) => {
    if (!response.headersSent) {
      response.writeHead(502, { 'content-type': 'text/plain' });
    }
    response.end(`Orthanc at ${orthanc.origin} did not answer: ${error.message}\n`);
  });
  request.pipe(upstream);
}

// Any path that is not a file is one of OHIF's client-side routes (/viewer, /segmentation,
// ...), answered with index.html. Paths never leave the dist folder.
async function serveStatic(request, response) {
  const pathname = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
  let file = path.join(dist, path.normalize(pathname));
  if (!file.startsWith(dist)) {
    response.writeHead(403).end();
    return;
  }
  const info = await stat(file).catch(() => null);
  if (!info || !info.isFile()) {
    file = path.join(dist, 'index.html');
  }
  const patchedText = path.dirname(file) === dist ? patched.get(path.basename(file)) : undefined;
  const body = patchedText === undefined ? undefined : Buffer.from(patchedText);
  response.writeHead(200, {
    'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
    'content-length': body ? body.length : (await stat(file)).size,
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'max-age=3600',
  });
  if (request.method === 'HEAD') {
    response.end();
  } else if (body) {
    response.end(body);
  } else {
    createReadStream(file).pipe(response);
  }
}

// The proxy adds Orthanc's credentials, so it must reach nothing but DICOMweb reads: a path that
// leaves /dicom-web/ once decoded and normalised (/dicom-web/../tools/...) or a write is refused.
function dicomWebRead(request) {
  const [rawPath] = request.url.split('?');
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { status: 400, reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\\') || decoded.split('/').some((part) => part === '..' || part === '.')) {
    return { status: 400, reason: 'dot segments are not allowed' };
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return { status: 405, reason: 'the viewer only reads' };
  }
  return null;
}

const server = http.createServer((request, response) => {
  if (request.url === '/dicom-web' || request.url.startsWith('/dicom-web/') ||
      request.url.startsWith('/dicom-web?')) {
    const refusal = dicomWebRead(request);
    if (refusal) {
      response.writeHead(refusal.status, { 'content-type': 'text/plain',
                                           ...(refusal.status === 405 && { allow: 'GET, HEAD' }) });
      response.end(`${refusal.reason}\n`);
    } else {
      proxyToOrthanc(request, response);
    }
  } else if (request.url.split('?')[0] === '/app-config.js') {
    response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8',
                              'cache-control': 'no-cache' });
    response.end(appConfig('/dicom-web'));
  } else if (request.method === 'GET' || request.method === 'HEAD') {
    serveStatic(request, response).catch((error) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`${error.message}\n`);
    });
  } else {
    response.writeHead(405).end();
  }
});
server.listen(Number(options.port), options.host, () => {
  console.log(`viewer listening on http://${options.host}:${server.address().port}/`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
