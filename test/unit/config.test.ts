import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadSettings } from '../../app/config/load';
import { envName } from '../../app/config/settings';

const uri = 'mongodb://db.example:27017/';
const fleet = { PEERS: 'http://10.0.0.1:9528, http://10.0.0.2:9528/', PEER_URL: 'http://10.0.0.2:9528' };
const dir = mkdtempSync(join(tmpdir(), 'fas-config-'));
function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadSettings', () => {
  it('applies defaults when only MONGODB_URI is set', () => {
    expect(loadSettings({ MONGODB_URI: uri })).toMatchObject({
      port: 9527,
      mongodbUri: uri,
      mongodbDatabase: 'fas',
      mongodbWriteConcern: 'majority',
      maxRecordsPerBatch: 10_000,
      bodyLimit: '5mb',
      mongodbShardCollection: false,
      logLevel: 'info',
    });
  });

  it('reads environment variables as typed values', () => {
    const settings = loadSettings({
      MONGODB_URI: uri,
      PORT: '8080',
      MONGODB_WRITE_CONCERN: '2',
      FLUSH_WINDOW_MS: '0',
      MONGODB_SHARD_COLLECTION: 'true',
    });
    expect(settings).toMatchObject({ port: 8080, mongodbWriteConcern: 2, flushWindowMs: 0, mongodbShardCollection: true });
  });

  it('reads a YAML config file, with the environment taking precedence', () => {
    const file = configFile('fas.yaml', `mongodbUri: ${uri}\nport: 9000\nflushWindowMs: 20\nlogLevel: debug\n`);
    expect(loadSettings({ CONFIG_FILE: file, PORT: '9100' })).toMatchObject({
      mongodbUri: uri,
      port: 9100,
      flushWindowMs: 20,
      logLevel: 'debug',
    });
  });

  it('reads a JSON config file', () => {
    const file = configFile('fas.json', JSON.stringify({ mongodbUri: uri, mongodbDatabase: 'flows' }));
    expect(loadSettings({ CONFIG_FILE: file }).mongodbDatabase).toBe('flows');
  });

  it.each([
    [{}, 'MONGODB_URI'],
    [{ MONGODB_URI: 'http://db' }, 'MONGODB_URI'],
    [{ MONGODB_URI: uri, PORT: 'abc' }, 'PORT'],
    [{ MONGODB_URI: uri, PORT: '70000' }, 'PORT'],
    [{ MONGODB_URI: uri, MONGODB_WRITE_CONCERN: '0' }, 'MONGODB_WRITE_CONCERN'],
    [{ MONGODB_URI: uri, FLUSH_WINDOW_MS: '-1' }, 'FLUSH_WINDOW_MS'],
    [{ MONGODB_URI: uri, BODY_LIMIT: 'lots' }, 'BODY_LIMIT'],
    [{ MONGODB_URI: uri, LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MONGODB_URI: uri, MAX_RECORDS_PER_BATCH: '1.5' }, 'MAX_RECORDS_PER_BATCH'],
    [{ MONGODB_URI: uri, PENDING_MAX_RECORDS: '10', MAX_RECORDS_PER_BATCH: '100' }, 'PENDING_MAX_RECORDS'],
    [{ MONGODB_URI: uri, FLUSH_TIMEOUT_MS: '1000', FLUSH_WINDOW_MS: '1000' }, 'FLUSH_TIMEOUT_MS'],
    [{ MONGODB_URI: uri, MONGODB_SOCKET_TIMEOUT_MS: '1000', MONGODB_QUERY_TIMEOUT_MS: '2000' }, 'MONGODB_SOCKET_TIMEOUT_MS'],
    [{ MONGODB_URI: uri, MONGODB_SOCKET_TIMEOUT_MS: '1000', MONGODB_WRITE_TIMEOUT_MS: '1000' }, 'MONGODB_SOCKET_TIMEOUT_MS'],
    [{ MONGODB_URI: uri, HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '1000' }, 'HTTP_HEADERS_TIMEOUT_MS'],
    [{ MONGODB_URI: uri, ...fleet, PEER_URL: 'http://10.0.0.9:9528' }, 'is not one of PEERS'],
    [{ MONGODB_URI: uri, PEERS: fleet.PEERS }, 'PEERS and PEER_URL go together'],
    [{ MONGODB_URI: uri, ...fleet, PEERS: 'http://10.0.0.1:9528/flows,http://10.0.0.2:9528' }, 'PEERS must be base URLs'],
    [{ MONGODB_URI: uri, ...fleet, HOP_PORT: '9600' }, "must name this member's HOP_PORT"],
    [{ MONGODB_URI: uri, ...fleet, PORT: '9528' }, 'HOP_PORT must differ from PORT'],
    [{ MONGODB_URI: uri, ...fleet, PEER_DNS_NAME: 'fas-members.fas.svc', POD_IP: '10.0.0.1' }, 'not both'],
    [{ MONGODB_URI: uri, PEER_DNS_NAME: 'fas-members.fas.svc' }, 'PEER_DNS_NAME and POD_IP go together'],
  ])('rejects %j naming %s', (env, name) => {
    expect(() => loadSettings(env)).toThrow(ConfigError);
    expect(() => loadSettings(env)).toThrow(name);
  });

  it('takes a fleet named by PEERS, whatever their spaces and trailing slashes', () => {
    expect(loadSettings({ MONGODB_URI: uri, ...fleet })).toMatchObject({ hopPort: 9528, peerUrl: 'http://10.0.0.2:9528' });
  });

  it('rejects an unknown key in the config file, naming it', () => {
    const file = configFile('typo.yaml', `mongodbUri: ${uri}\nflushWindow: 5\n`);
    expect(() => loadSettings({ CONFIG_FILE: file })).toThrow(/flushWindow.*not allowed/);
  });

  it('rejects an unreadable or malformed config file, naming it', () => {
    expect(() => loadSettings({ CONFIG_FILE: join(dir, 'missing.yaml') })).toThrow(/CONFIG_FILE .*missing\.yaml/);
    const list = configFile('list.yaml', '- a\n- b\n');
    expect(() => loadSettings({ CONFIG_FILE: list })).toThrow(/must hold a mapping/);
  });

  it('names environment variables after the settings', () => {
    expect(envName('mongodbServerSelectionTimeoutMs')).toBe('MONGODB_SERVER_SELECTION_TIMEOUT_MS');
  });
});

describe('the built server with a bad setting', () => {
  it('exits 1 with a message naming the setting', () => {
    const result = spawnSync(process.execPath, [join(__dirname, '../../dist/index.js')], {
      env: { PATH: process.env.PATH, MONGODB_URI: uri, PORT: 'not-a-port' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/PORT/);
  });
});
