import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { raw } from '../support/raw-http.js';
import { REFUSED_DESTINATIONS } from '../support/destinations.js';
import { measured, type Drill, type DrillContext, type DrillOutcome, type Measurement } from './drill.js';
import type { DrillGateway } from './gateways.js';
import { StatusTally } from './statuses.js';
import { bearer, postJson, setUpSubject } from './subjects.js';

/** A listener that counts every TCP connection it accepts: proof of what reached it. */
interface Sentinel {
  readonly port: number;
  connections(): number;
  close(): Promise<void>;
}

async function sentinel(host: string, answer: (req: IncomingMessage, res: ServerResponse) => void, port = 0): Promise<Sentinel> {
  let connections = 0;
  const server = createServer(answer);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // '::' takes IPv4 too (dual stack): 127.0.0.1, ::1 and ::ffff:127.0.0.1 all arrive here.
    server.listen({ port, host, ipv6Only: false }, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Webhook URLs aimed at the loopback sentinel's port, by every spelling the project refuses. */
function loopbackTargets(port: number): string[] {
  return [
    `http://127.0.0.1:${port}/`,
    `https://127.0.0.1:${port}/`,
    `http://[::1]:${port}/`,
    `http://localhost:${port}/`,
    `http://LOCALHOST.:${port}/`,
    `http://0.0.0.0:${port}/`,
    `http://[::]:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://[::ffff:7f00:1]:${port}/`,
    `http://2130706433:${port}/`,
    `http://017700000001:${port}/`,
    `http://0177.0.0.1:${port}/`,
    `http://0x7f000001:${port}/`,
    `http://0x7f.0.0.1:${port}/`,
    `http://127.1:${port}/`,
    `http://user:pass@127.0.0.1:${port}/`,
  ];
}

/** Link-local, metadata, private and unique-local addresses, and schemes that are not http(s). */
const ELSEWHERE = [
  'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'http://[fe80::1]/',
  'http://[fe80::1%25lo]/',
  'http://10.0.0.1/',
  'http://172.16.0.1/',
  'http://172.31.255.254/',
  'http://192.168.0.1/',
  'http://[fc00::1]/',
  'http://[fd00::1]/',
  ...REFUSED_DESTINATIONS.map(([url]) => url),
];

const NOT_HTTP = (port: number) => [
  'file:///etc/passwd',
  `ftp://127.0.0.1:${port}/`,
  `gopher://127.0.0.1:${port}/_GET%20/`,
  `ws://127.0.0.1:${port}/`,
  `dict://127.0.0.1:${port}/`,
  'javascript:alert(1)',
  'data:text/plain,hello',
];

interface Registrations {
  readonly tally: StatusTally;
  readonly refused: number;
  readonly registered: string[];
}

async function register(gateway: DrillGateway, token: string, urls: readonly string[]): Promise<Registrations> {
  const tally = new StatusTally();
  const registered: string[] = [];
  for (const url of urls) {
    const answer = await postJson(gateway.url, '/v1/webhooks', token, { url, events: ['SENTENCE_HANDOVER'] });
    tally.add(answer.status);
    if (answer.status === 201) registered.push(url);
  }
  return { tally, refused: tally.countWhere((s) => s === 400 || s === 403), registered };
}

/** Webhooks the gateway's agency has, as it lists them. */
async function listed(gateway: DrillGateway, token: string): Promise<number> {
  const answer = await raw(gateway.url, { path: '/v1/webhooks', headers: bearer(token) });
  return ((answer.json as { webhooks?: unknown[] } | undefined)?.webhooks ?? []).length;
}

/** Polls a webhook's delivery log until it has an attempt, or the deadline passes. */
async function firstDeliveries(gateway: DrillGateway, token: string, id: string, timeoutMs = 30_000): Promise<Array<{ ok: boolean; status: number | null; error: string | null }>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await raw(gateway.url, { path: `/v1/webhooks/${id}/deliveries`, headers: bearer(token) });
    const log = (answer.json ?? []) as Array<{ ok: boolean; status: number | null; error: string | null }>;
    if (log.length > 0 || Date.now() > deadline) return log;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Redirects {
  readonly registeredStatus: number[];
  readonly attempts: number;
  readonly refusedAsRedirect: number;
  readonly redirectorHits: number;
  readonly localhostAllowedStatus: number;
  readonly tally: StatusTally;
}

/**
 * An operator who allowed one loopback receiver (127.0.0.2) and the name localhost: localhost
 * still resolves to loopback and is refused; the allowed receiver answers every notice with a
 * redirect to the sentinel, which the gateway must not follow.
 */
async function redirectsFromAllowed(gateways: DrillContext['gateways'], target: Sentinel): Promise<Redirects> {
  const hops = [
    [302, `http://127.0.0.1:${target.port}/`],
    [307, `http://[::1]:${target.port}/`],
    [308, `http://localhost:${target.port}/`],
  ] as const;
  let redirectorHits = 0;
  const redirector = await sentinel('127.0.0.2', (req, res) => {
    redirectorHits++;
    const [status, location] = hops[Number(req.url?.slice(1)) % hops.length] ?? hops[0];
    req.resume();
    res.writeHead(status, { location }).end();
  });
  const gateway = await gateways.start({ WEBHOOK_ALLOWED_HOSTS: 'localhost,127.0.0.2', WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.2/32', WEBHOOK_RETRY_BASE_MS: '50' });
  try {
    const clerk = await gateway.token('JUSTICE', 'clerk');
    const tally = new StatusTally();
    const localhost = await postJson(gateway.url, '/v1/webhooks', clerk, { url: `http://localhost:${target.port}/` });
    tally.add(localhost.status);
    const ids: string[] = [];
    const registeredStatus: number[] = [];
    for (const [i] of hops.entries()) {
      const answer = await postJson(gateway.url, '/v1/webhooks', clerk, { url: `http://127.0.0.2:${redirector.port}/${i}`, events: ['SENTENCE_HANDOVER'] });
      tally.add(answer.status);
      registeredStatus.push(answer.status);
      const id = (answer.json as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string') ids.push(id);
    }
    // A court handover: a notice for the justice bureau, delivered to each webhook.
    await setUpSubject(gateway.url, { court: await gateway.token('COURT'), justice: await gateway.token('JUSTICE') }, 1, false);
    const logs = await Promise.all(ids.map((id) => firstDeliveries(gateway, clerk, id)));
    const attempts = logs.flat();
    return {
      registeredStatus,
      attempts: attempts.length,
      refusedAsRedirect: attempts.filter((a) => !a.ok && a.error === 'REDIRECT').length,
      redirectorHits,
      localhostAllowedStatus: localhost.status,
      tally,
    };
  } finally {
    await gateway.close();
    await redirector.close();
  }
}

function verdict(defaults: Registrations, defaultsListed: number, urls: number, redirects: Redirects, reached: number): Measurement[] {
  const serverErrors = defaults.tally.serverErrors + redirects.tally.serverErrors;
  return [
    measured('registrations refused, default policy', `${defaults.refused} of ${urls} (${defaults.tally.toString()})`, `all ${urls} (400/403)`, defaults.refused === urls),
    measured('webhooks registered / listed, default policy', `${defaults.registered.length} / ${defaultsListed}`, '0 / 0', defaults.registered.length === 0 && defaultsListed === 0),
    measured('localhost on the allow-list (resolves to loopback)', `HTTP ${redirects.localhostAllowedStatus}`, '403', redirects.localhostAllowedStatus === 403),
    measured(
      'redirects to loopback from an allowed receiver',
      `${redirects.refusedAsRedirect} of ${redirects.attempts} attempts refused as REDIRECT; receiver hit ${redirects.redirectorHits}×`,
      'all refused, ≥ 3 attempts',
      redirects.registeredStatus.every((s) => s === 201) && redirects.attempts >= 3 && redirects.refusedAsRedirect === redirects.attempts && redirects.redirectorHits >= 3,
    ),
    measured('connections reaching the loopback target', reached, '0', reached === 0),
    measured('5xx answers', serverErrors, '0', serverErrors === 0),
  ];
}

async function run({ gateways, log }: DrillContext): Promise<DrillOutcome> {
  const target = await sentinel('::', (req, res) => {
    req.resume();
    res.writeHead(204).end();
  });
  try {
    // The default policy: no host and no address range allowed.
    const gateway = await gateways.start({ WEBHOOK_ALLOWED_HOSTS: '', WEBHOOK_ALLOWED_ADDRESSES: '' });
    let defaults: Registrations;
    let defaultsListed: number;
    const urls = [...loopbackTargets(target.port), ...ELSEWHERE, ...NOT_HTTP(target.port)];
    try {
      const clerk = await gateway.token('JUSTICE', 'clerk');
      defaults = await register(gateway, clerk, urls);
      defaultsListed = await listed(gateway, clerk);
    } finally {
      await gateway.close();
    }
    log(`default policy: ${urls.length} destinations, ${defaults.tally.toString()}; registered: ${defaults.registered.join(', ') || 'none'}`);
    const redirects = await redirectsFromAllowed(gateways, target);
    log(`allowed receiver redirecting to loopback: ${redirects.attempts} attempts, ${redirects.refusedAsRedirect} refused as REDIRECT; localhost allowed by name → ${redirects.localhostAllowedStatus}`);
    const reached = target.connections();
    log(`loopback target on [::]:${target.port}: ${reached} connections`);
    return {
      measurements: verdict(defaults, defaultsListed, urls.length, redirects, reached),
      figures: { destinations: urls.length, defaultStatuses: defaults.tally.toJSON(), redirects: { ...redirects, tally: redirects.tally.toJSON() }, reached },
    };
  } finally {
    await target.close();
  }
}

export const ssrfTargets: Drill = {
  name: 'ssrf-targets',
  summary: 'webhooks aimed at loopback, link-local/metadata, private, unspecified, mapped and oddly spelled addresses, other schemes, loopback by name and by redirect: all refused, none reached',
  run,
};
