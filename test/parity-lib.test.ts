/** The small modules behind the core node's features, each on its own. */
import assert from 'node:assert/strict';
import { cookieHeader, keepSetCookies, responseCookies } from '../src/lib/cookies';
import { hashSum, requestHeadersOf } from '../src/lib/header-marker';
import { multipartBody, wantsMultipart } from '../src/lib/multipart';
import { renderUrl } from '../src/lib/url-template';
import { schemelessHost } from '../src/nodes/oauth1-request/message-request';

describe('parity modules (multipart, cookies, url-template)', () => {
  it('builds multipart/form-data only for the bare content type, as the core node does', () => {
    assert.equal(wantsMultipart('multipart/form-data'), true);
    assert.equal(wantsMultipart('Multipart/Form-Data'), true);
    assert.equal(wantsMultipart('multipart/form-data; boundary=x'), false);
    assert.equal(wantsMultipart('application/json'), false);
  });

  it('encodes parts with escaped names, a file name, a guessed or given type', () => {
    const { body, contentType } = multipartBody({ 'a"b': 'x', file: { value: 'text', options: 'notes.txt' }, json: { nested: true } });
    const boundary = contentType.replace('multipart/form-data; boundary=', '');
    const text = body.toString('utf8');
    assert.ok(text.startsWith(`--${boundary}\r\nContent-Disposition: form-data; name="a%22b"\r\n\r\nx\r\n`));
    assert.ok(text.includes('name="file"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\ntext\r\n'));
    assert.ok(text.includes('name="json"\r\n\r\n{"nested":true}\r\n'));
    assert.ok(text.endsWith(`--${boundary}--\r\n`));
    assert.notEqual(multipartBody({}).contentType, contentType, 'a fresh boundary each time');
  });

  it('merges a Cookie header with msg.cookies, msg.cookies winning', () => {
    assert.equal(cookieHeader('a=1; b=2', { b: '3', c: { value: 'é' } }), 'a=1; b=3; c=%C3%A9');
    assert.equal(cookieHeader(undefined, {}), undefined);
  });

  it('reads Set-Cookie as the cookie package does: attributes by name, the value decoded', () => {
    assert.deepEqual(responseCookies(['id=a%3Db; Max-Age=60; Secure', 'broken', '=x']), { id: { value: 'a=b', 'Max-Age': '60' } });
    assert.equal(responseCookies(undefined), undefined);
  });

  it('hashes as hash-sum 2.0 does (values from the package itself), so either node reads the other’s marker', () => {
    assert.equal(hashSum({ a: '1', 'content-type': 'x' }), '729c4d58');
    assert.equal(hashSum({ b: ['x', 'y'], n: null }), '76c51efe');
    assert.equal(hashSum({}), '59322f29');
  });

  it('drops msg.headers fed back unchanged, keeps changed ones without the marker', () => {
    const unchanged = { a: '1', 'content-type': 'x', 'x-node-red-request-node': '729c4d58' };
    assert.equal(requestHeadersOf(unchanged), undefined);
    const changed = { a: '2', 'content-type': 'x', 'x-node-red-request-node': '729c4d58' };
    assert.deepEqual(requestHeadersOf(changed), { a: '2', 'content-type': 'x' });
  });

  it('carries the cookies a redirect sets into the next hop’s Cookie header', () => {
    const headers: Record<string, string> = { cookie: 'a=1' };
    keepSetCookies(headers, ['b=x%20y; Path=/', 'a=2']);
    assert.deepEqual(headers, { Cookie: 'a=2; b=x%20y' });
  });

  it('renders mustache variables: triple and & raw, double HTML-escaped, dotted names, missing empty', () => {
    const msg = { a: { b: 'x&y' }, n: 0 };
    assert.equal(renderUrl('/{{{a.b}}}/{{a.b}}/{{& a.b}}/{{n}}/{{missing}}/{{a.c.d}}', msg), '/x&y/x&amp;y/x&y/0//');
  });

  it('tells a scheme-less host from a path relative to the base URL', () => {
    for (const url of ['localhost:1880/x', 'localhost', '127.0.0.1:8080?q', 'api.example.com:443/v1']) assert.equal(schemelessHost(url), true, url);
    for (const url of ['users/v1/me', '/x', 'select(id,email)', 'v1/jobs?x=1:2']) assert.equal(schemelessHost(url), false, url);
  });
});
