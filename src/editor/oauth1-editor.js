/**
 * The editor side every node dialog of this package shares, served to the browser as
 * resources/node-red-contrib-oauth1/oauth1-editor.js. scripts/build.js wraps this file with
 * the constants the runtime uses (HTTP methods, priorities, signature methods, placements),
 * read from the compiled src/lib modules, so the editor never keeps a copy of its own.
 */
/* exported createOAuth1Editor */
function createOAuth1Editor(constants) {
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

  /** The service preset of this id from src/lib/presets.ts (served as `PRESETS`), else Custom. */
  function findPreset(id) {
    var custom;
    for (var i = 0; i < constants.PRESETS.length; i++) {
      if (constants.PRESETS[i].id === id) return constants.PRESETS[i];
      if (constants.PRESETS[i].id === 'custom') custom = constants.PRESETS[i];
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

  return $.extend(
    {
      registerNode: registerNode,
      registerConfigNode: registerConfigNode,
      fillSelect: fillSelect,
      isOneOf: isOneOf,
      findPreset: findPreset,
      presetHelp: presetHelp,
    },
    constants,
  );
}
