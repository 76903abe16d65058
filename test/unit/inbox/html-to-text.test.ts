import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from '../../../shared/domain/inbox/html-to-text';
import { MAX_TEXT_CHARS } from '../../../shared/domain/inbox/types';

describe('htmlToText', () => {
  it('drops scripts, styles, the head and template content', () => {
    const html =
      '<html><head><title>Subject 111111</title><style>p { color: red }</style></head>' +
      '<body><script>var code = "222222";</script><template>333333</template><p>Hello</p></body></html>';

    const { text } = htmlToText(html);

    expect(text).toBe('Hello');
  });

  it('drops elements hidden by attribute or inline style, with everything inside them', () => {
    const html =
      '<div style="display: none">preheader 111111 <b>bold</b></div>' +
      '<span style="visibility:hidden">222222</span><p hidden>333333</p>' +
      '<div style="mso-hide:all">444444</div><div style="font-size:0px;opacity:0">555555</div>' +
      '<div style="max-height:0;overflow:hidden">666666</div><input type="hidden" value="777777">' +
      '<p>visible</p>';

    const { text } = htmlToText(html);

    expect(text).toBe('visible');
  });

  it('keeps text after a hidden element closes, even with nested elements of the same name', () => {
    const html = '<div style="display:none"><div>inner</div>still hidden</div><div>shown</div>';

    const { text } = htmlToText(html);

    expect(text).toBe('shown');
  });

  it('keeps links: the anchor text, then the URL, and returns them', () => {
    const html = '<p>Click <a href="https://example.com/login?a=1&amp;b=2">here to sign in</a>.</p>';

    const { text, links } = htmlToText(html);

    expect(text).toBe('Click here to sign in <https://example.com/login?a=1&b=2>.');
    expect(links).toEqual([{ url: 'https://example.com/login?a=1&b=2', text: 'here to sign in' }]);
  });

  it('does not keep mailto, javascript or hidden links', () => {
    const html =
      '<a href="mailto:a@example.com">mail</a> <a href="javascript:alert(1)">js</a>' +
      '<div hidden><a href="https://example.com/x">hidden</a></div>';

    const { links } = htmlToText(html);

    expect(links).toEqual([]);
  });

  it('turns block elements and <br> into line breaks and table cells into spaces', () => {
    const html = '<table><tr><td>Code</td><td>123456</td></tr><tr><td>Valid</td></tr></table>one<br>two';

    const { text } = htmlToText(html);

    expect(text).toBe('Code 123456\nValid\none\ntwo');
  });

  it('collapses whitespace and non-breaking spaces', () => {
    const html = '<p>  Your\n\tcode&nbsp;&nbsp;is   <b>482 913</b>  </p>';

    const { text } = htmlToText(html);

    expect(text).toBe('Your code is 482 913');
  });

  it('keeps a lone < as text and drops an unterminated tag at the end', () => {
    const lone = htmlToText('a < b and 1<2');
    const unterminated = htmlToText('<p>kept</p><a href="https://x');

    expect(lone.text).toBe('a < b and 1<2');
    expect(unterminated.text).toBe('kept');
  });

  it('skips comments, CDATA sections, doctypes and processing instructions', () => {
    const html = '<!DOCTYPE html><?xml version="1.0"?><!-- 111111 --><![CDATA[222222]]><p>text</p><!-- open';

    const { text } = htmlToText(html);

    expect(text).toBe('text');
  });

  it('matches tag names without regard to case', () => {
    const html = '<SCRIPT>111111</SCRIPT><DIV STYLE="DISPLAY:NONE">222222</DIV><P>ok</P>';

    const { text } = htmlToText(html);

    expect(text).toBe('ok');
  });

  it('caps the text at MAX_TEXT_CHARS whatever the size of the HTML', () => {
    const html = '<p>word </p>'.repeat(100_000);

    const { text } = htmlToText(html);

    expect(text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    expect(text.length).toBeGreaterThan(MAX_TEXT_CHARS - 10);
  });
});

describe('decodeEntities', () => {
  it('decodes named, decimal and hexadecimal references', () => {
    const decoded = decodeEntities('&lt;a&gt; &amp; &quot;x&quot; &#52;&#x32; &eacute; &euro;');

    expect(decoded).toBe('<a> & "x" 42 é €');
  });

  it('leaves unknown or malformed references as written and replaces invalid code points', () => {
    const decoded = decodeEntities('&bogus; &amp &#; &#xD800; &#0;');

    expect(decoded).toBe('&bogus; &amp &#; \uFFFD \uFFFD');
  });
});
