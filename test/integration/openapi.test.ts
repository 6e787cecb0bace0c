import Ajv from 'ajv';
import request from 'supertest';
import repoDocument from '../../app/server/openapi.json';
import { settingsSchema } from '../../app/config/settings';
import {
  DEFAULT_PAGE_ROWS,
  DIMENSIONS,
  MAX_FILTER_VALUES,
  MAX_HOUR,
  MAX_NAME_LENGTH,
  MAX_PAGE_ROWS,
  SORT_TOTALS,
} from '../../app/api/constants';
import { findInvalidRecord } from '../../app/data/flow';
import { freePort } from '../support/disposableMongo';
import { RunningService, startService } from '../support/service';

type Doc = typeof repoDocument;
const schemas = repoDocument.components.schemas;
const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** Ajv over the whole document, so the response schemas' $refs into components resolve. */
function validatorFor(doc: Doc) {
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true });
  ajv.addSchema(doc, 'openapi');
  /** The JSON pointer of a documented response, following a $ref to components.responses. */
  const response = (path: string, method: string, status: number): { pointer: string; value: Record<string, unknown> } => {
    const operation = (doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)[path][method];
    const found = operation.responses[String(status)] as { $ref?: string } | undefined;
    if (!found) throw new Error(`${method} ${path} does not document ${status}`);
    if (found.$ref) {
      const name = found.$ref.split('/').pop()!;
      return {
        pointer: `#/components/responses/${name}`,
        value: (doc.components.responses as Record<string, Record<string, unknown>>)[name],
      };
    }
    return { pointer: `#/paths/${escape(path)}/${method}/responses/${status}`, value: found as Record<string, unknown> };
  };
  return (path: string, method: string, res: request.Response) => {
    const { pointer, value } = response(path, method, res.status);
    const validate = ajv.compile({ $ref: `openapi${pointer}/content/application~1json/schema` });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    if (!validate(res.body)) throw new Error(`${method} ${path} ${res.status}: ${ajv.errorsText(validate.errors)}`);
    for (const [header, ref] of Object.entries((value.headers as Record<string, { $ref: string }>) ?? {})) {
      const declared = (doc.components.headers as Record<string, { required?: boolean }>)[ref.$ref.split('/').pop()!];
      if (declared.required) expect(res.headers[header.toLowerCase()]).toBeDefined();
    }
  };
}

const record = (overrides: Record<string, unknown> = {}) => ({
  src_app: 's',
  dest_app: 'd',
  vpc_id: 'v',
  bytes_tx: 1,
  bytes_rx: 2,
  hour: 3,
  ...overrides,
});

describe('the OpenAPI document', () => {
  it('states the limits the code enforces', () => {
    expect(schemas.Name.maxLength).toBe(MAX_NAME_LENGTH);
    expect(schemas.Hour.maximum).toBe(MAX_HOUR);
    expect(schemas.Count.maximum).toBe(Number.MAX_SAFE_INTEGER);
    expect(schemas.FlowBatch.maxItems).toBe(settingsSchema.describe().keys.maxRecordsPerBatch.flags.default);
    const parameters = repoDocument.components.parameters;
    for (const filter of [parameters.SrcApp, parameters.DestApp, parameters.VpcId]) {
      expect(filter.schema.maxItems).toBe(MAX_FILTER_VALUES);
    }
    expect([parameters.Limit.schema.maximum, parameters.Limit.schema.default]).toEqual([MAX_PAGE_ROWS, DEFAULT_PAGE_ROWS]);
    expect(parameters.To.description).toContain(`at most ${settingsSchema.describe().keys.maxQueryHours.flags.default} hours`);
    expect(parameters.Sort.schema.enum).toEqual([...SORT_TOTALS]);
    expect(parameters.By.schema.pattern).toBe(`^(${DIMENSIONS.join('|')})(,(${DIMENSIONS.join('|')})){0,3}$`);
  });

  it('states the name rule the code enforces', () => {
    const ajv = new Ajv({ strict: false });
    const matchesDocument = ajv.compile(schemas.Name);
    const names = ['a', 'ä', '🙂', '$gt', 'a b', '\u0000', 'a\u001f', '\u007f', '\u0085', 'x\u009f',
      '', 'x'.repeat(256), 'x'.repeat(257), '🙂'.repeat(256), '🙂'.repeat(257), '\u2028', '\ufeff'];
    for (const name of names) {
      const matchesCode = findInvalidRecord([record({ src_app: name })]) === undefined;
      expect([name, matchesDocument(name)]).toEqual([name, matchesCode]);
    }
    // Lone surrogates: refused by the code, stated in the description only (see the document).
    expect(schemas.Name.description).toMatch(/lone surrogates/);
    for (const name of ['\ud800', 'a\udfffb']) expect(findInvalidRecord([record({ src_app: name })])).toBeDefined();
  });

  it('documents every route and nothing else', () => {
    expect(Object.keys(repoDocument.paths).sort()).toEqual(['/flow', '/flows', '/healthz', '/hours', '/metrics', '/openapi.json', '/readyz']);
  });
});

