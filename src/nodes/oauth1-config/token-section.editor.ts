/**
 * The config dialog's "Token" section: "Get token" for 3-legged services, and email +
 * password sign-in for Extra Horizon. The token secret and the password never come back to
 * the browser; the dialog shows that a token is set, and for whom. The new token comes back
 * once, to the dialog of the user who obtained it; its field is a password field (the token
 * is a credential of type password), so a saved one shows as unchanged, never its value.
 */
import type { EditorNodeInstance } from 'node-red';
import { findPreset, tokenWays } from '../../lib/presets';
import { fieldText } from '../shared/palette.editor';
import { failureMessage, input, postJson, serviceForm } from './service-form.editor';

type DialogNode = EditorNodeInstance;

/** What the token routes answer. */
interface TokenAnswer {
  ok?: boolean;
  message?: string;
  token?: string;
  who?: string;
  authorizeUrl?: string;
  mfa?: MfaChallenge;
}

interface MfaChallenge {
  token: string;
  methods: Array<{ id: string; name?: string; type?: string }>;
}

/** The callback page's message to this window. */
interface CallbackMessage extends TokenAnswer {
  type: 'oauth1-config-token';
  id: string;
}

/** The listener for the callback page of the open dialog; one dialog at a time. */
let callbackListener: ((event: MessageEvent) => void) | undefined;

/** A result line: ok, failed, or (undefined) under way. */
function showTokenResult(ok: boolean | undefined, text: string): void {
  $('#oauth1-config-token-result')
    .removeClass('oauth1-config-test-ok oauth1-config-test-failed')
    .addClass(ok === undefined ? '' : ok ? 'oauth1-config-test-ok' : 'oauth1-config-test-failed')
    .show()
    .empty()
    .append(ok === undefined ? '' : $('<i class="fa"></i>').addClass(ok ? 'fa-check' : 'fa-times'))
    .append(' ')
    .append($('<span></span>').text(text));
}

/**
 * A pair is stored in the runtime: the token goes into its field (so the node counts as
 * changed and Deploy saves and uses it), the secret field says "unchanged", as the secret
 * itself stays in the runtime.
 */
function tokenReceived(node: DialogNode, answer: TokenAnswer): void {
  input('token')
    .val(answer.token ?? '')
    .trigger('change');
  input('tokenSecret').val('__PWRD__');
  showTokenResult(true, answer.who ? node._('oauth1-config.token.setFor', { who: answer.who }) : node._('oauth1-config.token.set'));
}

function tokenFailed(node: DialogNode, failure: JQuery.jqXHR | TokenAnswer): void {
  showTokenResult(false, node._('oauth1-config.token.failed', { message: failureMessage(failure) }));
}

function isCallbackFor(node: DialogNode, data: unknown): data is CallbackMessage {
  return typeof data === 'object' && data !== null && 'type' in data && data.type === 'oauth1-config-token' && 'id' in data && data.id === node.id;
}

/** Waits for the callback page of this node: only from the editor's own origin. */
function listenForCallback(node: DialogNode): void {
  if (callbackListener) window.removeEventListener('message', callbackListener);
  const listener = (event: MessageEvent): void => {
    const data: unknown = event.data;
    if (event.origin !== window.location.origin || !isCallbackFor(node, data)) return;
    window.removeEventListener('message', listener);
    callbackListener = undefined;
    if (data.ok) tokenReceived(node, data);
    else tokenFailed(node, data);
  };
  callbackListener = listener;
  window.addEventListener('message', listener);
}

