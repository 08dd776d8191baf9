/**
 * The Explain panel and the diagnosis of a refused signature, kept apart from the dialog's
 * other sections. The runtime signs (POST oauth1-config/<id>/explain) and answers what it
 * would send; it never sends it, and never answers a secret (with the stored ones, neither a
 * signature nor the token).
 */
import type { EditorNodeInstance } from 'node-red';
import { HTTP_METHODS } from '../../lib/constants';
import { fieldText, fillSelect } from '../shared/palette.editor';
import { failureMessage, postJson, serviceForm } from './service-form.editor';

/** What was signed (no secret), and for a refusal its likely cause. */
export interface SigningRecord {
  baseString: string;
  parameters: Array<{ name: string; value: string }>;
  cause?: { text: string; help: string };
}

/** What the explain route answers. */
interface Explanation extends Partial<SigningRecord> {
  ok: boolean;
  message?: string;
  authorization?: string;
  signedUrl?: string;
  /** Absent where it would reveal a secret (PLAINTEXT) or was made with the stored secrets. */
  signature?: string;
  /** Why the signature is absent (src/lib/explain.ts SignatureHidden). */
  signatureHidden?: 'plaintext' | 'stored-secrets';
}

/** The text that stands for a signature the answer leaves out, by the reason it gives. */
const HIDDEN_SIGNATURE_TEXT = { plaintext: 'oauth1-config.explain.signatureHidden', 'stored-secrets': 'oauth1-config.explain.signatureStored' } as const;

/** A labelled block of preformatted text, such as the base string. */
function preformatted(label: string, text: string): JQuery {
  return $('<div class="oauth1-config-explain-block"></div>')
    .append($('<div class="oauth1-config-explain-label"></div>').text(label))
    .append($('<pre class="oauth1-config-explain-pre"></pre>').text(text));
}

/** What was signed: base string, parameters (oauth_signature never among them), and for a refusal its likely cause. */
export function renderSigning(node: EditorNodeInstance, signing: SigningRecord): JQuery {
  const $out = $('<div class="oauth1-config-signing"></div>');
  if (signing.cause) {
    $('<div class="oauth1-config-explain-cause"></div>')
      .append($('<span></span>').text(`${node._('oauth1-config.explain.cause')} ${signing.cause.text} `))
      .append($('<a target="_blank" rel="noopener noreferrer"></a>').attr('href', signing.cause.help).text(node._('oauth1-config.explain.help')))
      .appendTo($out);
  }
  $out.append(preformatted(node._('oauth1-config.explain.baseString'), signing.baseString));
  const $table = $('<table class="oauth1-config-explain-parameters"></table>');
  for (const parameter of signing.parameters) {
    $('<tr></tr>').append($('<td></td>').text(parameter.name)).append($('<td></td>').text(parameter.value)).appendTo($table);
  }
  $out.append($('<div class="oauth1-config-explain-label"></div>').text(node._('oauth1-config.explain.parameters'))).append($table);
  return $out;
}

function showExplanation(node: EditorNodeInstance, answer: Explanation): void {
  const $result = $('#oauth1-config-explain-result').empty().show();
  if (!answer.ok) {
    $result.append($('<div class="oauth1-config-test-failed"></div>').text(answer.message ?? ''));
    return;
  }
  $result.append($('<div class="form-tips"></div>').text(node._('oauth1-config.explain.notSent')));
  if (answer.authorization) $result.append(preformatted(node._('oauth1-config.explain.authorization'), `Authorization: ${answer.authorization}`));
  else $result.append(preformatted(node._('oauth1-config.explain.signedUrl'), answer.signedUrl ?? ''));
  const signature = answer.signature ?? node._(HIDDEN_SIGNATURE_TEXT[answer.signatureHidden ?? 'plaintext']);
  $result.append(preformatted(node._('oauth1-config.explain.signature'), signature));
  $result.append(renderSigning(node, { baseString: answer.baseString ?? '', parameters: answer.parameters ?? [], cause: answer.cause }));
}

/** The panel's request: method, URL, optional form body, nonce and timestamp, posted with the dialog's form. */
function explainRequest(node: EditorNodeInstance): void {
  const explain = {
    method: fieldText($('#oauth1-config-explain-method')),
    url: fieldText($('#oauth1-config-explain-url')),
    formBody: fieldText($('#oauth1-config-explain-body')),
    nonce: fieldText($('#oauth1-config-explain-nonce')),
    timestamp: fieldText($('#oauth1-config-explain-timestamp')),
  };
  const $button = $('#oauth1-config-explain-button').prop('disabled', true);
  postJson(node, 'explain', { ...serviceForm(true), explain })
    .done((answer: Explanation) => showExplanation(node, answer))
    .fail((xhr: JQuery.jqXHR) => showExplanation(node, { ok: false, message: node._('oauth1-config.explain.failed', { message: failureMessage(xhr) }) }))
    .always(() => $button.prop('disabled', false));
}

export function setupExplainSection(node: EditorNodeInstance): void {
  fillSelect($('#oauth1-config-explain-method'), HTTP_METHODS).val('GET');
  $('#oauth1-config-explain-button').on('click', () => explainRequest(node));
}
