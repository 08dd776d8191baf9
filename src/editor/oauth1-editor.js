/**
 * The editor side every node dialog of this package shares, served to the browser as
 * resources/node-red-contrib-oauth1/oauth1-editor.js. scripts/build.js wraps this file with
 * the constants the runtime uses (HTTP methods, priorities, signature methods, placements),
 * read from the compiled src/lib modules, so the editor never keeps a copy of its own.
 */
/* exported createOAuth1Editor */
'use strict';

/** What our palette nodes have in common; a node's definition may add to it. */
var PALETTE_NODE = { category: 'network', color: '#9FC4E7', inputs: 1, outputs: 1 };

function translated(key) {
  return function () {
    return this._(key);
  };
}

/**
 * Registers a palette node: its icon is `<type>.svg`, its palette, input and output labels
 * come from the catalog keys `<type>.paletteLabel`, `.inputLabel` and `.outputLabel`, and it
 * shows its name in italics, else `describe()` (what it does), else the palette label.
 */
function registerNode(type, definition) {
  var describe = definition.describe;
  var full = $.extend(
    {},
    PALETTE_NODE,
    {
      icon: type + '.svg',
      paletteLabel: translated(type + '.paletteLabel'),
      inputLabels: translated(type + '.inputLabel'),
      outputLabels: translated(type + '.outputLabel'),
      label: function () {
        return this.name || (describe && describe.call(this)) || this._(type + '.paletteLabel');
      },
      labelStyle: function () {
        return this.name ? 'node_label_italic' : '';
      },
    },
    definition,
  );
  delete full.describe;
  RED.nodes.registerType(type, full);
}

/** Registers a config node: labelled by its name, else `describe()`, else its palette label. */
function registerConfigNode(type, definition) {
  var describe = definition.describe;
  var full = $.extend(
    {
      category: 'config',
      paletteLabel: translated(type + '.paletteLabel'),
      label: function () {
        return this.name || (describe && describe.call(this)) || this._(type + '.paletteLabel');
      },
    },
    definition,
  );
  delete full.describe;
  RED.nodes.registerType(type, full);
}

/**
 * Replaces a <select>'s options by one per value, labelled by `labelOf(value)` (default: the
 * value). Node-RED sets a select's value before oneditprepare, when these options are not
 * there yet, so the caller sets it again afterwards.
 */
function fillSelect($select, values, labelOf) {
  $select.empty();
  values.forEach(function (value) {
    $('<option></option>')
      .val(value)
      .text(labelOf ? labelOf(value) : value)
      .appendTo($select);
  });
  return $select;
}

function isOneOf(values) {
  return function (value) {
    return values.indexOf(value) >= 0;
  };
}

/** The window "Get token" opens, and the listener for its callback page; one dialog at a time. */
var tokenWindow = null;
var tokenListener = null;

/** A config dialog field, or the node's saved property when the dialog has no such field. */
function dialogValue(node, name) {
  var $field = $('#node-config-input-' + name);
  return $field.length ? $field.val() || '' : node[name] || '';
}

/** The config dialog as the token routes take it: a password left unchanged is `__PWRD__`, resolved by the runtime. */
function tokenForm(node) {
  var tls = dialogValue(node, 'tls');
  var form = { credentials: {} };
  ['preset', 'baseUrl', 'scheme', 'placement', 'signatureMethod', 'extraOrigins', 'requestTokenUrl', 'authorizeUrl', 'accessTokenUrl'].forEach(function (name) {
    form[name] = dialogValue(node, name);
  });
  form.tls = tls && tls !== '_ADD_' ? tls : '';
  form.realm = dialogValue(node, 'realm');
  form.bodyHash = $('#node-config-input-bodyHash').is(':checked');
  form.credentials.consumerKey = $('#node-config-input-consumerKey').val();
  form.credentials.consumerSecret = $('#node-config-input-consumerSecret').val();
  // RSA-SHA* (Jira, Confluence) signs the token requests with the private key.
  form.credentials.privateKey = $('#node-config-input-privateKey').val();
  return form;
}

