import { connect } from 'node:net';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { keptFiles } from '../support/files.js';
import { mintDevToken } from '../../gateway/src/keys.js';
import { startChildGateway, type ChildGateway } from '../support/child-gateway.js';
import { samplePdf, sha256 } from '../support/sample-files.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/until.js';

/** Waits until `condition` holds, checking every 20 ms, for at most `ms`. */
/** A gateway killed (SIGKILL) while a file streams in: nothing half-written is ever visible. */
describe('documents: kill -9 mid-upload', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let gateway: ChildGateway | undefined;

  before(async () => {
    dir = await tempDir('documents-crash-');
  });
  after(async () => {
    await gateway?.stop();
    await dir.remove();
  });

  it('leaves only a temporary file, never a file under its hash, and the store opens clean after', async () => {
    gateway = await startChildGateway(dir.path);
    const token = await mintDevToken(dir.path, { agency: 'COURT', role: 'clerk', sub: 'crash', expiresIn: '5m' });
    const bytes = samplePdf(4 * 1_048_576);
    const files = join(dir.path, 'files');
    const temporaries = () => readdir(join(files, 'tmp'));
    const { port } = new URL(gateway.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/pdf\r\nContent-Length: ${String(bytes.length)}\r\n\r\n`);
    socket.write(bytes.subarray(0, 3 * 1_048_576));
    // Killed once some of the file is on disk: the sealer has flushed at least one batch.
    await until(async () => {
      const names = await temporaries();
      return names.length === 1 && (await stat(join(files, 'tmp', names[0] ?? ''))).size > 1_048_576;
    }, 'part of the file on disk');
    await gateway.kill9();
    socket.destroy();

    expect(await keptFiles(files)).to.deep.equal([]);
    expect(await temporaries()).to.have.length(1);

    gateway = await startChildGateway(dir.path);
    expect(await temporaries()).to.deep.equal([]);
    expect(await keptFiles(files)).to.deep.equal([]);
    const again = await fetch(`${gateway.url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' }, body: bytes });
    expect(again.status).to.equal(201);
    expect(await again.json()).to.deep.equal({ hash: sha256(bytes), size: bytes.length, mediaType: 'application/pdf' });
  });
});
