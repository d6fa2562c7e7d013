import { execFile, spawn } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { tempDir } from '../support/temp.js';

const exec = promisify(execFile);
const RUNNER = fileURLToPath(new URL('../drills/run.js', import.meta.url));

/** Child processes of `pid`, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // The command may hold spaces and parentheses: the fields after its closing one are fixed.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Whether a process runs (a zombie, killed and not yet reaped, does not). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('npm run drills', function () {
  this.timeout(120_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(() => tmp.remove());

  it('runs the drills named, prints their table, writes the run as JSON and leaves no data behind', async () => {
    const { stdout } = await exec(process.execPath, [RUNNER, '--fast', '--only', 'bad-input'], { env: { ...process.env, TMPDIR: tmp.path } });
    expect(stdout).to.match(/^\| drill +\| what was measured +\| result +\| target +\| PASS\/FAIL \|$/m);
    expect(stdout).to.match(/^\| bad-input +\| hostile requests answered as expected +\| (\d+) of \1 +\| all +\| PASS +\|$/m);
    expect(stdout).to.match(/^1 passed, 0 failed$/m);
    const file = /^results: (.*drills-[\dT-]+\.json)$/m.exec(stdout)?.[1] ?? '';
    const run = JSON.parse(await readFile(file, 'utf8')) as { ok: boolean; fast: boolean; drills: Array<{ name: string }> };
    await rm(file);
    expect(run).to.include({ ok: true, fast: true });
    expect(run.drills.map((d) => d.name)).to.deep.equal(['bad-input']);
    expect(await readdir(tmp.path)).to.deep.equal([]);
  });

  it('refuses a drill it does not have, naming those it has', async () => {
    const failed = await exec(process.execPath, [RUNNER, '--only', 'bad-input,teleport']).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failed?.code).to.equal(2);
    expect(failed?.stderr).to.include('unknown drill teleport; the drills are: concurrent-writers, bad-input, forged-tokens, flood, kill-under-load, outbox-drain, ssrf-targets, soak');
  });

  it('on Ctrl-C kills the gateways it started and removes their data', async () => {
    const runner = spawn(process.execPath, [RUNNER, '--fast', '--only', 'soak'], { env: { ...process.env, TMPDIR: tmp.path }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    runner.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => {
      runner.once('exit', (code) => {
        resolve(code);
      });
    });
    const pid = runner.pid ?? 0;
    // Under load: the soak's gateway runs and holds its data directory.
    await waitFor(() => output.includes('soaking at'), 'the soak started');
    const gateways = childrenOf(pid);
    expect(gateways).to.have.length.greaterThan(0);
    expect((await readdir(tmp.path)).filter((name) => name.startsWith('drill-gateway-'))).to.have.length(1);
    runner.kill('SIGINT');
    expect(await exited).to.equal(130);
    await waitFor(() => gateways.every((child) => !alive(child)), 'the gateways were killed', 10_000);
    expect(await readdir(tmp.path)).to.deep.equal([]);
  });
});
