/** The `oauth1-request` node in the editor: a signed HTTP request, with the core http request node's fields. */
import type { EditorNodeProperties } from 'node-red';
import { HTTP_METHODS } from '../../lib/constants';
import { fieldText, fillSelect, registerNode } from '../shared/palette.editor';
import { NO_CONFIG_NODE } from '../shared/node.properties';
import { payloadToQuery, REQUEST_DEFAULTS, type RequestNodeProperties } from './oauth1-request.properties';
import { prepareHeaders, readHeaders } from './request-headers.editor';

interface RequestProperties extends EditorNodeProperties, RequestNodeProperties {
  name: string;
}

registerNode<RequestProperties>('oauth1-request', {
  defaults: REQUEST_DEFAULTS,
  describe() {
    const method = this.method && this.method !== 'use' ? `${this.method} ` : '';
    return this.url ? `oauth1 ${method}${this.url}` : '';
  },
  oneditprepare() {
    const $method = fillSelect($('#node-input-method'), HTTP_METHODS)
      .append($('<option value="use"></option>').text(this._('oauth1-request.method.use')))
      .val(this.method || 'GET');
    // As the core node: the payload-as-query choice matters for GET only.
    $method.on('change', () => $('.node-input-paytoqs-row').toggle(['GET', 'use'].includes(fieldText($method)))).trigger('change');
    $('#node-input-paytoqs').val(payloadToQuery(this.paytoqs));
    $('#node-input-followRedirects').prop('checked', this.followRedirects !== false);
    const $useProxy = $('#node-input-useProxy');
    $useProxy
      .prop('checked', Boolean(this.proxy))
      .on('change', () => $('#node-input-useProxy-row').toggle($useProxy.is(':checked')))
      .trigger('change');
    prepareHeaders(this.headers);
  },
  oneditsave() {
    if (!$('#node-input-useProxy').is(':checked')) $('#node-input-proxy').val(NO_CONFIG_NODE);
    this.headers = readHeaders();
  },
});
