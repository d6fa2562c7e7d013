#!/usr/bin/env node
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { AGENCIES, ALL_UNIT_KINDS, documentHash, unitOrAgencyWide, type Agency, type UnitKind } from 'correction-chaincode/domain';
import type { JWK } from 'jose';
import { backupDataDir, BackupError, restoreDataDir } from './backup/data-backup.js';
import { ConfigError, loadConfig } from './config.js';
import { addToDirectory, DirectoryError } from './directory-file.js';
import { DIRECTORY_MEMBERS } from './http/directory.js';
import { createGateway } from './gateway.js';
import { devKeyPaths, ensureDevKeys, mintDevToken, ROLES, type Role } from './keys.js';
import { DOCUMENT_KEY_FILE, readKeyFile } from './key-files.js';
import { auditEmbeddedLedger, type AuditPhase, type AuditProgress } from './ledger/embedded/audit.js';
import { EmbeddedLedger } from './ledger/embedded/embedded-ledger.js';
import { maintenanceOf, pauseLedger, resumeLedger } from './ledger/embedded/maintenance.js';
import type { AuditProblem, AuditReport } from './services/correction-service.js';
import { createSealer } from './store/sealer.js';
import { readTrust, verifyReceipt } from './services/receipts.js';
import { parseTrustFile, verifyEvidence } from 'correction-verifier';
import { fabricTrustFromConfigBlock, verifyFabricBlock } from 'correction-verifier/fabric';
import { hashFile } from 'correction-verifier/file-hash';
import { VERSION } from './version.js';
import { createLogger } from './logger.js';
import { ensureWitnessKey } from './witness/witness-key.js';
import { WitnessState } from './witness/witness-state.js';
import { Witness } from './witness/witness.js';
import { listenWitness, witnessApp } from './witness/witness-server.js';
import { runDemo } from './demo.js';

// Everything this program creates — the data directory, LevelDB's files, keys — is for its user
// alone. LevelDB creates its files itself, so the process umask is what reaches all of them.
process.umask(0o077);

const program = new Command()
  .name('correction-ledger')
  .description('Community-correction events on one consortium ledger of court, procuratorate, police and justice bureaus')
  .version(VERSION);

const agencyOption = () =>
  new Option('--agency <agency>', 'agency').choices([...AGENCIES]).makeOptionMandatory();
const dataDirOption = () => new Option('--data-dir <dir>', 'data directory').default(process.env['DATA_DIR'] ?? './data');

