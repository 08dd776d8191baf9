/** The Extra Horizon `oauth1-get-me` node in the editor. */
import type { EditorNodeProperties } from 'node-red';
import { registerNode } from '../shared/palette.editor';
import { GET_ME_DEFAULTS, type GetMeNodeProperties } from './oauth1-get-me.properties';

interface GetMeProperties extends EditorNodeProperties, GetMeNodeProperties {
  name: string;
}

registerNode<GetMeProperties>('oauth1-get-me', { defaults: GET_ME_DEFAULTS });
