import { parseMail } from '../shared/adapters/mime/parse-mail';

/** Runs in its own process with a 256 MB heap (see mime.ts): parses a 5 MB message a few times. */
function fiveMegabyteMessage(): Buffer {
  const attachment = Buffer.alloc(3.6 * 1024 * 1024, 7)
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  const html = `<html><body>${'<p>Lorem ipsum dolor sit amet.</p>'.repeat(4000)}<p>Your code is <b>482913</b></p></body></html>`;
  return Buffer.from(
    [
      'From: Vendor <no-reply@vendor.example>',
      'Subject: Your verification code',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary="inner"',
      '',
      '--inner',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Your code is 482913',
      '--inner',
      'Content-Type: text/html; charset=utf-8',
      '',
      html,
      '--inner--',
      '--outer',
      'Content-Type: application/octet-stream; name="statement.pdf"',
      'Content-Disposition: attachment; filename="statement.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      attachment,
      '--outer--',
      '',
    ].join('\r\n'),
  );
}

const raw = fiveMegabyteMessage();
const times: number[] = [];
let ok = true;
for (let i = 0; i < 5; i++) {
  const started = performance.now();
  const parsed = await parseMail(raw);
  times.push(performance.now() - started);
  ok &&= parsed?.text.includes('482913') === true && parsed.attachments.length === 1;
}
times.sort((a, b) => a - b);
process.stdout.write(
  JSON.stringify({
    sizeMB: raw.length / 1024 / 1024,
    p50: times[2],
    max: times[4],
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    ok,
  }),
);
