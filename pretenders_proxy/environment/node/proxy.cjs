// Preload (NODE_OPTIONS="--require .../proxy.cjs") that sends Node's own HTTP clients through
// HTTP(S)_PROXY: the built-in fetch (undici's global dispatcher) and http/https.globalAgent.
// Only Node's own modules; does nothing when no proxy variable is set (issue 19).
'use strict';

const net = require('node:net');
const tls = require('node:tls');

const TIMEOUT_MS = 10000; // undici's own connect timeout: a silent proxy is an error, not a hang
const WHO = 'pretenders proxy preload';

/** The first of the variables that is set, lowercase first (curl and Node read them so). */
function variable(name) {
  const env = process.env;
  return env[name.toLowerCase()] || env[name.toUpperCase()] || '';
}

/** The proxy a URL in a variable names, or null; scheme-less means http, as in curl. */
function parseProxy(text) {
  if (!text.trim()) return null;
  const url = new URL(text.includes('://') ? text.trim() : `http://${text.trim()}`);
  if (url.protocol !== 'http:') {
    throw new Error(`${url.protocol}// proxies are not supported (${url.host}): use http://`);
  }
  const user = decodeURIComponent(url.username);
  const credentials = `${user}:${decodeURIComponent(url.password)}`;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port) || 80,
    // pretenders routes by the user name (= the session); the password is never shown
    authorization: url.username ? Buffer.from(credentials).toString('base64') : null,
    shown: `http://${url.username ? `${url.username}@` : ''}${url.host}`,
  };
}

/** NO_PROXY entries as curl reads them: host, .domain or domain suffix, host:port, `*`. */
function parseNoProxy(text) {
  return text.split(/[\s,]+/).filter(Boolean).map((entry) => {
    let host = entry.toLowerCase();
    let port = 0;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
    if (bracketed) {
      [host, port] = [bracketed[1], Number(bracketed[2] || 0)];
    } else if (host.split(':').length === 2) { // more colons: a bare IPv6 address
      [host, port] = [host.split(':')[0], Number(host.split(':')[1])];
    }
    return { host: host.replace(/^\./, ''), port };
  });
}

function isBypassed(entries, host, port) {
  return entries.some((entry) => {
    if (entry.host === '*') return true;
    if (entry.port && entry.port !== port) return false;
    return host === entry.host || host.endsWith(`.${entry.host}`);
  });
}

/** route(protocol, host, port) -> the proxy to tunnel through, or null to connect directly. */
function router(proxies, bypass) {
  return (protocol, host, port) => {
    const proxy = proxies[protocol];
    const name = String(host).toLowerCase().replace(/^\[|\]$/g, '');
    if (!proxy || isBypassed(bypass, name, port)) return null;
    // a client that speaks to the proxy itself (absolute-form) must not be tunnelled into it
    if (name === proxy.host.toLowerCase() && port === proxy.port) return null;
    return proxy;
  };
}

/** Calls back once: with the socket when `event` fires, or with an Error saying `what` failed. */
function settle(socket, event, what, callback) {
  let done = false;
  const finish = (error) => {
    if (done) return;
    done = true;
    socket.setTimeout(0);
    socket.removeListener('error', onError).removeListener('timeout', onTimeout);
    if (error) socket.destroy();
    callback(error || null, error ? undefined : socket);
  };
  const onError = (error) => finish(Object.assign(new Error(`${WHO}: ${what}: ${error.message}`), {
    code: error.code, cause: error,
  }));
  const onTimeout = () => finish(new Error(`${WHO}: ${what}: no answer in ${TIMEOUT_MS / 1000} s`));
  socket.setTimeout(TIMEOUT_MS);
  socket.once(event, () => finish(null)).on('error', onError).on('timeout', onTimeout);
  return finish;
}

