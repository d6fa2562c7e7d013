import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { expect } from 'chai';
import { DEADLINE_RULES, EVENT_CATALOG, EVENT_TYPES, RECORDER_RULE_TEXT, type EventType } from 'correction-chaincode/domain';
import { CatalogSchema } from '../../gateway/src/http/responses.js';
import { Api } from '../support/api.js';
import { sampleDocument, temporaryHandover } from '../support/documents.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { expectProblem } from './scenario.suite.js';

/** An independent JSON Schema validator, with the formats (date, date-time) the schemas name. */
function validator(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true });
  // ajv-formats is CommonJS: its plugin is the module's `default` property.
  ajvFormats.default(ajv);
  return ajv;
}

describe('the published catalog', () => {
  let target: EmbeddedTarget;
  let catalog: ReturnType<typeof CatalogSchema.parse>;

  before(async () => {
    target = await embeddedTarget();
    const answer = await new Api(target, 'POLICE', 'officer').get('/v1/catalog');
    expect(answer.status).to.equal(200);
    catalog = CatalogSchema.parse(answer.body);
  });
  after(() => target.close());

  it('answers every authenticated agency, and nobody without a token', async () => {
    for (const agency of ['COURT', 'PROCURATORATE', 'JUSTICE'] as const) {
      expect((await new Api(target, agency, 'auditor').get('/v1/catalog')).body).to.deep.equal(JSON.parse(JSON.stringify(catalog)));
    }
    const anonymous = await fetch(`${target.url()}/v1/catalog`);
    expectProblem({ status: anonymous.status, body: await anonymous.json(), headers: anonymous.headers }, 401, 'UNAUTHENTICATED');
  });

  it('publishes each event as the contract\'s catalog holds it: who records it from which states, where it leads, who is told, its collection, public fields, deadlines and basis', () => {
    expect(catalog.events.map((e) => e.code)).to.deep.equal(EVENT_TYPES);
    for (const event of catalog.events) {
      const definition = EVENT_CATALOG[event.code as EventType];
      const rule = definition.recorderRule;
      expect(event, event.code).to.deep.include({
        name: definition.name,
        recordedBy: definition.recordedBy,
        recorderRule: rule ? { rule, text: RECORDER_RULE_TEXT[rule] } : null,
        from: definition.from,
        to: definition.to ?? null,
        notify: definition.notify,
        collection: definition.collection,
        publicFields: definition.publicFields,
        basis: definition.basis,
      });
      const rules = DEADLINE_RULES.filter((r) => r.due === event.code);
      expect(event.deadlines.map((d) => [d.id, d.amount, d.unit, d.basis, d.unverified]), event.code).to.deep.equal(
        rules.map((r) => [r.id, r.amount, r.unit, r.basis, r.unverified === true]),
      );
    }
    const byCode = new Map(catalog.events.map((e) => [e.code, e]));
    expect(byCode.get('SENTENCE_HANDOVER')?.orderRules).to.deep.equal([{ earlier: 'termStart', later: 'termEnd', sameAllowed: false }]);
    expect(byCode.get('SUBJECT_RECEIVED')?.deadlines.map((d) => d.id)).to.deep.equal(['SUBJECT_RECEIVED', 'SUBJECT_ESCORTED']);
    expect(byCode.get('ASSESSMENT_OPINION')?.deadlines[0]).to.include({ basis: 'IM', unverified: true });
    expect(catalog.collections).to.deep.include({ judicialDocs: ['COURT', 'PROCURATORATE', 'JUSTICE'] });
    expect(Object.keys(catalog.notifyRoles).sort()).to.deep.equal(['ADDRESSED_AGENCY', 'AS_AMENDED', 'COMMISSIONER', 'DECISION_ORGAN']);
  });

  it('gives each document a JSON Schema that accepts the sample documents and refuses an unknown field', () => {
    const ajv = validator();
    for (const event of catalog.events) {
      const validate = ajv.compile(event.document);
      const sample = sampleDocument(event.code as EventType);
      expect(validate(sample), `${event.code}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
      expect(validate({ ...sample, favouriteColour: 'red' }), event.code).to.equal(false);
      expect(validate.errors?.map((e) => e.keyword), event.code).to.include('additionalProperties');
    }
  });

  it('says in the JSON Schema what a document must carry in the cases the statutes single out', () => {
    const ajv = validator();
    const schemaOf = (code: EventType) => ajv.compile(catalog.events.find((e) => e.code === code)?.document ?? {});
    const release = schemaOf('CORRECTION_RELEASED');
    expect(release(sampleDocument('CORRECTION_RELEASED', { ground: 'PARDON' }))).to.equal(false);
    expect(release(sampleDocument('CORRECTION_RELEASED', { ground: 'PARDON', pardonOrderNo: '主席特赦令第一号' }))).to.equal(true);
    const handover = schemaOf('SENTENCE_HANDOVER');
    expect(handover(sampleDocument('SENTENCE_HANDOVER', { correctionType: 'TEMPORARY_OUTSIDE_PRISON' }))).to.equal(false);
    expect(handover(temporaryHandover())).to.equal(true);
    const ruling = schemaOf('REVOCATION_RULED');
    expect(ruling(sampleDocument('REVOCATION_RULED', { newCrime: true, revoked: false, judgmentNo: 'J-2' }))).to.equal(false);
    const reply = schemaOf('PROCURATORIAL_REPLY');
    expect(reply(sampleDocument('PROCURATORIAL_REPLY', { adopted: false }))).to.equal(false);
  });

  it('is listed in the OpenAPI document with its response schema', async () => {
    const openApi = (await (await fetch(`${target.url()}/openapi.json`)).json()) as { paths: Record<string, { get?: { responses: Record<string, unknown> } }> };
    expect(openApi.paths['/v1/catalog']?.get?.responses['200']).to.deep.include({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Catalog' } } },
    });
  });
});