function postJson(node, route, body) {
  return $.ajax({
    url: 'oauth1-config/' + encodeURIComponent(node.id) + '/' + route,
    type: 'POST',
    contentType: 'application/json',
    data: JSON.stringify(body),
  });
}

function showTokenResult(ok, text) {
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
function tokenReceived(node, answer) {
  $('#node-config-input-token').val(answer.token).trigger('change');
  $('#node-config-input-tokenSecret').val('__PWRD__');
  showTokenResult(true, answer.who ? node._('oauth1-config.token.setFor', { who: answer.who }) : node._('oauth1-config.token.set'));
}

function tokenFailed(node, xhrOrAnswer) {
  var message = xhrOrAnswer.responseJSON ? xhrOrAnswer.responseJSON.message : xhrOrAnswer.message;
  showTokenResult(false, node._('oauth1-config.token.failed', { message: message || xhrOrAnswer.statusText || String(xhrOrAnswer.status) }));
}

/** Waits for the callback page of this node: only from the editor's own origin. */
function listenForCallback(node) {
  if (tokenListener) window.removeEventListener('message', tokenListener);
  tokenListener = function (event) {
    var data = event.data;
    if (event.origin !== window.location.origin || !data || data.type !== 'oauth1-config-token' || data.id !== node.id) return;
    window.removeEventListener('message', tokenListener);
    tokenListener = null;
    if (data.ok) tokenReceived(node, data);
    else tokenFailed(node, data);
  };
  window.addEventListener('message', tokenListener);
}

/** "Get token": a request token for this editor's callback (or oob), then the provider's page in a new window. */
function getToken(node) {
  var oob = $('#oauth1-config-token-oob').is(':checked');
  var callbackUrl = oob ? 'oob' : new URL('oauth1-config/' + encodeURIComponent(node.id) + '/callback', document.baseURI).href;
  // Opened now, inside the click: a window opened after the answer would be blocked.
  tokenWindow = window.open('', 'oauth1-config-token');
  if (!tokenWindow) {
    showTokenResult(false, node._('oauth1-config.token.popupBlocked'));
    return;
  }
  showTokenResult(undefined, node._('oauth1-config.token.working'));
  postJson(node, 'authorize', $.extend(tokenForm(node), { callbackUrl: callbackUrl }))
    .done(function (answer) {
      if (!answer.ok) {
        tokenWindow.close();
        tokenFailed(node, answer);
        return;
      }
      if (!oob) listenForCallback(node);
      $('#oauth1-config-token-pin-row').toggle(oob);
      showTokenResult(undefined, node._(oob ? 'oauth1-config.token.enterPin' : 'oauth1-config.token.approve'));
      tokenWindow.location.href = answer.authorizeUrl;
    })
    .fail(function (xhr) {
      tokenWindow.close();
      tokenFailed(node, xhr);
    });
}

function sendPin(node) {
  var $pin = $('#oauth1-config-token-pin');
  var verifier = $pin.val().trim();
  $pin.val('');
  postJson(node, 'verifier', { verifier: verifier })
    .done(function (answer) {
      if (!answer.ok) return tokenFailed(node, answer);
      $('#oauth1-config-token-pin-row').hide();
      tokenReceived(node, answer);
    })
    .fail(function (xhr) {
      tokenFailed(node, xhr);
    });
}

/** Extra Horizon: email and password, then the MFA code when the account asks for one. The password field is emptied at once. */
function signIn(node, state) {
  var $password = $('#oauth1-config-token-password');
  var $code = $('#oauth1-config-token-mfa-code');
  var body = tokenForm(node);
  if (state.mfa) {
    body.mfa = { token: state.mfa.token, methodId: state.mfa.methods[0] ? state.mfa.methods[0].id : '', code: $code.val().trim() };
  } else {
    body.email = $('#oauth1-config-token-email').val().trim();
    body.password = $password.val();
  }
  $password.val('');
  $code.val('');
  var $button = $('#oauth1-config-token-sign-in').prop('disabled', true);
  showTokenResult(undefined, node._('oauth1-config.token.working'));
  postJson(node, 'password-token', body)
    .done(function (answer) {
      if (answer.ok) {
        state.mfa = null;
        $('#oauth1-config-token-mfa-row').hide();
        return tokenReceived(node, answer);
      }
      if (answer.mfa) {
        state.mfa = answer.mfa;
        var method = answer.mfa.methods[0];
        $('#oauth1-config-token-mfa-method').text(method ? method.name || method.type || '' : '');
        $('#oauth1-config-token-mfa-row').show();
        $code.focus();
        return showTokenResult(undefined, node._('oauth1-config.token.mfa', { method: method ? method.name || method.type : '' }));
      }
      tokenFailed(node, answer);
    })
    .fail(function (xhr) {
      tokenFailed(node, xhr);
    })
    .always(function () {
      $button.prop('disabled', false);
    });
}

/**
 * The token section as the chosen preset has it (tokenWays of src/lib/presets.ts): Sign in,
 * Get token with its URLs, or neither, and the help that describes only what is shown.
 */
function showTokenWays(node, ways) {
  $('.oauth1-config-token-password').toggle(ways.signIn);
  $('.oauth1-config-token-three-legged').toggle(ways.getToken);
  $('#oauth1-config-token-tip').html(node._('oauth1-config.tokenTip.' + ways.help));
}

/**
 * The config dialog's "Token" section (issue 12): "Get token" for 3-legged services, and
 * email + password sign-in for the Extra Horizon preset. The token secret and the password
 * never come back to the browser; the dialog shows that a token is set, and for whom.
 */
function setupTokenSection(node, findPreset, tokenWays) {
  var state = { mfa: null };
  function showForPreset() {
    showTokenWays(node, tokenWays(findPreset(dialogValue(node, 'preset'))));
  }
  $('#node-config-input-preset').on('change', showForPreset);
  showForPreset();
  $('#oauth1-config-get-token').on('click', function () {
    getToken(node);
  });
  $('#oauth1-config-token-pin-send').on('click', function () {
    sendPin(node);
  });
  $('#oauth1-config-token-sign-in').on('click', function () {
    signIn(node, state);
  });
}

/** The service preset of this id in `presets` (src/lib/presets.ts, served as `PRESETS`), else Custom. */
function presetById(presets, id) {
  var custom;
  for (var i = 0; i < presets.length; i++) {
    if (presets[i].id === id) return presets[i];
    if (presets[i].id === 'custom') custom = presets[i];
  }
  return custom;
}

/** A preset's help paragraph (HTML of our own table) and links to its documentation, opened in a new tab. */
function presetHelp(preset, docsLabel) {
  var $help = $('<div></div>').append($('<p></p>').html(preset.help));
  var $links = $('<p></p>').text(docsLabel + ' ');
  preset.docs.forEach(function (doc, index) {
    if (index) $links.append(' · ');
    $('<a target="_blank" rel="noopener noreferrer"></a>').attr('href', doc.url).text(doc.title).appendTo($links);
  });
  return $help.append($links);
}

/*
 * The Explain panel and the diagnosis of a refused signature (issue 18), kept apart from the
 * dialog's other sections. The runtime signs (POST oauth1-config/<id>/explain) and answers
 * what it would send; it never sends it, and never answers a secret.
 */

/** A labelled block of preformatted text, such as the base string. */
function preformatted(label, text) {
  return $('<div class="oauth1-config-explain-block"></div>')
    .append($('<div class="oauth1-config-explain-label"></div>').text(label))
    .append($('<pre class="oauth1-config-explain-pre"></pre>').text(text));
}

/** What was signed: base string, parameters (oauth_signature never among them), and for a refusal its likely cause. */
function renderSigning(node, signing) {
  var $out = $('<div class="oauth1-config-signing"></div>');
  if (signing.cause) {
    $('<div class="oauth1-config-explain-cause"></div>')
      .append($('<span></span>').text(node._('oauth1-config.explain.cause') + ' ' + signing.cause.text + ' '))
      .append($('<a target="_blank" rel="noopener noreferrer"></a>').attr('href', signing.cause.help).text(node._('oauth1-config.explain.help')))
      .appendTo($out);
  }
  $out.append(preformatted(node._('oauth1-config.explain.baseString'), signing.baseString));
  var $table = $('<table class="oauth1-config-explain-parameters"></table>');
  signing.parameters.forEach(function (parameter) {
    $('<tr></tr>').append($('<td></td>').text(parameter.name)).append($('<td></td>').text(parameter.value)).appendTo($table);
  });
  $out.append($('<div class="oauth1-config-explain-label"></div>').text(node._('oauth1-config.explain.parameters'))).append($table);
  return $out;
}

function showExplanation(node, answer) {
  var $result = $('#oauth1-config-explain-result').empty().show();
  if (!answer.ok) {
    $result.append($('<div class="oauth1-config-test-failed"></div>').text(answer.message));
    return;
  }
  $result.append($('<div class="form-tips"></div>').text(node._('oauth1-config.explain.notSent')));
  if (answer.authorization) $result.append(preformatted(node._('oauth1-config.explain.authorization'), 'Authorization: ' + answer.authorization));
  else $result.append(preformatted(node._('oauth1-config.explain.signedUrl'), answer.signedUrl));
  $result.append(
    preformatted(
      node._('oauth1-config.explain.signature'),
      answer.signature !== undefined ? answer.signature : node._('oauth1-config.explain.signatureHidden'),
    ),
  );
  $result.append(renderSigning(node, answer));
}

/** The panel's request: method, URL, optional form body, nonce and timestamp, posted with the dialog's form. */
function explainRequest(node, formOf) {
  var body = formOf();
  body.explain = {
    method: $('#oauth1-config-explain-method').val(),
    url: $('#oauth1-config-explain-url').val(),
    formBody: $('#oauth1-config-explain-body').val(),
    nonce: $('#oauth1-config-explain-nonce').val(),
    timestamp: $('#oauth1-config-explain-timestamp').val(),
  };
  var $button = $('#oauth1-config-explain-button').prop('disabled', true);
  postJson(node, 'explain', body)
    .done(function (answer) {
      showExplanation(node, answer);
    })
    .fail(function (xhr) {
      var message = (xhr.responseJSON && xhr.responseJSON.message) || xhr.statusText || String(xhr.status);
      showExplanation(node, { ok: false, message: node._('oauth1-config.explain.failed', { message: message }) });
    })
    .always(function () {
      $button.prop('disabled', false);
    });
}

/** Sets up the Explain section; `formOf` gives the dialog as the admin routes read it. */
function setupExplainSection(node, formOf, methods) {
  fillSelect($('#oauth1-config-explain-method'), methods).val('GET');
  $('#oauth1-config-explain-button').on('click', function () {
    explainRequest(node, formOf);
  });
}

function createOAuth1Editor(constants) {
  function findPreset(id) {
    return presetById(constants.PRESETS, id);
  }
  return $.extend(
    {
      registerNode: registerNode,
      registerConfigNode: registerConfigNode,
      fillSelect: fillSelect,
      isOneOf: isOneOf,
      findPreset: findPreset,
      presetHelp: presetHelp,
      setupTokenSection: function (node) {
        setupTokenSection(node, findPreset, constants.tokenWays);
      },
      setupExplainSection: function (node, formOf) {
        setupExplainSection(node, formOf, constants.HTTP_METHODS);
      },
      renderSigning: renderSigning,
    },
    constants,
  );
}
