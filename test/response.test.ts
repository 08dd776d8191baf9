/** src/lib/response.ts: how every service's answer is read, and the numbers settings give. */
import assert from 'node:assert/strict';
import { firstHeader, isSuccess, nonNegativeNumber, positiveNumber, serviceMessage, stripBom } from '../src/lib/response';

describe('reading responses (src/lib/response)', () => {
  describe('isSuccess', () => {
    it('is true for 200 to 299 only', () => {
      for (const status of [200, 201, 204, 299]) assert.equal(isSuccess({ statusCode: status }), true, String(status));
      for (const status of [0, 100, 199, 300, 304, 401, 404, 500]) assert.equal(isSuccess({ statusCode: status }), false, String(status));
    });
  });

  describe('firstHeader', () => {
    it('takes the first of repeated values and a single value as it is', () => {
      assert.equal(firstHeader({ 'set-cookie': ['a=1', 'b=2'] }, 'set-cookie'), 'a=1');
      assert.equal(firstHeader({ 'content-type': 'text/csv' }, 'content-type'), 'text/csv');
      assert.equal(firstHeader({}, 'content-type'), undefined);
    });
  });

  describe('stripBom', () => {
    it('removes one leading byte order mark and nothing else', () => {
      assert.equal(stripBom('\uFEFFa,b'), 'a,b');
      assert.equal(stripBom('\uFEFF\uFEFFx'), '\uFEFFx');
      assert.equal(stripBom('a\uFEFF'), 'a\uFEFF');
      assert.equal(stripBom(''), '');
    });
  });

  describe('positiveNumber', () => {
    it('reads numbers and numeric text above zero', () => {
      assert.equal(positiveNumber(5), 5);
      assert.equal(positiveNumber('2.5'), 2.5);
      assert.equal(positiveNumber(' 30 '), 30);
      assert.equal(positiveNumber(0.001), 0.001);
    });

    it('refuses zero, negatives, blanks, non-numbers and infinities', () => {
      for (const value of [0, '0', -1, '-3', '', '   ', 'ten', Number.NaN, Infinity, '1e999', null, undefined, true, {}, [5]]) {
        assert.equal(positiveNumber(value), undefined, JSON.stringify(value) ?? typeof value);
      }
    });
  });

  describe('nonNegativeNumber', () => {
    it('accepts zero (no retries) as well as positive numbers and their text', () => {
      assert.equal(nonNegativeNumber(0), 0);
      assert.equal(nonNegativeNumber('0'), 0);
      assert.equal(nonNegativeNumber(3), 3);
      assert.equal(nonNegativeNumber(' 4 '), 4);
    });

    it('refuses negatives, blank text (which Number() would read as 0), non-numbers and infinities', () => {
      for (const value of [-1, '-1', '', ' ', 'x', Number.NaN, -Infinity, Infinity, null, undefined, false, []]) {
        assert.equal(nonNegativeNumber(value), undefined, JSON.stringify(value) ?? String(value));
      }
    });
  });

  describe('serviceMessage', () => {
    it("reads Extra Horizon's name and message as 'NAME: message'", () => {
      assert.equal(
        serviceMessage({ code: 117, name: 'OAUTH_SIGNATURE_EXCEPTION', message: 'Invalid signature' }),
        'OAUTH_SIGNATURE_EXCEPTION: Invalid signature',
      );
    });

    it("reads Alteryx's message, and OAuth 2's error_description before its error", () => {
      assert.equal(serviceMessage({ message: 'Workflow not found' }), 'Workflow not found');
      assert.equal(serviceMessage({ error: 'invalid_client', error_description: 'Unknown client' }), 'Unknown client');
      assert.equal(serviceMessage({ error: 'invalid_client' }), 'invalid_client');
      assert.equal(serviceMessage({ message: 'first', error_description: 'second', error: 'third' }), 'first');
    });

    it('trims the fields and skips blank or non-text ones', () => {
      assert.equal(serviceMessage({ name: '  BAD  ', message: ' broken ' }), 'BAD: broken');
      assert.equal(serviceMessage({ message: '   ', error: 'fallback' }), 'fallback');
      assert.equal(serviceMessage({ name: 'ONLY_NAME', message: 42 }), 'ONLY_NAME');
      assert.equal(serviceMessage({ code: 5 }), undefined);
      assert.equal(serviceMessage({}), undefined);
    });

    it('reads a text body as one line, cut to 200 characters with an ellipsis', () => {
      assert.equal(serviceMessage('  Bad\n\tgateway  '), 'Bad gateway');
      assert.equal(serviceMessage('x'.repeat(200)), 'x'.repeat(200));
      const cut = serviceMessage('y'.repeat(201));
      assert.equal(cut, `${'y'.repeat(199)}…`);
      assert.equal(cut?.length, 200);
    });

    it('reads a Buffer body as UTF-8 text', () => {
      assert.equal(serviceMessage(Buffer.from('Service unavailable\n')), 'Service unavailable');
      assert.equal(serviceMessage(Buffer.from(JSON.stringify({ message: 'x' }))), '{"message":"x"}');
    });

    it('has nothing to say for empty text, an empty Buffer, null, numbers or booleans', () => {
      for (const body of ['', ' \n ', Buffer.alloc(0), null, undefined, 404, true]) {
        assert.equal(serviceMessage(body), undefined, String(body));
      }
    });
  });
});
