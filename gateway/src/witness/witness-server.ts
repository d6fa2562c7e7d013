import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import getRawBody from 'raw-body';
import type { Logger } from '../logger.js';
import type { Witness } from './witness.js';

/** A submission is a checkpoint and at most 63 proof lines: a few kilobytes. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The witness over HTTP (c2sp.org/tlog-witness): POST /add-checkpoint answers 200 with its
 * cosignature line, 409 with the size it holds (text/x.tlog.size), or 400/403/404/422 with a
 * reason; GET /<SHA-256 of the origin, hex>/checkpoint serves the latest checkpoint it cosigned.
 */
export function witnessApp(witness: Witness, logger?: Logger): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.post('/add-checkpoint', async (req: Request, res: Response) => {
    let body: string;
    try {
      body = await getRawBody(req, { limit: MAX_BODY_BYTES, encoding: 'utf8' });
    } catch {
      res.status(413).type('text/plain').send('the submission is too large\n');
      return;
    }
    const result = await witness.addCheckpoint(body);
    if (result.status === 200) {
      res.status(200).type('text/plain; charset=utf-8').send(result.cosignatures);
    } else if (result.status === 409) {
      res.status(409).type('text/x.tlog.size').send(`${result.size}\n`);
    } else {
      if (result.status === 422) logger?.warn({ reason: result.reason }, 'refused an inconsistent checkpoint');
      res.status(result.status).type('text/plain; charset=utf-8').send(`${result.reason}\n`);
    }
  });
  app.get('/:originHash/checkpoint', async (req: Request<{ originHash: string }>, res: Response) => {
    const note = /^[0-9a-f]{64}$/.test(req.params.originHash) ? await witness.latestByOriginHash(req.params.originHash) : undefined;
    if (note === undefined) res.status(404).type('text/plain').send('no checkpoint of that log\n');
    else res.status(200).type('text/plain; charset=utf-8').set('Cache-Control', 'max-age=5').send(note);
  });
  app.use((_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('not found\n');
  });
  return app;
}

/** Listens on host:port (0 picks a free one); resolves with the server and its port. */
export function listenWitness(app: express.Express, host: string, port: number): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.keepAliveTimeout = 65_000;
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}
