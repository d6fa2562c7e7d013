import { randomBytes } from 'node:crypto';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../gateway/src/config.js';
import { problemsOf } from '../support/config-problems.js';
import { tempDir } from '../support/temp.js';


async function keyFile(path: string, hex = randomBytes(32).toString('hex'), mode = 0o600): Promise<string> {
  await writeFile(path, `${hex}\n`, { mode });
  await chmod(path, mode);
  return path;
}

describe('key files', () => {
  let root: Awaited<ReturnType<typeof tempDir>>;
  let dataDir: string;
  let keysDir: string;
  let base: Record<string, string>;

  beforeEach(async () => {
    root = await tempDir();
    dataDir = join(root.path, 'data');
    keysDir = join(root.path, 'keys');
    await mkdir(dataDir, { mode: 0o700 });
    await mkdir(keysDir, { mode: 0o700 });
    // Outside dev mode; the other key variables are only paths to loadConfig.
    base = {
      DATA_DIR: dataDir,
      DEV_MODE: 'false',
      TOKEN_JWKS: join(keysDir, 'agencies.jwks.json'),
      RECEIPT_KEY: join(keysDir, 'court.private.jwk'),
      NOTE_KEY: join(keysDir, 'court.note.key'),
      TRUST_FILE: join(keysDir, 'trust.json'),
      AGENCY: 'COURT',
      SUBJECT_KEY: await keyFile(join(keysDir, 'subject.key')),
      DOCUMENT_KEY: await keyFile(join(keysDir, 'document.key')),
    };
  });
  afterEach(() => root.remove());

  it('accepts key files outside DATA_DIR that only their owner may read', () => {
    const config = loadConfig(base);
    expect(config.subjectKeyFile).to.equal(base['SUBJECT_KEY']);
    expect(config.documentKeyFile).to.equal(base['DOCUMENT_KEY']);
  });

  it('requires SUBJECT_KEY and DOCUMENT_KEY outside dev mode', () => {
    const { SUBJECT_KEY: _subject, DOCUMENT_KEY: _document, ...rest } = base;
    expect(problemsOf(rest)).to.include.members(['SUBJECT_KEY: required outside dev mode', 'DOCUMENT_KEY: required outside dev mode']);
  });

  it('uses the dev keys under DATA_DIR/keys in dev mode', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.subjectKeyFile).to.equal(join(dataDir, 'keys', 'subject.key'));
    expect(config.documentKeyFile).to.equal(join(dataDir, 'keys', 'document.key'));
  });

  it('refuses key files inside DATA_DIR, naming each variable', async () => {
    const problems = problemsOf({ ...base, SUBJECT_KEY: await keyFile(join(dataDir, 'subject.key')), DOCUMENT_KEY: await keyFile(join(dataDir, 'document.key')) });
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/^SUBJECT_KEY: .*inside DATA_DIR/);
    expect(problems[1]).to.match(/^DOCUMENT_KEY: .*inside DATA_DIR/);
  });

  it('refuses a key file that is a symbolic link into DATA_DIR', async () => {
    await symlink(await keyFile(join(dataDir, 'document.key')), join(keysDir, 'linked-document.key'));
    expect(problemsOf({ ...base, DOCUMENT_KEY: join(keysDir, 'linked-document.key') })).to.deep.equal([
      `DOCUMENT_KEY: the key file ${join(keysDir, 'linked-document.key')} lies inside DATA_DIR (through a symbolic link); keep keys apart from the data they protect`,
    ]);
  });

  it('refuses key files when DATA_DIR is a symbolic link to the folder that holds them', async () => {
    const linkedData = join(root.path, 'data-link');
    await symlink(keysDir, linkedData);
    const problems = problemsOf({ ...base, DATA_DIR: linkedData });
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/^SUBJECT_KEY: .*inside DATA_DIR \(through a symbolic link\)/);
    expect(problems[1]).to.match(/^DOCUMENT_KEY: .*inside DATA_DIR \(through a symbolic link\)/);
  });

  it('refuses a key file that group or others may read, naming its mode', async () => {
    await chmod(base['SUBJECT_KEY'] ?? '', 0o640);
    await chmod(base['DOCUMENT_KEY'] ?? '', 0o604);
    expect(problemsOf(base)).to.deep.equal([
      `SUBJECT_KEY: the key file ${base['SUBJECT_KEY'] ?? ''} is open to group or others (mode 0640); chmod 600 it`,
      `DOCUMENT_KEY: the key file ${base['DOCUMENT_KEY'] ?? ''} is open to group or others (mode 0604); chmod 600 it`,
    ]);
  });

  it('lists every problem at once: a key inside DATA_DIR, a readable key, a missing variable', async () => {
    await chmod(base['DOCUMENT_KEY'] ?? '', 0o644);
    const { TOKEN_JWKS: _jwks, ...rest } = base;
    const problems = problemsOf({ ...rest, SUBJECT_KEY: await keyFile(join(dataDir, 'subject.key')) });
    expect(problems.map((p) => p.split(':')[0])).to.have.members(['TOKEN_JWKS', 'SUBJECT_KEY', 'DOCUMENT_KEY']);
  });

  it('refuses a file that holds no key of the right size, without echoing what it holds', async () => {
    const short = randomBytes(16).toString('hex');
    const problems = problemsOf({ ...base, DOCUMENT_KEY: await keyFile(join(keysDir, 'short.key'), short), SUBJECT_KEY: await keyFile(join(keysDir, 'text.key'), 'not a key') });
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/^SUBJECT_KEY: .* must hold 32 to 256 bytes as hex/);
    expect(problems[1]).to.match(/^DOCUMENT_KEY: .* must hold exactly 32 bytes as hex/);
    expect(problems.join('\n')).to.not.include(short).and.to.not.include('not a key');
  });

  it('tells a key given in place of a file path, without printing it', () => {
    const hex = randomBytes(32).toString('hex');
    const problems = problemsOf({ ...base, SUBJECT_KEY: hex });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^SUBJECT_KEY: names a key file, and this value looks like a key itself/);
    expect(problems[0]).to.not.include(hex);
  });

  it('names a key file that does not exist', () => {
    const missing = join(keysDir, 'missing.key');
    expect(problemsOf({ ...base, DOCUMENT_KEY: missing })).to.deep.equal([`DOCUMENT_KEY: cannot read the key file ${missing} (ENOENT)`]);
  });
});