program
  .command('serve')
  .description('start the REST gateway (configured from the environment: PORT, DATA_DIR, LEDGER, …)')
  .action(async () => {
    const config = loadConfig(process.env);
    const gateway = await createGateway(config);
    const port = await gateway.listen();
    const url = `http://${config.host}:${port}`;
    gateway.logger.info({ url, ledger: config.ledger, dataDir: config.dataDir, devMode: config.devMode }, 'gateway listening');
    if (config.devMode) {
      process.stderr.write(
        `\ncorrection-ledger gateway on ${url} (ledger: ${config.ledger}, data: ${config.dataDir})\n` +
          (gateway.createdDevKeys ? `Created dev keys under ${devKeyPaths(config.dataDir).dir}.\n` : '') +
          `Mint a dev token:  npm run -s cli -- token --agency COURT --role clerk\n` +
          `API docs:          ${url}/docs\n\n`,
      );
    }
    const stop = async (signal: string) => {
      gateway.logger.info({ signal }, 'shutting down');
      await gateway.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });

program
  .command('token')
  .description('print a dev bearer token signed with an agency key from the data directory')
  .addOption(agencyOption())
  .addOption(new Option('--role <role>', 'role').choices([...ROLES]).default('clerk'))
  .option('--sub <user>', 'user id (sub claim)', 'dev-user')
  .option('--unit <code>', 'the unit the user acts for: a division code of 2, 4, 6 or 9 digits (default: the whole agency)')
  .addOption(new Option('--unit-kind <kind>', "the unit's kind (default: the agency's first)").choices([...ALL_UNIT_KINDS]))
  .option('--expires <duration>', 'lifetime, e.g. 8h or 30m', '8h')
  .addOption(dataDirOption())
  .action(async (options: { agency: Agency; role: Role; sub: string; unit?: string; unitKind?: UnitKind; expires: string; dataDir: string }) => {
    if (options.unit !== undefined && !unitOrAgencyWide.safeParse(options.unit).success) throw new InvalidArgumentError(`--unit ${options.unit}: must be a division code of 2, 4, 6 or 9 digits, or *`);
    const dataDir = resolve(options.dataDir);
    await ensureDevKeys(dataDir);
    const { agency, role, sub, unit, unitKind } = options;
    const token = await mintDevToken(dataDir, { agency, role, sub, unit, unitKind, expiresIn: options.expires });
    process.stdout.write(`${token}\n`);
  });

const directory = program.command('directory').description("an agency's directory of user keys (the JWKS of TOKEN_JWKS): which unit and roles each key's tokens may claim");

directory
  .command('add')
  .description("register a user's public key (a JWK file, ES256) for a unit of an agency, in some roles; prints its kid")
  .requiredOption('--jwk <file>', 'the public key, as a JWK (a private one is refused)')
  .addOption(agencyOption())
  .requiredOption('--unit <code>', 'the unit the key is issued for: a division code of 2, 4, 6 or 9 digits, or * for the whole agency')
  .addOption(new Option('--unit-kind <kind>', "the unit's kind (default: the agency's first)").choices([...ALL_UNIT_KINDS]))
  .requiredOption('--role <roles>', `roles its tokens may claim, comma-separated (${ROLES.join(', ')})`)
  .option('--directory <file>', 'the directory (JWKS) file to add to (default: the dev one in --data-dir)')
  .addOption(dataDirOption())
  .action(async (options: { jwk: string; agency: Agency; unit: string; unitKind?: UnitKind; role: string; directory?: string; dataDir: string }) => {
    const jwk = JSON.parse(await readFile(options.jwk, 'utf8')) as JWK;
    const members = DIRECTORY_MEMBERS.safeParse({
      agency: options.agency, unit: options.unit, roles: options.role.split(',').map((r) => r.trim()), ...(options.unitKind ? { unitKind: options.unitKind } : {}),
    });
    if (!members.success) throw new InvalidArgumentError(members.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const file = options.directory ?? devKeyPaths(resolve(options.dataDir)).jwks;
    const kid = await addToDirectory(file, jwk, members.data);
    process.stdout.write(`${kid}\n`);
  });

program
  .command('verify')
  .description('verify a document or a file (a judgment PDF …) against its entry through a running gateway, or a receipt offline')
  .option('--url <url>', 'gateway URL', 'http://127.0.0.1:8080')
  .option('--entry <id>', 'entry id the document belongs to')
  .option('--document <file>', 'the document (JSON file)')
  .option('--file <file>', 'a file, to tell which attachment of the entry it is (sent to the gateway, hashed there, not kept)')
  .option('--receipt <jws>', 'a receipt returned by POST /v1/events')
  .option('--trust <file>', 'the consortium trust file (agency gateway keys; default: the dev one in --data-dir)')
  .option('--token <jwt>', 'bearer token (default: a dev auditor token from --data-dir)')
  .addOption(dataDirOption())
  .action(async (options: VerifyOptions) => {
    if (!options.receipt && !(options.entry && (options.document ?? options.file))) {
      throw new InvalidArgumentError('give --entry with --document or --file, or --receipt');
    }
    const dataDir = resolve(options.dataDir);
    const checks = new CheckReport();
    const api = gatewayApi(options, dataDir);
    if (options.receipt) await verifyReceiptAgainstLedger(options.receipt, options.trust ?? devKeyPaths(dataDir).trust, api, checks);
    if (options.entry) await verifyAgainstEntry(options.entry, options, api, checks);
    process.exitCode = checks.failed ? 1 : 0;
  });

interface VerifyOptions {
  url: string;
  entry?: string;
  document?: string;
  file?: string;
  receipt?: string;
  trust?: string;
  token?: string;
  dataDir: string;
}

/** Prints one PASS or FAIL line per check, and remembers whether any failed. */
class CheckReport {
  failed = false;

  add(name: string, ok: boolean, detail = ''): void {
    this.failed ||= !ok;
    process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `  ${detail}` : ''}\n`);
  }
}

/** A JSON body, or a file streamed as the body. */
type GatewayApi = (path: string, body?: unknown, file?: string) => Promise<Record<string, unknown>>;

/** Calls a running gateway with the given token, or a short-lived dev auditor token. */
function gatewayApi(options: VerifyOptions, dataDir: string): GatewayApi {
  const token = async () => options.token ?? mintDevToken(dataDir, { agency: 'PROCURATORATE', role: 'auditor', sub: 'cli-verify', expiresIn: '5m' });
  return async (path, body, file) => {
    const payload = file === undefined ? (body === undefined ? {} : { body: JSON.stringify(body) }) : { body: Readable.toWeb(createReadStream(file)) as ReadableStream, duplex: 'half' as const };
    const response = await fetch(new URL(path, options.url), {
      method: body === undefined && file === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${await token()}`, 'content-type': file === undefined ? 'application/json' : 'application/octet-stream' },
      ...payload,
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${response.status} ${String(json['code'])}: ${String(json['detail'])}`);
    return json;
  };
}

/** The receipt is signed by the recording agency's gateway, and names the entry the ledger holds. */
async function verifyReceiptAgainstLedger(receipt: string, trustPath: string, api: GatewayApi, checks: CheckReport): Promise<void> {
  try {
    const claims = await verifyReceipt(receipt.trim(), await readTrust(trustPath));
    checks.add('receipt signature', true, `entry ${claims.entryId}, tx ${claims.txId}`);
    const { entry } = (await api(`/v1/entries/${claims.entryId}`)) as { entry: { hash: string } };
    checks.add('receipt matches the ledger entry', entry.hash === claims.entryHash);
  } catch (error) {
    checks.add('receipt', false, error instanceof Error ? error.message : String(error));
  }
}

/** The gateway's checks of the document's hash against the entry. */
async function verifyDocumentAgainstEntry(entryId: string, documentPath: string, api: GatewayApi, checks: CheckReport): Promise<void> {
  const document = JSON.parse(await readFile(documentPath, 'utf8')) as unknown;
  const result = (await api('/v1/verify', { entryId, docHash: documentHash(document) })) as {
    checks: Record<string, boolean>;
  };
  for (const [check, ok] of Object.entries(result.checks)) checks.add(check, ok);
}

/** The document, the file, or both, against the entry. */
async function verifyAgainstEntry(entryId: string, options: VerifyOptions, api: GatewayApi, checks: CheckReport): Promise<void> {
  if (options.document) await verifyDocumentAgainstEntry(entryId, options.document, api, checks);
  if (options.file) await verifyFileAgainstEntry(entryId, options.file, api, checks);
}

/** Which attachment of the entry the file is: the gateway hashes it as it streams, and keeps nothing. */
async function verifyFileAgainstEntry(entryId: string, filePath: string, api: GatewayApi, checks: CheckReport): Promise<void> {
  const match = (await api(`/v1/verify?entry=${entryId}`, undefined, filePath)) as { hash: string; matches: boolean; attachment?: { index: number; title?: string } };
  const which = match.attachment ? `attachment ${String(match.attachment.index)}${match.attachment.title === undefined ? '' : ` (${match.attachment.title})`}, ` : '';
  checks.add('file is an attachment of the entry', match.matches, `${which}sha256 ${match.hash}`);
}

program
  .command('trust')
  .description('print the consortium trust file: the log origin, every agency\'s gateway and note keys, witnesses and policy, and with --fabric-config-block the channel\'s MSP roots and orderers')
  .addOption(dataDirOption())
  .option('--fabric-config-block <file>', "the channel's configuration block (e.g. .network/config/corrections.block)")
  .action(async (options: { dataDir: string; fabricConfigBlock?: string }) => {
    const trust = await readTrust(devKeyPaths(resolve(options.dataDir)).trust);
    const fabric = options.fabricConfigBlock ? fabricTrustFromConfigBlock(await readFile(options.fabricConfigBlock)) : undefined;
    // What is printed is a trust file a verifier accepts, or nothing.
    const printed = parseTrustFile({ ...trust, ...(fabric ? { fabric } : {}) });
    process.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
  });

program
  .command('verify-evidence')
  .description('check an evidence bundle offline against the consortium trust file; exit 0 only if every check passes')
  .argument('<bundle>', 'evidence bundle (JSON) from GET /v1/entries/{id}/evidence')
  .argument('[document]', 'the document itself (JSON), to check against the entry')
  .option('--trust <file>', 'consortium trust file (default: the dev one in --data-dir)')
  .option('--attachment <file>', 'a file (a judgment PDF …), to check that the entry lists it among its attachments')
  .addOption(dataDirOption())
  .action(async (bundlePath: string, documentPath: string | undefined, options: { trust?: string; attachment?: string; dataDir: string }) => {
    const bundle = JSON.parse(await readFile(bundlePath, 'utf8')) as unknown;
    const trust = await readTrust(options.trust ?? devKeyPaths(resolve(options.dataDir)).trust);
    const document = documentPath ? (JSON.parse(await readFile(documentPath, 'utf8')) as unknown) : undefined;
    const attachment = options.attachment ? await hashFile(options.attachment) : undefined;
    const verdict = await verifyEvidence(bundle, trust, {
      ...(document === undefined ? {} : { document }),
      ...(attachment === undefined ? {} : { attachment }),
      fabricCheck: verifyFabricBlock,
    });
    for (const check of verdict.checks) process.stdout.write(`${check.status}  ${check.name}: ${check.detail}\n`);
    process.stdout.write(verdict.ok ? 'evidence verified\n' : 'evidence NOT verified\n');
    process.exitCode = verdict.ok ? 0 : 1;
  });

program
  .command('audit')
  .description('audit the embedded ledger from its files (blocks, subject chains, statuses, documents opened with the document key), or with --fabric the whole Fabric channel through the agency\'s peer')
  .addOption(dataDirOption())
  .option('--document-key <file>', 'the gateway\'s document key file (default: DOCUMENT_KEY, or the dev key in --data-dir)')
  .option('--fabric', 'audit the Fabric channel: every block (hash chain, data hash, orderer signatures), every entry against its subject chain, the world state and the gateway\'s Merkle log; resumable')
  .option('--connection <file>', 'with --fabric: the gateway\'s Fabric connection settings (default: FABRIC_CONNECTION)')
  .option('--restart', 'with --fabric: start over from block 0 instead of continuing from the checkpoint in --data-dir')
  .option('--json', 'print the report as JSON')
  .action(async (options: { dataDir: string; documentKey?: string; fabric?: boolean; connection?: string; restart?: boolean; json?: boolean }) => {
    const dataDir = resolve(options.dataDir);
    if (options.fabric) {
      process.exitCode = await auditFabric(dataDir, options);
      return;
    }
    const keyFile = options.documentKey ?? process.env['DOCUMENT_KEY'] ?? devKeyPaths(dataDir).documentKey;
    const ledger = await openForAudit(dataDir, keyFile);
    const progress = new ProgressBars(process.stderr.isTTY && !options.json);
    try {
      const report = await auditEmbeddedLedger(ledger, progress.update);
      progress.stop();
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : auditSummary(report));
      process.exitCode = report.ok ? 0 : 1;
    } finally {
      await ledger.close();
    }
  });

program
  .command('backup')
  .description('write a gzipped tar of a stopped gateway\'s data directory (refused while a gateway holds it); the document key kept outside it is backed up apart')
  .addOption(dataDirOption())
  .requiredOption('--out <file>', 'the archive to write (not overwritten)')
  .action(async (options: { dataDir: string; out: string }) => {
    const bar = progressBar('backing up', process.stderr.isTTY);
    const summary = await backupDataDir(resolve(options.dataDir), resolve(options.out), bar.update).finally(bar.stop);
    process.stdout.write(`backed up ${String(summary.files)} files (${String(summary.bytes)} bytes) to ${options.out} (${String(summary.archiveBytes)} bytes)\n`);
  });

program
  .command('restore')
  .description('restore a backup into a new or empty data directory (whole, or not at all); then audit it')
  .requiredOption('--from <file>', 'the archive a backup wrote')
  .addOption(dataDirOption())
  .action(async (options: { from: string; dataDir: string }) => {
    const bar = progressBar('restoring', process.stderr.isTTY);
    const summary = await restoreDataDir(resolve(options.from), resolve(options.dataDir), bar.update).finally(bar.stop);
    process.stdout.write(`restored ${String(summary.files)} files (${String(summary.bytes)} bytes) into ${options.dataDir}\n`);
  });

/** A progress bar on stderr (only on a terminal): update(done, total) in bytes, and stop. */
function progressBar(what: string, interactive: boolean): { update: (done: number, total: number) => void; stop: () => void } {
  if (!interactive) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: `${what} [{bar}] {percentage}% {value}/{total} bytes`, stream: process.stderr }, Presets.shades_classic);
  let started = false;
  return {
    update: (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** `audit --fabric`: the channel through the peer of the gateway's connection settings. */
async function auditFabric(dataDir: string, options: { connection?: string; restart?: boolean; json?: boolean }): Promise<number> {
  const connection = options.connection ?? process.env['FABRIC_CONNECTION'];
  if (!connection) throw new InvalidArgumentError('give --connection with the gateway\'s Fabric connection settings, or set FABRIC_CONNECTION');
  const { fabricAuditCommand } = await import('./ledger/fabric/audit/audit-command.js');
  return fabricAuditCommand({ connection, dataDir, restart: options.restart ?? false, json: options.json ?? false, interactive: process.stderr.isTTY });
}

async function openForAudit(dataDir: string, keyFile: string): Promise<EmbeddedLedger> {
  const key = await readKeyFile(DOCUMENT_KEY_FILE, keyFile).catch((error: unknown) => {
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw missing ? new Error(`cannot read the document key ${keyFile}: give --document-key or DOCUMENT_KEY`) : error;
  });
  return EmbeddedLedger.open({ dataDir, sealer: createSealer(key) }).catch((error: unknown) => {
    const locked = (error as { code?: string; cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED';
    throw new Error(locked ? 'the ledger is in use: stop the gateway first' : `cannot open the ledger: ${String(error)}`);
  });
}

/** One progress bar per audit phase on stderr; a new phase stops the bars before it. */
class ProgressBars {
  readonly #bars = new Map<AuditPhase, SingleBar>();
  readonly #interactive: boolean;

  constructor(interactive: boolean) {
    this.#interactive = interactive;
  }

  readonly update: AuditProgress = (phase, done, total) => {
    let bar = this.#bars.get(phase);
    if (!bar) {
      this.stop();
      bar = new SingleBar({ format: `${phase.padEnd(8)} [{bar}] {percentage}% {value}/{total} {eta_formatted}`, noTTYOutput: !this.#interactive, stream: process.stderr }, Presets.shades_classic);
      bar.start(total, 0);
      this.#bars.set(phase, bar);
    }
    bar.setTotal(total);
    bar.update(done);
  };

  stop(): void {
    for (const bar of this.#bars.values()) bar.stop();
  }
}

/** The audit report for a person: totals, then one line per problem. */
function auditSummary(report: AuditReport): string {
  const verdict = report.ok ? 'intact' : `${report.problems.length} problem(s)`;
  const lines = [`blocks ${report.blocks ?? 0}, subjects ${report.subjects}, entries ${report.entries}: ${verdict}\n`];
  for (const p of report.problems) lines.push(`  ${p.kind}  ${problemLocation(p)}: ${p.detail}\n`);
  return lines.join('');
}

function problemLocation(p: AuditProblem): string {
  return [p.block !== undefined ? `block ${p.block}` : '', p.entryId ? `entry ${p.entryId}` : '', p.subjectRef ? `subject ${p.subjectRef.slice(0, 16)}…` : '']
    .filter(Boolean)
    .join(', ');
}

program
  .command('witness')
  .description('run a C2SP witness (e.g. for a notary office): cosigns checkpoints that a quorum of agencies signed and that extend the last one it cosigned')
  .option('--data-dir <dir>', 'the witness\'s own key and state', './witness-data')
  .option('--trust <files...>', 'trust files of the logs it witnesses (their origins, agency keys and quorum)')
  .option('--name <name>', 'key name, on first start (e.g. notary.example/witness)', 'witness.correction-ledger.invalid')
  .option('--host <host>', 'listening address', '127.0.0.1')
  .option('--port <port>', 'listening port (0: a free one)', (v) => Number.parseInt(v, 10), 8090)
  .option('--print-key', 'print the witness\'s verifier key (for trust files) and exit')
  .action(async (options: WitnessCommandOptions) => {
    await runWitness(options);
  });

program
  .command('pause')
  .description('pause the embedded ledger for maintenance (a running gateway too): it takes no transactions, reads go on, keyed writes wait in the outbox')
  .addOption(dataDirOption())
  .option('--reason <text>', 'why, for whoever looks', 'maintenance')
  .action(async (options: { dataDir: string; reason: string }) => {
    const maintenance = await pauseLedger(resolve(options.dataDir), options.reason);
    process.stdout.write(`ledger paused since ${maintenance.since}: ${maintenance.reason}\n`);
  });

program
  .command('resume')
  .description('end the maintenance: the ledger takes transactions again and the outbox drains')
  .addOption(dataDirOption())
  .action(async (options: { dataDir: string }) => {
    const dataDir = resolve(options.dataDir);
    const paused = maintenanceOf(dataDir);
    process.stdout.write((await resumeLedger(dataDir)) ? `ledger resumed (paused since ${paused?.since ?? 'unknown'})\n` : 'the ledger was not paused\n');
  });

program
  .command('demo')
  .description('record a realistic ledger through the REST API of a running gateway')
  .option('--url <url>', 'gateway URL', 'http://127.0.0.1:8080')
  .addOption(dataDirOption())
  .option('--subjects <n>', 'number of subjects', (v) => Number.parseInt(v, 10), 24)
  .action(async (options: { url: string; dataDir: string; subjects: number }) => {
    await runDemo({ url: options.url, dataDir: resolve(options.dataDir), subjects: options.subjects });
  });

interface WitnessCommandOptions {
  dataDir: string;
  trust?: string[];
  name: string;
  host: string;
  port: number;
  printKey?: boolean;
}

/** The witness's key, made on its first start; its state beside it. */
async function runWitness(options: WitnessCommandOptions): Promise<void> {
  const dataDir = resolve(options.dataDir);
  const signer = await ensureWitnessKey(dataDir, options.name);
  if (options.printKey) {
    process.stdout.write(`${signer.vkey}\n`);
    return;
  }
  if (!options.trust?.length) throw new InvalidArgumentError('give --trust with the trust file of each log to witness');
  const logs = await Promise.all(options.trust.map((path) => readTrust(path)));
  const state = await WitnessState.open(dataDir);
  const witness = new Witness({ signer, logs, state });
  const logger = createLogger(process.env['LOG_LEVEL'] ?? 'info');
  const { server, port } = await listenWitness(witnessApp(witness, logger), options.host, options.port);
  logger.info({ url: `http://${options.host}:${port}`, vkey: signer.vkey, origins: logs.map((l) => l.origin) }, 'witness listening');
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void state.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DirectoryError || error instanceof BackupError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`correction-ledger: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