describe('responses conform to the OpenAPI document', () => {
  let service: RunningService;
  let unready: RunningService;
  let served: Doc;
  let conforms: ReturnType<typeof validatorFor>;

  beforeAll(async () => {
    service = await startService({ maxRecordsPerBatch: 7, pendingMaxRecords: 100, bodyLimit: '2kb', maxQueryHours: 48 });
    unready = await startService({ mongodbUri: `mongodb://127.0.0.1:${await freePort()}/` }, { waitReady: false });
    served = (await request(service.url).get('/openapi.json').expect(200)).body;
    conforms = validatorFor(served);
  });
  afterAll(async () => {
    await Promise.all([service.stop(), unready.stop()]);
  });

  it('is served with the configured limits and otherwise as kept in the repository', () => {
    expect(served.components.schemas.FlowBatch.maxItems).toBe(7);
    expect(served.components.parameters.To.description).toContain('at most 48 hours');
    const { components } = served;
    expect({
      ...served,
      components: {
        ...components,
        schemas: { ...components.schemas, FlowBatch: schemas.FlowBatch },
        parameters: { ...components.parameters, To: repoDocument.components.parameters.To },
      },
    }).toEqual(repoDocument);
  });

  it.each([
    ['a batch', [record(), record({ src_app: '🙂'.repeat(MAX_NAME_LENGTH) })], 200],
    ['an empty batch', [], 200],
    ['an invalid record', [record({ hour: -1 })], 400],
    ['a name too long', [record({ src_app: '🙂'.repeat(MAX_NAME_LENGTH + 1) })], 400],
    ['an unknown field', [record({ extra: 1 })], 400],
    ['not an array', { records: [] }, 400],
    ['too many records', Array.from({ length: 8 }, () => record()), 413],
    ['a body over the limit', [record({ src_app: 'x'.repeat(256), dest_app: 'y'.repeat(256) }), ...Array(6).fill(record({ vpc_id: 'z'.repeat(256) }))], 413],
  ])('POST with %s', async (_what, body, status) => {
    for (const path of ['/flows', '/flow']) {
      const res = await request(service.url).post(path).send(body as object).expect(status);
      conforms(path, 'post', res);
    }
  });

  it('POST with malformed JSON or another media type', async () => {
    const malformed = await request(service.url).post('/flows').set('content-type', 'application/json').send('[{').expect(400);
    conforms('/flows', 'post', malformed);
    const text = await request(service.url).post('/flows').set('content-type', 'text/plain').send('hi').expect(415);
    conforms('/flows', 'post', text);
  });

  it.each([
    ['hour=3', 200],
    ['hour=99', 200],
    ['hour=3&by=src_app&sort=bytes&limit=1', 200],
    ['from=1&to=5&src_app=s&src_app=t&by=hour', 200],
    ['from=1&to=5&vpc_id=v&by=src_app,dest_app,vpc_id,hour&sort=bytes_rx', 200],
    ['hour=-1', 400],
    ['', 400],
    ['from=5&to=1', 400],
    ['from=1&to=100', 400],
    ['hour=3&limit=0', 400],
    ['hour=3&color=red', 400],
  ])('GET ?%s', async (query, status) => {
    for (const path of ['/flows', '/flow']) {
      const res = await request(service.url).get(`${path}?${query}`).expect(status);
      conforms(path, 'get', res);
    }
  });

  it.each([
    ['', 200],
    ['until=2', 200],
    ['until=3', 200],
    ['until=x', 400],
    ['until=1&until=2', 400],
    ['from=1', 400],
  ])('GET /hours?%s', async (query, status) => {
    conforms('/hours', 'get', await request(service.url).get(`/hours?${query}`).expect(status));
  });

  it('503 with Retry-After while MongoDB is away, and the probes', async () => {
    conforms('/flows', 'post', await request(unready.url).post('/flows').send([record()]).expect(503));
    conforms('/flows', 'get', await request(unready.url).get('/flows?hour=1').expect(503));
    conforms('/hours', 'get', await request(unready.url).get('/hours').expect(503));
    conforms('/readyz', 'get', await request(unready.url).get('/readyz').expect(503));
    conforms('/readyz', 'get', await request(service.url).get('/readyz').expect(200));
    conforms('/healthz', 'get', await request(service.url).get('/healthz').expect(200));
    conforms('/openapi.json', 'get', await request(service.url).get('/openapi.json').expect(200));
    await request(service.url).get('/metrics').expect(200).expect('Content-Type', /^text\/plain/);
  });

  it('405 with Allow for a method a path does not have, probes included', async () => {
    for (const path of ['/healthz', '/readyz', '/flows', '/hours', '/openapi.json']) {
      const res = await request(service.url).put(path).expect(405);
      expect(res.headers.allow).toMatch(/GET/);
      expect(res.body.error).toBe('method_not_allowed');
    }
    // A method no route has at all was a 501 from the router (found by schemathesis).
    for (const path of ['/flows', '/openapi.json']) {
      const res = await request(service.url).trace(path).expect(405);
      expect(res.headers.allow).toMatch(/GET/);
      expect(res.body.error).toBe('method_not_allowed');
    }
  });
});
