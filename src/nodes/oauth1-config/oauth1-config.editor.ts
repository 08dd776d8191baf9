/** The `oauth1-config` node in the editor: its properties, credentials and dialog. */
import type { EditorNodeInstance, EditorNodeProperties, EditorNodePropertiesDef, EditorRED } from 'node-red';
import { findPreset, PRESET_IDS } from '../../lib/presets';
import { BODY_HASH_DIGESTS, CREDENTIALS, PLACEMENTS, SIGNATURE_METHODS, usesPrivateKey, type CredentialName } from '../../lib/constants';
import { isOneOf } from '../shared/node.properties';
import { fieldText, fillSelect, registerConfigNode } from '../shared/palette.editor';
import { renderSigning, setupExplainSection, type SigningRecord } from './explain-section.editor';
import { applyAccountId, applyPreset, filledByOpenedPreset, showPreset } from './preset-fields.editor';
import { CONFIG_DEFAULTS, signingSettings, type ConfigNodeProperties } from './oauth1-config.properties';
import { failureMessage, input, postJson, serviceForm } from './service-form.editor';
import { setupTokenSection } from './token-section.editor';

declare const RED: EditorRED;

type ConfigProperties = EditorNodeProperties & ConfigNodeProperties;

type ConfigNode = EditorNodeInstance<ConfigProperties>;

/** What Test connection answers (src/nodes/oauth1-config/admin.ts). */
interface TestAnswer {
  ok: boolean;
  message: string;
  statusCode?: number;
  request?: string;
  /** A refused signature: what was signed, and its likely cause. */
  signing?: SigningRecord;
}

const isSignatureMethod = isOneOf(SIGNATURE_METHODS);

/** The properties' defaults, with Node-RED's own number check (blank allowed) for the numbers. */
const DEFAULTS = {
  ...CONFIG_DEFAULTS,
  retries: { ...CONFIG_DEFAULTS.retries, validate: RED.validators.number(true) },
  requestTimeout: { ...CONFIG_DEFAULTS.requestTimeout, validate: RED.validators.number(true) },
  maxResponseMB: { ...CONFIG_DEFAULTS.maxResponseMB, validate: RED.validators.number(true) },
  maxConcurrent: { ...CONFIG_DEFAULTS.maxConcurrent, validate: RED.validators.number(true) },
  rateLimit: { ...CONFIG_DEFAULTS.rateLimit, validate: RED.validators.number(true) },
  ratePeriod: { ...CONFIG_DEFAULTS.ratePeriod, validate: RED.validators.number(true) },
  maxWait: { ...CONFIG_DEFAULTS.maxWait, validate: RED.validators.number(true) },
  maxQueued: { ...CONFIG_DEFAULTS.maxQueued, validate: RED.validators.number(true) },
} satisfies EditorNodePropertiesDef<ConfigProperties>;

/** Scheme, placement and signature method explained; RSA asks for the private key instead of the consumer secret. */
function explainChoices(node: ConfigNode): void {
  const { scheme, signatureMethod: method } = signingSettings({ scheme: fieldText(input('scheme')), signatureMethod: fieldText(input('signatureMethod')) });
  const rsa = scheme === 'oauth1' && usesPrivateKey(method);
  $('.oauth1-config-oauth1-only').toggle(scheme === 'oauth1');
  $('.oauth1-config-rsa-only').toggle(rsa);
  $('.oauth1-config-secret-row').toggle(!rsa);
  $('#oauth1-config-scheme-tip').html(node._(`oauth1-config.schemeTip.${scheme}`));
  $('#oauth1-config-placement-tip').html(node._(`oauth1-config.placementTip.${fieldText(input('placement')) === 'query' ? 'query' : 'header'}`));
  $('#oauth1-config-bodyHash-digest').text(node._('oauth1-config.tip.bodyHashDigest', { digest: BODY_HASH_DIGESTS[method] }));
}