/** "Get token": a request token for this editor's callback (or oob), then the provider's page in a new window. */
function getToken(node: DialogNode): void {
  const oob = $('#oauth1-config-token-oob').is(':checked');
  const callbackUrl = oob ? 'oob' : new URL(`oauth1-config/${encodeURIComponent(node.id)}/callback`, document.baseURI).href;
  // Opened now, inside the click: a window opened after the answer would be blocked.
  const tokenWindow = window.open('', 'oauth1-config-token');
  if (!tokenWindow) {
    showTokenResult(false, node._('oauth1-config.token.popupBlocked'));
    return;
  }
  showTokenResult(undefined, node._('oauth1-config.token.working'));
  postJson(node, 'authorize', { ...serviceForm(false), callbackUrl })
    .done((answer: TokenAnswer) => {
      if (!answer.ok || !answer.authorizeUrl) {
        tokenWindow.close();
        tokenFailed(node, answer);
        return;
      }
      if (!oob) listenForCallback(node);
      $('#oauth1-config-token-pin-row').toggle(oob);
      showTokenResult(undefined, node._(oob ? 'oauth1-config.token.enterPin' : 'oauth1-config.token.approve'));
      tokenWindow.location.href = answer.authorizeUrl;
    })
    .fail((xhr: JQuery.jqXHR) => {
      tokenWindow.close();
      tokenFailed(node, xhr);
    });
}

function sendPin(node: DialogNode): void {
  const $pin = $('#oauth1-config-token-pin');
  const verifier = fieldText($pin).trim();
  $pin.val('');
  postJson(node, 'verifier', { verifier })
    .done((answer: TokenAnswer) => {
      if (!answer.ok) return tokenFailed(node, answer);
      $('#oauth1-config-token-pin-row').hide();
      tokenReceived(node, answer);
    })
    .fail((xhr: JQuery.jqXHR) => tokenFailed(node, xhr));
}

/** The sign-in form, or the MFA code for the challenge; the password and code fields are emptied at once. */
function signInBody(mfa: MfaChallenge | undefined): object {
  const $password = $('#oauth1-config-token-password');
  const $code = $('#oauth1-config-token-mfa-code');
  const body = mfa
    ? { mfa: { token: mfa.token, methodId: mfa.methods[0]?.id ?? '', code: fieldText($code).trim() } }
    : { email: fieldText($('#oauth1-config-token-email')).trim(), password: fieldText($password) };
  $password.val('');
  $code.val('');
  return { ...serviceForm(false), ...body };
}

function askForMfaCode(node: DialogNode, mfa: MfaChallenge): void {
  const method = mfa.methods[0];
  const name = method ? method.name || method.type || '' : '';
  $('#oauth1-config-token-mfa-method').text(name);
  $('#oauth1-config-token-mfa-row').show();
  $('#oauth1-config-token-mfa-code').trigger('focus');
  showTokenResult(undefined, node._('oauth1-config.token.mfa', { method: name }));
}

/** Extra Horizon: email and password, then the MFA code when the account asks for one. */
function signIn(node: DialogNode, state: { mfa?: MfaChallenge }): void {
  const $button = $('#oauth1-config-token-sign-in').prop('disabled', true);
  showTokenResult(undefined, node._('oauth1-config.token.working'));
  postJson(node, 'password-token', signInBody(state.mfa))
    .done((answer: TokenAnswer) => {
      if (answer.ok) {
        state.mfa = undefined;
        $('#oauth1-config-token-mfa-row').hide();
        return tokenReceived(node, answer);
      }
      if (answer.mfa) {
        state.mfa = answer.mfa;
        return askForMfaCode(node, answer.mfa);
      }
      tokenFailed(node, answer);
    })
    .fail((xhr: JQuery.jqXHR) => tokenFailed(node, xhr))
    .always(() => $button.prop('disabled', false));
}

/**
 * The token section as the chosen preset has it (tokenWays of src/lib/presets.ts): Sign in,
 * Get token with its URLs, or neither, and the help that describes only what is shown.
 */
function showTokenWays(node: DialogNode): void {
  const ways = tokenWays(findPreset(fieldText(input('preset'))));
  $('.oauth1-config-token-password').toggle(ways.signIn);
  $('.oauth1-config-token-three-legged').toggle(ways.getToken);
  $('#oauth1-config-token-tip').html(node._(`oauth1-config.tokenTip.${ways.help}`));
}

export function setupTokenSection(node: DialogNode): void {
  const state: { mfa?: MfaChallenge } = {};
  input('preset').on('change', () => showTokenWays(node));
  showTokenWays(node);
  $('#oauth1-config-get-token').on('click', () => getToken(node));
  $('#oauth1-config-token-pin-send').on('click', () => sendPin(node));
  $('#oauth1-config-token-sign-in').on('click', () => signIn(node, state));
}
