/** The Extra Horizon `oauth1-get-me` node in the editor. */
import type { EditorNodeProperties } from 'node-red';
import { registerNode } from '../shared/palette.editor';

interface GetMeProperties extends EditorNodeProperties {
  server: string;
}

registerNode<GetMeProperties>('oauth1-get-me', {
  defaults: {
    name: { value: '' },
    server: { value: '', type: 'oauth1-config', required: true },
  },
});