function showTestResult(node: ConfigNode, $result: JQuery, answer: TestAnswer): void {
  const status = answer.statusCode ? `${answer.statusCode} ` : '';
  const request = answer.request ? `${answer.request}: ` : '';
  $result
    .addClass(answer.ok ? 'oauth1-config-test-ok' : 'oauth1-config-test-failed')
    .empty()
    .append($('<i class="fa"></i>').addClass(answer.ok ? 'fa-check' : 'fa-times'))
    .append(' ')
    .append($('<span></span>').text(request + (answer.ok ? status : '') + answer.message));
  // A refused signature: what was signed, as the Explain panel shows it.
  if (answer.signing) $result.append(renderSigning(node, answer.signing));
}

/** Tests what the dialog shows, saved or not; the runtime fills in unchanged passwords. */
function testConnection(node: ConfigNode, $button: JQuery): void {
  const $result = $('#oauth1-config-test-result');
  $button.prop('disabled', true);
  $result.removeClass('oauth1-config-test-ok oauth1-config-test-failed').show().text(node._('oauth1-config.test.running'));
  postJson(node, 'test', serviceForm(true))
    .done((answer: TestAnswer) => showTestResult(node, $result, answer))
    .fail((xhr: JQuery.jqXHR) => {
      $result.addClass('oauth1-config-test-failed').text(node._('oauth1-config.test.failed', { message: failureMessage(xhr) }));
    })
    .always(() => $button.prop('disabled', false));
}

/** The preset, placement and signature method selects, from the runtime's own lists. */
function fillChoices(node: ConfigNode): void {
  fillSelect(input('preset'), PRESET_IDS, (id) => findPreset(id).label).val(findPreset(node.preset).id);
  fillSelect(input('placement'), PLACEMENTS, (placement) => node._(`oauth1-config.placement.${placement}`)).val(node.placement);
  fillSelect(input('signatureMethod'), SIGNATURE_METHODS, (method) => {
    if (method === 'PLAINTEXT') return node._('oauth1-config.signature.plaintext');
    return isSignatureMethod(method) && usesPrivateKey(method) ? node._('oauth1-config.signature.rsa', { method }) : method;
  }).val(node.signatureMethod);
  // The account id is not stored: the realm is the account id as NetSuite spells it.
  $('#oauth1-config-accountId').val(node.preset === 'netsuite' ? node.realm || '' : '');
}

/** A new preset fills the fields; the account id (NetSuite) and the probe path (Custom) update the examples. */
function followPreset(node: ConfigNode): void {
  // Node-RED triggers "change" on every field when the dialog opens: only a new choice fills anything.
  let chosen = findPreset(node.preset).id;
  const filled = filledByOpenedPreset(findPreset(chosen), node.realm);
  input('preset').on('change', () => {
    if (fieldText(input('preset')) === chosen) return;
    const preset = findPreset(fieldText(input('preset')));
    chosen = preset.id;
    applyPreset(preset, DEFAULTS, filled);
    if (preset.accountId) applyAccountId(fieldText($('#oauth1-config-accountId')), filled);
    showPreset(node, preset);
  });
  $('#oauth1-config-accountId').on('input change', () => applyAccountId(fieldText($('#oauth1-config-accountId')), filled));
  input('probePath').on('input change', () => showPreset(node, findPreset(fieldText(input('preset')))));
  showPreset(node, findPreset(node.preset));
}

registerConfigNode<ConfigProperties, Record<CredentialName, string>>('oauth1-config', {
  defaults: DEFAULTS,
  credentials: CREDENTIALS,
  describe() {
    return this.baseUrl;
  },
  oneditprepare() {
    fillChoices(this);
    followPreset(this);
    input('scheme')
      .add(input('placement'))
      .add(input('signatureMethod'))
      .on('change', () => explainChoices(this));
    explainChoices(this);
    $('#oauth1-config-test').on('click', (event) => testConnection(this, $(event.currentTarget)));
    setupTokenSection(this);
    setupExplainSection(this);
  },
});