/** A TCP socket tunnelled by `CONNECT host:port` through `proxy`, to `callback(error, socket)`. */
function openTunnel(proxy, host, port, callback) {
  const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const what = `CONNECT ${authority} through ${proxy.shown}`;
  const socket = net.connect({ host: proxy.host, port: proxy.port });
  let head = Buffer.alloc(0);
  const finish = settle(socket, 'tunnel', what, (error) => {
    socket.removeListener('readable', onReadable).removeListener('end', onEnd);
    callback(error, error ? undefined : socket);
  });
  const onEnd = () => socket.emit('error', new Error('the proxy closed the connection'));
  // 'readable' + read(), not 'data': the socket must not be left flowing for the next owner
  const onReadable = () => {
    let chunk;
    while ((chunk = socket.read()) !== null) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) continue;
      const status = head.subarray(0, end).toString('latin1').split('\r\n')[0];
      if (!/^HTTP\/1\.[01] 2\d\d( |$)/.test(status)) {
        return finish(Object.assign(new Error(`${WHO}: ${what}: ${status}`), {
          code: 'ERR_PROXY_TUNNEL',
        }));
      }
      if (head.length > end + 4) socket.unshift(head.subarray(end + 4));
      return socket.emit('tunnel');
    }
  };
  socket.on('readable', onReadable).on('end', onEnd).once('connect', () => {
    const authorization = proxy.authorization
      ? `Proxy-Authorization: Basic ${proxy.authorization}\r\n` : '';
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${authorization}\r\n`);
  });
}

/** TLS over `socket` (or a new connection) as undici's own connector does it: HTTP/1.1 only. */
function startTls(host, port, servername, socket, callback) {
  const options = { host, port, socket, ALPNProtocols: ['http/1.1'] };
  if (servername || !net.isIP(host)) options.servername = servername || host;
  settle(tls.connect(options), 'secureConnect', `TLS to ${host}:${port}`, callback);
}

/**
 * The `connect` option of an undici Agent: a tunnel when routed, a plain connection otherwise.
 * Plain HTTP goes through a CONNECT tunnel too, as https does: pretenders reads HTTP inside a
 * tunnel, and one way for both keeps the session (the CONNECT's credentials) on every request.
 */
function undiciConnector(route) {
  return (options, callback) => {
    const https = options.protocol === 'https:';
    const port = Number(options.port) || (https ? 443 : 80);
    const host = options.hostname;
    const proxy = route(options.protocol, host, port);
    if (!proxy && https) return startTls(host, port, options.servername, undefined, callback);
    const direct = () => net.connect({ host, port });
    if (!proxy) return settle(direct(), 'connect', `connect to ${host}:${port}`, callback);
    openTunnel(proxy, host, port, (error, socket) => (error || !https
      ? callback(error, socket)
      : startTls(host, port, options.servername, socket, callback)));
  };
}

/**
 * Replace undici's global dispatcher with an Agent of the bundled undici's own class. Node
 * 18-22 (undici 5-6) read Symbol.for('undici.globalDispatcher.1'); undici 7 (Node 24) reads
 * '.2' and keeps a Dispatcher1Wrapper of it in '.1'; undici 8 only has '.2'.
 */
function installFetchDispatcher(route) {
  const [current, legacy] = ['2', '1'].map((v) => Symbol.for(`undici.globalDispatcher.${v}`));
  // reading a lazy global loads Node's undici, which installs its default Agent
  if (typeof globalThis.Headers !== 'function') return; // --no-experimental-fetch
  const found = globalThis[current] || globalThis[legacy];
  if (!found || typeof found.constructor !== 'function') {
    return process.emitWarning(`${WHO}: fetch is not proxied (no undici dispatcher found)`);
  }
  if (found.constructor.name === 'EnvHttpProxyAgent') return; // Node's own: see the end
  const agent = new found.constructor({ connect: undiciConnector(route) });
  if (globalThis[current]) {
    globalThis[current] = agent;
    const wrapper = globalThis[legacy];
    if (wrapper && wrapper !== found) globalThis[legacy] = new wrapper.constructor(agent);
  } else {
    globalThis[legacy] = agent;
  }
}

/** http.globalAgent and https.globalAgent (http.get, https.request, node-fetch, axios' agent). */
function installHttpAgents(route) {
  const http = require('node:http');
  const https = require('node:https');
  if (http.globalAgent.options.proxyEnv) return; // Node's own support is on: see the end
  class TunnelAgent extends http.Agent {
    createConnection(options, callback) {
      const port = Number(options.port) || 80;
      const proxy = !options.socketPath && route('http:', options.host, port);
      if (!proxy) return super.createConnection(options, callback);
      openTunnel(proxy, options.host, port, callback); // the Agent takes the socket later
    }
  }
  class TunnelHttpsAgent extends https.Agent {
    createConnection(options, callback) {
      const port = Number(options.port) || 443;
      const proxy = !options.socketPath && route('https:', options.host, port);
      if (!proxy) return super.createConnection(options, callback);
      openTunnel(proxy, options.host, port, (error, socket) => (error
        ? callback(error)
        : callback(null, super.createConnection({ ...options, socket }))));
    }
  }
  http.globalAgent = new TunnelAgent({ ...http.globalAgent.options });
  https.globalAgent = new TunnelHttpsAgent({ ...https.globalAgent.options });
}

function main() {
  const proxies = {
    'http:': parseProxy(variable('http_proxy')),
    'https:': parseProxy(variable('https_proxy')),
  };
  if (!proxies['http:'] && !proxies['https:']) return;
  const route = router(proxies, parseNoProxy(variable('no_proxy')));
  installHttpAgents(route);
  installFetchDispatcher(route);
}

// NODE_USE_ENV_PROXY=1 (or --use-env-proxy) turns on Node's own proxy support (fetch from 24.0,
// http/https from 24.5 and 22.21): the user chose it, so the preload steps aside, told by what
// Node installed rather than by version numbers: a global agent made with `proxyEnv`, an
// EnvHttpProxyAgent as dispatcher (Node versions that install it after the preloads replace
// ours anyway). Without that variable the preload is installed on every version, alike.

// for tests/integration/test_node_preload.py, which checks the NO_PROXY rules against curl's
module.exports = { parseProxy, parseNoProxy, isBypassed };

try {
  main();
} catch (error) {
  // a bad variable must not stop a program that may never use HTTP; say so and leave Node as is
  process.emitWarning(`${WHO} not installed: ${error.message}`);
}
