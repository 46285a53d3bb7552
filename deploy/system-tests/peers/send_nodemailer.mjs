// Submits one raw message through Sluice's ingress with nodemailer's SMTP transport (pooled off,
// plain SMTP on loopback) and prints the server's final reply, e.g. "250 2.0.0 Ok: queued as ...".
// Usage: node send_nodemailer.mjs <port> <from> <to> <file>
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';

const [port, from, to, file] = process.argv.slice(2);
const transport = nodemailer.createTransport({
  host: '127.0.0.1',
  port: Number(port),
  secure: false,
  ignoreTLS: true,
  name: 'nodemailer.systemtest',
});
const info = await transport.sendMail({ envelope: { from, to: [to] }, raw: readFileSync(file) });
console.log(info.response);
