import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { connect, expectReply, RawClient, startTestServer, switchToResp3 } from './helpers.js';
import type { Server } from '../src/index.js';

const DEFAULT_HEADERS = ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Errorstats', '# Cluster', '# Broker', '# Keyspace'];

/** INFO's text as field -> value, headers left out. */
function fields(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) map.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return map;
}

function headers(text: string): string[] {
  return text.split('\r\n').filter((line) => line.startsWith('# '));
}

describe('INFO', () => {
  let server: Server;
  let r: Redis;

  before(async () => {
    server = await startTestServer();
    r = connect(server, { protocol: 2 });
  });

  after(async () => {
    r.disconnect();
    await server.shutdown();
  });

  beforeEach(() => {
    for (const db of server.databases) db.flush();
  });

  it('INFO shows the default sections with CRLF lines and a blank line between sections', async () => {
    const text = await r.info();
    expect(headers(text)).to.deep.equal(DEFAULT_HEADERS);
    expect(text).to.match(/^# Server\r\nredis_version:7\.0\.15\r\nnodis_version:/);
    expect(text).to.contain('\r\n\r\n# Clients\r\n');
    expect(text.replace(/\r\n/g, '')).not.to.contain('\n');
    expect(await r.info('default')).to.have.string('# Keyspace');
  });

  it('INFO server, clients, persistence, replication fields', async () => {
    const info = fields(await r.info('server', 'clients', 'persistence', 'replication'));
    expect(info.get('redis_mode')).to.equal('standalone');
    expect(info.get('tcp_port')).to.equal(String(server.port));
    expect(info.get('process_id')).to.equal(String(process.pid));
    expect(info.get('hz')).to.equal('10');
    expect(info.get('config_file')).to.equal('');
    expect(Number(info.get('uptime_in_seconds'))).to.be.at.least(0);
    expect(Number(info.get('connected_clients'))).to.equal(server.clients.size);
    expect(info.get('blocked_clients')).to.equal('0');
    expect(info.get('loading')).to.equal('0');
    expect(info.get('rdb_changes_since_last_save')).to.equal(String(server.dirty));
    expect(info.get('rdb_last_save_time')).to.equal(String(server.persistence.lastSave));
    expect(info.get('role')).to.equal('master');
    expect(info.get('connected_slaves')).to.equal('0');
    expect(info.get('master_replid')).to.match(/^[0-9a-f]{40}$/);
    expect(info.get('master_repl_offset')).to.equal('0');
  });

  it('INFO memory and cpu figures', async () => {
    const info = fields(await r.info('memory', 'CPU'));
    expect(Number(info.get('used_memory'))).to.be.above(0);
    expect(info.get('used_memory_human')).to.match(/^\d+\.\d\d[KMG]$/);
    expect(Number(info.get('used_memory_rss'))).to.be.above(0);
    expect(info.get('used_cpu_user')).to.match(/^\d+\.\d{6}$/);
  });

  it('INFO stats counts connections, commands, keyspace hits and errors', async () => {
    server.databases[0].keyspaceHits = 3;
    server.databases[2].keyspaceHits = 4;
    server.databases[1].keyspaceMisses = 5;
    const info = fields(await r.info('stats'));
    expect(Number(info.get('total_connections_received'))).to.be.at.least(1);
    expect(Number(info.get('total_commands_processed'))).to.be.at.least(1);
    expect(info.get('keyspace_hits')).to.equal('7');
    expect(info.get('keyspace_misses')).to.equal('5');
    expect(info.get('total_error_replies')).to.equal(String(server.writer.errorReplies));
    expect(info).to.have.keys([...info.keys()]);
    expect(info.has('instantaneous_ops_per_sec')).to.equal(true);
    expect(Number(info.get('total_net_input_bytes'))).to.be.above(0);
  });

  it('INFO keyspace lists the databases that hold keys', async () => {
    expect(await r.info('keyspace')).to.equal('# Keyspace\r\n');
    server.databases[0].set('a', '1');
    server.databases[3].set('b', '1');
    server.databases[3].setExpire('b', Date.now() + 100000);
    const text = await r.info('keyspace');
    expect(text).to.match(/^# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb3:keys=1,expires=1,avg_ttl=\d+\r\n$/);
  });

  it('INFO keyspace avg_ttl is estimated by the active expiry cycle, without walking every key', async () => {
    const db = server.databases[5];
    for (let i = 0; i < 200; i++) {
      db.set(`ttl:${i}`, 'v');
      db.setExpire(`ttl:${i}`, Date.now() + 100000);
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    const match = /db5:keys=200,expires=200,avg_ttl=(\d+)/.exec(await r.info('keyspace'));
    expect(match).to.not.equal(null);
    expect(Number(match![1])).to.be.within(90000, 100000);
    db.flush();
  });

  it('INFO commandstats and errorstats', async () => {
    await r.call('config', 'resetstat');
    await r.ping();
    await r.call('client', 'id');
    await r.call('client', 'kill', 'id', 'x').catch(() => undefined);
    await r.call('nosuchcommand').catch(() => undefined);
    await r.call('ping', 'a', 'b').catch(() => undefined);
    await r.call('dbsize', 'x').catch(() => undefined);
    const stats = await r.info('commandstats');
    expect(stats).to.match(/^# Commandstats\r\n/);
    expect(stats).to.match(/\r\ncmdstat_ping:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1\r\n/);
    expect(stats).to.match(/\r\ncmdstat_client\|id:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0\r\n/);
    expect(stats).to.match(/\r\ncmdstat_client\|kill:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1\r\n/);
    expect(stats).to.match(/\r\ncmdstat_dbsize:calls=0,usec=0,usec_per_call=0\.00,rejected_calls=1,failed_calls=0\r\n/);
    expect(await r.info('errorstats')).to.equal('# Errorstats\r\nerrorstat_ERR:count=4\r\n');
  });

  it('INFO all and everything add commandstats; unknown sections are empty', async () => {
    expect(headers(await r.info('all'))).to.include('# Commandstats');
    expect(headers(await r.info('everything'))).to.include('# Commandstats');
    expect(headers(await r.info())).not.to.include('# Commandstats');
    expect(await r.info('nosuch')).to.equal('');
    expect(headers(await r.info('keyspace', 'server'))).to.deep.equal(['# Server', '# Keyspace']);
  });

  it('INFO is a bulk string in RESP2 and a verbatim string in RESP3', async () => {
    const raw = await RawClient.connect(server);
    await expectReply(raw, ['INFO', 'cluster'], '$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n');
    await switchToResp3(raw);
    await expectReply(raw, ['INFO', 'cluster'], '=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n');
    raw.close();
  });

  it('ioredis passes its ready check (INFO, loading:0)', async () => {
    const checked = connect(server, { enableReadyCheck: true });
    await new Promise<void>((resolve, reject) => {
      checked.once('ready', () => resolve());
      checked.once('error', reject);
    });
    expect(checked.status).to.equal('ready');
    checked.disconnect();
  });
});
