import { describe, expect, it } from 'vitest';
import { extractCode, extractCodeTrace, normaliseCode } from '../../../shared/domain/inbox/extract-code';
import type { ExtractionInput } from '../../../shared/domain/inbox/types';

const sms = (text: string): ExtractionInput => ({ channel: 'sms', text });

describe('normaliseCode', () => {
  it.each([
    ['123 456', '123456'],
    ['105-876', '105876'],
    ['1234-5678', '12345678'],
    ['003407', '003407'],
    ['G-412157', '412157'],
    ['FB-48291', '48291'],
    ['a u 8 k u f', 'au8kuf'],
    ['tt226-5398x', 'tt226-5398x'],
    ['QGFDAE', 'QGFDAE'],
    ['mifsuc', 'mifsuc'],
    ['۴۸۲۹۱۳', '482913'],
    ['１２３４', '1234'],
  ])('turns %j into %j', (raw, code) => {
    const normalised = normaliseCode(raw);

    expect(normalised).toBe(code);
  });
});

describe('extractCode: the code as a user types it', () => {
  it('removes a space between digit groups', () => {
    const result = extractCode(sms('123 456 is your Instagram code.'));

    expect(result.code).toBe('123456');
  });

  it('removes a hyphen between digit groups and keeps leading zeros', () => {
    const hyphen = extractCode(sms('Your Stripe verification code is: 719-839.'));
    const zeros = extractCode(sms('Use 003407 as your password for Facebook.'));

    expect(hyphen.code).toBe('719839');
    expect(zeros.code).toBe('003407');
  });

  it('drops the Google G- prefix but reports the raw code as written', () => {
    const trace = extractCodeTrace(sms('G-412157 is your Google verification code.'));

    expect(trace.extraction.code).toBe('412157');
    expect(trace.rawCode).toBe('G-412157');
    expect(trace.source).toBe('text');
  });

  it('keeps the letter case of letter codes', () => {
    const upper = extractCode(sms('TeamViewer verification code: QGFDAE'));
    const lower = extractCode(sms('TRUSTED LOCATION PASSCODE: mifsuc'));

    expect(upper.code).toBe('QGFDAE');
    expect(lower.code).toBe('mifsuc');
  });

  it('converts Persian and full-width digits to ASCII', () => {
    const persian = extractCode(sms('کد تایید شما: ۴۸۲۹۱۳'));
    const fullwidth = extractCode(sms('認証コード：１２３４５６'));

    expect(persian.code).toBe('482913');
    expect(fullwidth.code).toBe('123456');
  });

  it('joins characters spelled out one by one', () => {
    const result = extractCode(sms('TAN\n a u 8 k u f\nBitte überprüfen Sie alle Werte!'));

    expect(result.code).toBe('au8kuf');
  });
});

