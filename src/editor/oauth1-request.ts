/** The `oauth1-request` node in the editor: a signed HTTP request. */
import type { EditorNodeProperties } from 'node-red';
import { HTTP_METHODS } from '../lib/settings';
import { fillSelect, registerNode } from './palette';

interface RequestProperties extends EditorNodeProperties {
  server: string;
  method: string;
  url: string;
  ret: string;
}

registerNode<RequestProperties>('oauth1-request', {
  defaults: {
    name: { value: '' },
    server: { value: '', type: 'oauth1-config', required: true },
    method: { value: 'GET' },
    url: { value: '' },
    ret: { value: 'txt' },
  },
  describe() {
    const method = this.method && this.method !== 'use' ? `${this.method} ` : '';
    return this.url ? `oauth1 ${method}${this.url}` : '';
  },
  oneditprepare() {
    fillSelect($('#node-input-method'), HTTP_METHODS)
      .append($('<option value="use"></option>').text(this._('oauth1-request.method.use')))
      .val(this.method || 'GET');
  },
});
