/**
 * The floor of the card-callback bench: what any bot must spend on a click, with nothing of liancha's bot in it. A
 * plain `node:http` server that reads the body, checks Feishu's signature over it (`signBody`, as the simulator signs:
 * SHA-256 of timestamp, nonce, Encrypt Key and the raw body), decrypts it (AES-256-CBC, key SHA-256 of the Encrypt Key), parses the payload and answers
 * one fixed JSON of the size liancha answers (a toast and the assignment card) — no timestamp window, no token, no
 * database, no authorization, no card built. Served the same load as the bot, its CPU per request is the floor the
 * bot's is shown next to. A GET (the bench's readiness probe) is answered 200 and nothing else.
 *
 * Run as its own process, as the bench does: `node --import tsx bench/callback-floor.ts PORT ENCRYPT_KEY ANSWER_FILE`.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { signBody } from '../src/sim/feishu/events.ts';

export function listenCallbackFloor(encryptKey: string, answer: string, port = 0): Promise<Server> {
  const key = createHash('sha256').update(encryptKey).digest();
  const body = Buffer.from(answer, 'utf8');
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': body.byteLength };
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200).end('ok');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => String(req.headers[name] ?? '');
      const expected = signBody(
        header('x-lark-request-timestamp'),
        header('x-lark-request-nonce'),
        encryptKey,
        text,
      );
      if (header('x-lark-signature') !== expected) {
        res.writeHead(401).end();
        return;
      }
      const data = Buffer.from((JSON.parse(text) as { encrypt: string }).encrypt, 'base64');
      const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, 16));
      JSON.parse(Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8'));
      res.writeHead(200, headers).end(body);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [port, encryptKey, answerFile] = process.argv.slice(2);
  const server = await listenCallbackFloor(encryptKey!, readFileSync(answerFile!, 'utf8'), Number(port));
  process.once('SIGTERM', () => server.close());
}
