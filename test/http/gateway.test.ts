import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { importJWK, SignJWT } from 'jose';
import { CONSOLE_PAGES } from '../../gateway/src/http/console-pages.js';
import { devKeyPaths, readJwk } from '../../gateway/src/keys.js';
import { RecordedSchema } from '../../gateway/src/http/responses.js';
import type { AuditReport } from '../../gateway/src/services/correction-service.js';
import { readTrust, verifyReceipt } from '../../gateway/src/services/receipts.js';
import { Api } from '../support/api.js';
import { SAMPLE_NAME, sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { expectProblem } from './scenario.suite.js';

describe('gateway', () => {
  let target: EmbeddedTarget;
  let court: Api;
  let justice: Api;
  let police: Api;
  const ids = [residentId(501), residentId(502), residentId(503)];

  before(async () => {
    target = await embeddedTarget();
    court = new Api(target, 'COURT');
    justice = new Api(target, 'JUSTICE');
    police = new Api(target, 'POLICE', 'officer');
  });
  after(() => target.close());

  it('never writes an ID number or a document into its logs', async () => {
    for (const idNumber of ids) {
      await court.record('SENTENCE_HANDOVER', { idNumber }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
      await police.post('/v1/subjects/lookup', { idNumber });
      await justice.record('SUBJECT_RECEIVED', { idNumber: idNumber.slice(0, 17) }, {}, 'bad');
    }
    await court.post('/v1/events', '{"subject": {"idNumber": "' + (ids[0] ?? '') + '"', { 'content-type': 'application/json' });
    const logs = target.logs.join('\n');
    expect(target.logs.length).to.be.greaterThan(8);
    for (const idNumber of ids) {
      expect(logs).to.not.include(idNumber);
      expect(logs).to.not.include(idNumber.slice(0, 17));
    }
    expect(logs).to.not.include(SAMPLE_NAME);
    expect(logs).to.include('"route":"/v1/events"');
  });

  it('signs each receipt with its key, over the entry hash, tx id and time', async () => {
    const answer = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(510) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    const { entry, receipt } = RecordedSchema.parse(answer.body);
    const trust = await readTrust(devKeyPaths(target.dataDir).trust);
    const claims = await verifyReceipt(receipt, trust);
    expect(claims).to.include({ entryId: entry.id, entryHash: entry.hash, txId: entry.txId, recordedAt: entry.recordedAt });
    const [header, payload, signature] = receipt.split('.');
    const flipped = `${header}.${payload}.${signature?.startsWith('A') ? 'B' : 'A'}${signature?.slice(1)}`;
    let refused = false;
    await verifyReceipt(flipped, trust).catch(() => (refused = true));
    expect(refused).to.equal(true);
  });

  it('refuses a token signed by one agency\'s key that claims another agency', async () => {
    const courtKey = await readJwk(devKeyPaths(target.dataDir).agencyKey('COURT'));
    const forged = await new SignJWT({ agency: 'POLICE', role: 'officer' })
      .setProtectedHeader({ alg: 'ES256', kid: 'COURT' })
      .setSubject('someone')
      .setExpirationTime('1h')
      .sign(await importJWK(courtKey, 'ES256'));
    const answer = await fetch(`${target.url()}/v1/subjects/${'a'.repeat(64)}`, { headers: { authorization: `Bearer ${forged}` } });
    expect(answer.status).to.equal(401);
  });

  it('refuses an expired token and one without a role', async () => {
    const key = await importJWK(await readJwk(devKeyPaths(target.dataDir).agencyKey('COURT')), 'ES256');
    const expired = await new SignJWT({ agency: 'COURT', role: 'clerk' }).setProtectedHeader({ alg: 'ES256', kid: 'COURT' }).setSubject('x').setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(key);
    const roleless = await new SignJWT({ agency: 'COURT' }).setProtectedHeader({ alg: 'ES256', kid: 'COURT' }).setSubject('x').setExpirationTime('1h').sign(key);
    for (const token of [expired, roleless]) {
      const answer = await fetch(`${target.url()}/v1/subjects/${'a'.repeat(64)}`, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).to.equal(401);
    }
  });

  it('answers malformed JSON with 400, an oversized body with 413 and an unknown route with 404, all as problems', async () => {
    expectProblem(await court.post('/v1/events', '{"type":', { 'content-type': 'application/json' }), 400, 'VALIDATION_FAILED');
    expectProblem(await court.post('/v1/events', { type: 'SENTENCE_HANDOVER', document: { judgment: 'x'.repeat(1_100_000) } }), 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(await court.get('/v1/nothing-here'), 404, 'NOT_FOUND');
  });

  it('audits the whole ledger for auditors and the procuratorate only', async () => {
    const auditor = new Api(target, 'JUSTICE', 'auditor');
    const report = await auditor.get<AuditReport>('/v1/audit');
    expect(report.status).to.equal(200);
    expect(report.body).to.include({ ok: true, scope: 'ledger' });
    expect(report.body.entries).to.be.greaterThan(0);
    expect((await new Api(target, 'PROCURATORATE').get('/v1/audit')).status).to.equal(200);
    expectProblem(await court.get('/v1/audit'), 403, 'FORBIDDEN');
  });

  interface OpenApi { paths: Record<string, unknown>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }
  const openApi = async (): Promise<OpenApi> => (await (await fetch(`${target.url()}/openapi.json`)).json()) as OpenApi;

  it('publishes an OpenAPI document that names every route it serves, and renders it at /docs', async () => {
    const doc = await openApi();
    // Every route the gateway serves, taken from the express router itself.
    interface Layer { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } }
    const layers = (target.gateway.app as unknown as { router: { stack: Layer[] } }).router.stack.flatMap((layer) => [layer, ...(layer.handle?.stack ?? [])]);
    const served = layers
      .flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((method) => `${method} ${layer.route?.path ?? ''}`) : []))
      .map((route) => route.replace(/:(\w+)/g, '{$1}'))
      // The console's pages answer its index.html: the web app beside the API, as /docs is, not part of it.
      .filter((route) => route !== `get ${CONSOLE_PAGES.join(',')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations as object).map((method) => `${method} ${path}`));
    expect(documented).to.have.members(served);
    expect(served.length).to.be.greaterThan(15);
    expect(Object.keys(doc.components.schemas['SubjectStatus']?.properties ?? {})).to.include.members(['state', 'flags', 'termEnd', 'warningCount']);
    const docs = await fetch(`${target.url()}/docs/`);
    expect(docs.status).to.equal(200);
    expect(await docs.text()).to.include('swagger-ui');
  });

  it('describes the record-event body as one strict variant per event type, each with its strict document', async () => {
    const doc = await openApi();
    const recordBody = doc.components.schemas['RecordEventBody'] as { oneOf?: Array<{ properties?: Record<string, { $ref?: string }>; additionalProperties?: boolean }> };
    expect(recordBody.oneOf).to.have.length(31);
    const handover = recordBody.oneOf?.find((variant) => JSON.stringify(variant.properties?.['type']).includes('SENTENCE_HANDOVER'));
    expect(Object.keys(handover?.properties ?? {})).to.have.members(['type', 'subject', 'occurredAt', 'document']);
    expect(handover?.additionalProperties).to.equal(false);
    const handoverDocument = doc.components.schemas[String(handover?.properties?.['document']?.$ref).split('/').pop() ?? ''] as { additionalProperties?: boolean; required?: string[] };
    expect(handoverDocument.additionalProperties).to.equal(false);
    expect(handoverDocument.required).to.include.members(['decisionNo', 'termStart', 'termEnd', 'executionPlace']);
  });

  it('publishes without a token what tokens must claim besides who: no issuer or audience unless configured, and the longest life', async () => {
    const answer = await fetch(`${target.url()}/v1/token-claims`);
    expect(answer.status).to.equal(200);
    expect(await answer.json()).to.deep.equal({ maxLifetimeSeconds: 12 * 3600 });
  });

  it('reports health, readiness and Prometheus metrics', async () => {
    expect((await fetch(`${target.url()}/healthz`)).status).to.equal(200);
    expect((await fetch(`${target.url()}/readyz`)).status).to.equal(200);
    const metrics = await (await fetch(`${target.url()}/metrics`)).text();
    expect(metrics).to.match(/correction_events_recorded_total\{type="SENTENCE_HANDOVER",agency="COURT"\} \d+/);
    expect(metrics).to.match(/ledger_block_height \d+/);
    expect(metrics).to.include('http_request_duration_seconds_bucket');
  });

  it('keeps its dev keys private to the owner', async () => {
    const { stat } = await import('node:fs/promises');
    const mode = (await stat(devKeyPaths(target.dataDir).subjectKey)).mode & 0o777;
    expect(mode).to.equal(0o600);
    expect(await readFile(devKeyPaths(target.dataDir).jwks, 'utf8')).to.not.include('"d"');
  });
});