describe('extractCode: kinds and confidence', () => {
  it('reports keyword with a high confidence next to a code word', () => {
    const result = extractCode(sms('Your verification code is 482913.'));

    expect(result).toMatchObject({ code: '482913', kind: 'keyword' });
    expect(result.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('reports standalone with a capped confidence when the message is only a code', () => {
    const result = extractCode(sms('[Acme] 482913'));

    expect(result).toMatchObject({ code: '482913', kind: 'standalone' });
    expect(result.confidence).toBeLessThanOrEqual(0.7);
  });

  it('reports standalone for a code after a brand label, but not after a sentence or a context word', () => {
    const brand = extractCode(sms('Uber Eats: 4829'));
    const sentence = extractCode(sms('your vscode is: 12312312'));
    const total = extractCode(sms('Total: 4829'));

    expect(brand).toMatchObject({ code: '4829', kind: 'standalone' });
    expect(sentence.code).toBeNull();
    expect(total.code).toBeNull();
  });

  it('reports no code, no kind and zero confidence when there is no code', () => {
    const result = extractCode(sms('Helllo'));

    expect(result).toEqual({ code: null, kind: null, confidence: 0, links: [] });
  });

  it('lowers the confidence when two different codes are equally plausible', () => {
    const single = extractCode(sms('Your code is 482913.'));
    const two = extractCode(sms('Your code is 482913. Your code is 559201.'));

    expect(two.code).not.toBeNull();
    expect(two.confidence).toBeLessThan(single.confidence);
  });

  it('prefers the code next to the code word over a longer number further away', () => {
    const result = extractCode(sms('QJL - 123456 is the One Time P/W (OTP). Your eTAC is 9876543210.'));

    expect(result.code).toBe('123456');
  });
});

describe('extractCode: multilingual messages', () => {
  it.each([
    ['Chinese', '【京东】验证码：482913，您正在登录京东账户，切勿告知他人。', '482913'],
    ['Chinese, code before the word', '【哔哩哔哩】546054短信登录验证码，5分钟内有效，请勿泄露。', '546054'],
    ['Traditional Chinese', '交易驗證碼『123456』請十分鐘內認證', '123456'],
    ['Japanese', 'Cash Show - 賞金クイズ の確認コードは 764972 です。', '764972'],
    ['Korean', '[한국모바일인증(주)]본인확인 인증번호[482913]입니다.', '482913'],
    ['Russian', 'Код подтверждения: 4821. Никому не сообщайте его.', '4821'],
    ['Hebrew', 'קוד האימות שלך הוא: 482913', '482913'],
    ['Persian', '*پارسیان بانک*\nرمز یکبار مصرف 57758 \nمهلت استفاده دو دقیقه است.', '57758'],
    ['Arabic', 'رمز التحقق الخاص بك هو 482913', '482913'],
    ['Vietnamese', 'Mã xác thực của bạn là 123456. Không chia sẻ mã này.', '123456'],
    ['Vietnamese without accents', 'Ma OTP (het han sau 1 phut) cua Quy khach la 123-456', '123456'],
    ['Turkish', '[Binance TR] Doğrulama Kodu: 482913. Lütfen paylaşmayın! B040', '482913'],
    ['German compound', '117740 ist dein Verifizierungscode für dein Konto.', '117740'],
    ['German TAN', 'Ihre mTAN lautet 482913', '482913'],
    ['French', 'Votre code de vérification est : 482 193', '482193'],
    ['Spanish', 'PayPal: Tu código de seguridad es 123456. No lo compartas.', '123456'],
    ['Portuguese', 'Seu código de verificação do Nubank é 482913', '482913'],
    ['Italian', 'Il tuo codice di sicurezza è: 482913', '482913'],
    ['Polish', '482913 - to Twój kod weryfikacyjny', '482913'],
    ['Dutch', 'Uw verificatiecode is 482913', '482913'],
    ['Swedish', 'Din verifieringskod är 482913', '482913'],
    ['Finnish', 'Microsoft todennuksessa käytetään vahvistuskoodia 482913', '482913'],
    ['Greek', 'Ο κωδικός σας είναι 482913', '482913'],
    ['Hindi', 'आपका OTP 482913 है। इसे किसी के साथ साझा न करें।', '482913'],
    ['Thai', 'รหัส OTP ของคุณคือ 482913 (Ref: ABCD)', '482913'],
    ['Indonesian', 'Kode verifikasi Anda adalah 482913.', '482913'],
  ])('finds the code in %s', (_language, text, code) => {
    const result = extractCode(sms(text));

    expect(result.code).toBe(code);
  });
});

describe('extractCode: numbers that are not codes', () => {
  it.each([
    ['an amount with a currency symbol', 'Your Verizon bill of $85.23 is due on 04/12'],
    ['an amount with a currency word', 'Спасибо! Перевод 1500 RUB выполнен. Баланс: 4829 RUB'],
    ['an amount in Chinese', '您的信用卡消费金额9876元'],
    ['a US phone number', 'Call me at 555-123-4567'],
    ['a phone number in brackets', 'FWD from (817) 697-4520: Mark me'],
    ['an international phone number', 'Questions? +44 20 7946 0958'],
    ['a phone number after "call"', 'Your code was changed. Call 18002586161 if this was not you.'],
    ['a date', 'Your OTP code is null and this is sent on 01-01-2001'],
    ['a date and a time', 'Reminder: your appointment is on 2024-05-06 at 14:30.'],
    ['a year next to a month', 'Code of conduct: updated 12 March 2024'],
    ['an order number', 'Your order 482913 has shipped. Track it in the app.'],
    ['a tracking number', 'Your package with tracking number 1Z999AA10123456784 will arrive today'],
    ['a masked card number', 'Your card XXXX1234 was charged'],
    ['an account number after "ending"', 'Your account ending in 4821 was charged $50.00'],
    ['a promo code', 'Use promo code SUMMER2024 for free shipping'],
    ['a purchase code', 'Your Purchase Code is 39M4W'],
    ['a discount code in Spanish', 'Usa el código promocional 4829 en tu próxima compra'],
    ['a percentage', 'Use code 1234 at checkout to save 20%'],
    ['a number far from the code word', '34343 is a number. This number is a code'],
    ['a word inside "vscode"', 'your vscode is: 12312312'],
    ['OTP inside another word', '123456 is your foOTPath.'],
    ['a URL path', '请点击 br.pingan.com/zYR 完成后续操作。'],
    ['digits in an e-mail address', 'Contact user4829@example.com for help with your code'],
    ['three digits without an instruction to type them', 'your code is 123'],
  ])('finds no code in %s', (_what, text) => {
    const result = extractCode(sms(text));

    expect(result.code).toBeNull();
  });

  it.each([
    ['<#> prefix', '<#> Your ExampleApp code is: 123ABC78 FA+9qCX9VSu', '123ABC78'],
    ['[#] prefix', '[#] Your Uber code: 5934 qlRnn4A1sbt', '5934'],
    ['hash on its own line', 'Your ExampleApp code is: 123ABC78\n\nFA+9qCX9VSu', '123ABC78'],
  ])('ignores the Android SMS Retriever app hash (%s)', (_form, text, code) => {
    const result = extractCode(sms(text));

    expect(result.code).toBe(code);
  });

  it('takes the code and not the amount, the card or the phone number around it', () => {
    const text =
      'SBI: OTP for your transaction at FLIPKART for INR 1,499.00 on card XX1234 is 482913. Call 1800-11-2211.';

    const result = extractCode(sms(text));

    expect(result.code).toBe('482913');
  });
});

describe('extractCode: e-mail', () => {
  it('finds a code that stands alone under the line that names it', () => {
    const input: ExtractionInput = {
      channel: 'email',
      subject: 'Your Zoom verification code',
      text: 'Hi,\n\nUse the code below to sign in.\n\n482913\n\nThe code expires in 10 minutes.',
    };

    const result = extractCode(input);

    expect(result).toMatchObject({ code: '482913', kind: 'keyword' });
  });

  it('finds a code in the subject and says so in the trace', () => {
    const trace = extractCodeTrace({
      channel: 'email',
      subject: '482913 is your Slack confirmation code',
      text: 'Confirm your email address.',
    });

    expect(trace.extraction.code).toBe('482913');
    expect(trace.source).toBe('subject');
  });

  it('keeps a line break in the subject a boundary, so a code never spans it (fast-check seed 1129341684)', () => {
    const subject = 'a u 8 k u f\na u 8 k u f';
    const trace = extractCodeTrace({ channel: 'email', text: '', subject, html: 'code' });

    expect(trace.source).toBe('subject');
    expect(trace.rawCode).not.toBeNull();
    expect(subject.includes(trace.rawCode ?? '')).toBe(true);
    expect(trace.extraction.code).toBe('au8kuf');
  });

  it('reads the HTML when there is no text part, ignoring scripts and hidden elements', () => {
    const html =
      '<div style="display:none">Order 999999 preheader</div><p>Your verification code is:</p>' +
      '<p><strong>482&nbsp;913</strong></p><script>var code = 111111;</script>';

    const trace = extractCodeTrace({ channel: 'email', subject: 'Verify', text: '', html });

    expect(trace.extraction.code).toBe('482913');
    expect(trace.source).toBe('html');
  });

  it('returns sign-in links of a magic-link e-mail without a code', () => {
    const html =
      '<p>Click the button below to sign in.</p><a href="https://www.notion.so/loginwithemail?token=abc">Sign in</a>' +
      '<a href="https://www.notion.so/unsubscribe">Unsubscribe</a>';

    const result = extractCode({ channel: 'email', subject: 'Sign in to Notion', text: '', html });

    expect(result.code).toBeNull();
    expect(result.links).toEqual([
      { url: 'https://www.notion.so/loginwithemail?token=abc', host: 'www.notion.so' },
    ]);
  });

  it('does not read the subject or HTML of an SMS', () => {
    const result = extractCode({
      channel: 'sms',
      text: 'Hello',
      subject: 'Your code 482913',
      html: '<p>code 482913</p>',
    });

    expect(result.code).toBeNull();
  });
});

describe('extractCode: untrusted input', () => {
  it.each([
    ['null', null],
    ['a number', 42],
    ['an object with wrong field types', { channel: 7, text: ['x'], subject: {}, html: 3 }],
    ['an unknown channel', { channel: 'fax', text: 'Your code is 482913' }],
  ])('never throws on %s', (_what, input) => {
    const run = () => extractCode(input as unknown as ExtractionInput);

    expect(run).not.toThrow();
  });

  it('treats an unknown channel as SMS', () => {
    const result = extractCode({ channel: 'fax', text: 'Your code is 482913' } as unknown as ExtractionInput);

    expect(result.code).toBe('482913');
  });
});
