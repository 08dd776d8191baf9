/** The `oauth1-request` node in the editor: a signed HTTP request, with the core http request node's fields. */
import type { EditorNodeProperties } from 'node-red';
import { HTTP_METHODS } from '../../lib/settings';
import { fieldText, fillSelect, registerNode } from '../shared/palette.editor';
import { prepareHeaders, readHeaders, type HeaderRow } from './request-headers.editor';

interface RequestProperties extends EditorNodeProperties {
  server: string;
  method: string;
  url: string;
  ret: string;
  /** `true` in flows of the core node's older versions: the payload goes into the query. */
  paytoqs: string | boolean;
  senderr: boolean;
  followRedirects: boolean;
  proxy: string;
  insecureHTTPParser: boolean;
  headers: HeaderRow[];
}

registerNode<RequestProperties>('oauth1-request', {
  defaults: {
    name: { value: '' },
    server: { value: '', type: 'oauth1-config', required: true },
    method: { value: 'GET' },
    url: { value: '' },
    ret: { value: 'txt' },
    paytoqs: { value: 'ignore' },
    senderr: { value: false },
    followRedirects: { value: true },
    proxy: { value: '', type: 'http proxy', required: false },
    insecureHTTPParser: { value: false },
    headers: { value: [] },
  },
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
    $('#node-input-paytoqs').val(this.paytoqs === true ? 'query' : this.paytoqs || 'ignore');
    $('#node-input-followRedirects').prop('checked', this.followRedirects !== false);
    const $useProxy = $('#node-input-useProxy');
    $useProxy
      .prop('checked', Boolean(this.proxy))
      .on('change', () => $('#node-input-useProxy-row').toggle($useProxy.is(':checked')))
      .trigger('change');
    prepareHeaders(this.headers);
  },
  oneditsave() {
    if (!$('#node-input-useProxy').is(':checked')) $('#node-input-proxy').val('_ADD_');
    this.headers = readHeaders();
  },
});
