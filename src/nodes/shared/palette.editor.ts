/**
 * What the editor side of every node of this package shares: how a node looks in the
 * palette and labels itself, and the helpers its dialog uses. Runs in the Node-RED editor,
 * bundled into each node's script by scripts/build.js.
 */
import type { EditorNodeDef, EditorNodeInstance, EditorNodeProperties, EditorRED } from 'node-red';

declare const RED: EditorRED;

/** Node-RED's definition of a node, with `describe()`: what the node does, its label when it has no name. */
export type NodeDefinition<P extends EditorNodeProperties, C = undefined> = Omit<EditorNodeDef<P, C>, 'category'> & {
  describe?: (this: EditorNodeInstance<P>) => string;
};

/** Its name, else what it does, else its palette label. */
function labelOf<P extends EditorNodeProperties>(type: string, describe: NodeDefinition<P>['describe']) {
  return function (this: EditorNodeInstance<P>): string {
    return this.name || describe?.call(this) || this._(`${type}.paletteLabel`);
  };
}

function translated<P extends EditorNodeProperties>(key: string) {
  return function (this: EditorNodeInstance<P>): string {
    return this._(key);
  };
}

/**
 * Registers a palette node: its icon is `<type>.svg`, its palette, input and output labels
 * come from the catalog keys `<type>.paletteLabel`, `.inputLabel` and `.outputLabel`, and it
 * shows its name in italics, else `describe()`, else the palette label.
 */
export function registerNode<P extends EditorNodeProperties, C = undefined>(type: string, definition: NodeDefinition<P, C>): void {
  const { describe, ...rest } = definition;
  RED.nodes.registerType<P, C>(type, {
    category: 'network',
    color: '#9FC4E7',
    inputs: 1,
    outputs: 1,
    icon: `${type}.svg`,
    paletteLabel: translated<P>(`${type}.paletteLabel`),
    inputLabels: translated<P>(`${type}.inputLabel`),
    outputLabels: translated<P>(`${type}.outputLabel`),
    label: labelOf<P>(type, describe),
    labelStyle(this: EditorNodeInstance<P>) {
      return this.name ? 'node_label_italic' : '';
    },
    ...rest,
  });
}

/** Registers a config node: labelled by its name, else `describe()`, else its palette label. */
export function registerConfigNode<P extends EditorNodeProperties, C = undefined>(type: string, definition: NodeDefinition<P, C>): void {
  const { describe, ...rest } = definition;
  RED.nodes.registerType<P, C>(type, { category: 'config', paletteLabel: translated<P>(`${type}.paletteLabel`), label: labelOf<P>(type, describe), ...rest });
}

/** A field's text: '' for an empty field, a missing one or a multiple select. */
export function fieldText($field: JQuery): string {
  const value = $field.val();
  return typeof value === 'string' ? value : '';
}

/**
 * Replaces a <select>'s options by one per value, labelled by `labelOf(value)` (default: the
 * value). Node-RED sets a select's value before oneditprepare, when these options are not
 * there yet, so the caller sets it again afterwards.
 */
export function fillSelect($select: JQuery, values: readonly string[], labelOf?: (value: string) => string): JQuery {
  $select.empty();
  for (const value of values)
    $('<option></option>')
      .val(value)
      .text(labelOf ? labelOf(value) : value)
      .appendTo($select);
  return $select;
}

/** Text as HTML, for a value put into a catalog text that is shown with `.html()`. */
export function escapeHtml(text: string): string {
  return $('<span></span>').text(text).html();
}
