import assert from 'node:assert/strict';
import { describeProbeAnswer, findPreset, netsuiteAccount, netsuiteSettings, PRESETS, tokenWays } from '../src/lib/presets';
import { PLACEMENTS, SIGNATURE_METHODS } from '../src/lib/oauth1';

describe('service presets', () => {
  it('has the presets the issue names, each with help, documentation and valid settings', () => {
    const ids = PRESETS.map((preset) => preset.id);
    for (const id of [
      'extrahorizon',
      'alteryx-gallery',
      'alteryx-server',
      'netsuite',
      'x',
      'woocommerce',
      'magento',
      'atlassian',
      'garmin',
      'discogs',
      'custom',
    ]) {
      assert.ok(ids.includes(id as never), `preset ${id}`);
    }
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    for (const preset of PRESETS) {
      assert.ok(preset.help.length > 40, `${preset.id} says where each value comes from`);
      assert.ok(preset.docs.length > 0 && preset.docs.every((doc) => /^https:\/\//.test(doc.url)), `${preset.id} cites documentation`);
      const { signatureMethod, placement } = preset.settings;
      if (signatureMethod) assert.ok((SIGNATURE_METHODS as readonly string[]).includes(signatureMethod), `${preset.id}: ${signatureMethod}`);
      if (placement) assert.ok((PLACEMENTS as readonly string[]).includes(placement));
      if (preset.tokens === 'three-legged') {
        assert.ok(preset.settings.requestTokenUrl && preset.settings.authorizeUrl && preset.settings.accessTokenUrl, `${preset.id} has the 3-legged URLs`);
      }
    }
  });

  it('offers Sign in for Extra Horizon, Get token for 3-legged services, NetSuite and Custom, neither for 1-legged ones or provider tokens', () => {
    const ways = Object.fromEntries(PRESETS.map((preset) => [preset.id, tokenWays(preset)]));
    assert.deepEqual(ways.extrahorizon, { signIn: true, getToken: false, help: 'signIn' });
    for (const id of ['x', 'atlassian', 'garmin', 'discogs']) assert.deepEqual(ways[id], { signIn: false, getToken: true, help: 'getToken' }, id);
    for (const id of ['netsuite', 'custom']) assert.deepEqual(ways[id], { signIn: false, getToken: true, help: 'pasteOrGetToken' }, id);
    for (const id of ['alteryx-gallery', 'alteryx-server', 'woocommerce']) assert.deepEqual(ways[id], { signIn: false, getToken: false, help: 'none' }, id);
    assert.deepEqual(ways.magento, { signIn: false, getToken: false, help: 'paste' });
  });

  it('falls back to Custom for an unknown or missing preset id', () => {
    assert.equal(findPreset('no-such-service').id, 'custom');
    assert.equal(findPreset(undefined).id, 'custom');
    assert.equal(findPreset('netsuite').settings.signatureMethod, 'HMAC-SHA256');
  });

  it('derives the NetSuite realm (upper case, underscore) and hosts (lower case, hyphen) from one account id', () => {
    assert.deepEqual(netsuiteAccount('1234567_sb1'), { realm: '1234567_SB1', host: '1234567-sb1' });
    assert.deepEqual(netsuiteAccount('1234567-SB1'), { realm: '1234567_SB1', host: '1234567-sb1' });
    assert.deepEqual(netsuiteAccount(' TSTDRV123 '), { realm: 'TSTDRV123', host: 'tstdrv123' });
    const settings = netsuiteSettings('1234567_SB1');
    assert.equal(settings?.realm, '1234567_SB1');
    assert.equal(settings?.baseUrl, 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest');
    assert.equal(settings?.extraOrigins, 'https://1234567-sb1.restlets.api.netsuite.com');
  });

  it('refuses an account id that would make a host of something else', () => {
    for (const bad of ['', '1234567.evil.com', '1234567/x', 'a b', '_SB1']) assert.equal(netsuiteSettings(bad), undefined, bad);
  });

  it('names who a probe answer belongs to, or counts what it lists', () => {
    assert.equal(describeProbeAnswer({ path: '2/users/me', identity: ['data.username'] }, { data: { username: 'ada' } }), 'ada');
    assert.equal(describeProbeAnswer({ path: 'me', identity: ['first_name', 'email'] }, { email: 'a@b.c' }), 'a@b.c');
    assert.equal(describeProbeAnswer({ path: 'w', count: 'workflow' }, [1, 2, 3]), '3 workflows');
    assert.equal(describeProbeAnswer({ path: 'w', count: 'workflow' }, [1]), '1 workflow');
    assert.equal(describeProbeAnswer({ path: 'me', identity: ['name'] }, 'not json'), undefined);
  });

  it("derives NetSuite's 3-legged URLs from the account id, on the RESTlets and app hosts", () => {
    assert.deepEqual(netsuiteSettings('1234567_SB1'), {
      realm: '1234567_SB1',
      baseUrl: 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest',
      extraOrigins: 'https://1234567-sb1.restlets.api.netsuite.com',
      requestTokenUrl: 'https://1234567-sb1.restlets.api.netsuite.com/rest/requesttoken',
      authorizeUrl: 'https://1234567-sb1.app.netsuite.com/app/login/secure/authorizetoken.nl',
      accessTokenUrl: 'https://1234567-sb1.restlets.api.netsuite.com/rest/accesstoken',
    });
    assert.deepEqual(netsuiteAccount('tstdrv_1-sb2'), { realm: 'TSTDRV_1_SB2', host: 'tstdrv-1-sb2' });
    for (const bad of ['1234567--sb1', '1234567_', 'x\n1234567']) assert.equal(netsuiteAccount(bad), undefined, bad);
  });

  it('takes the first identity field that has a value, numbers included, and counts zero items in the plural', () => {
    const probe = { path: 'me', identity: ['profile.display', 'first_name', 'id'] };
    assert.equal(describeProbeAnswer(probe, { profile: { display: '' }, first_name: 'Ada', id: 7 }), 'Ada');
    assert.equal(describeProbeAnswer(probe, { profile: null, id: 7 }), '7');
    assert.equal(describeProbeAnswer(probe, { profile: 'flat', first_name: true }), undefined);
    assert.equal(describeProbeAnswer({ path: 'me' }, { id: 7 }), undefined);
    assert.equal(describeProbeAnswer({ path: 'w', count: 'workflow' }, []), '0 workflows');
    assert.equal(describeProbeAnswer({ path: 'w', count: 'workflow' }, { length: 2 }), undefined);
  });
});
