/**
 * The config dialog follows the chosen service preset (src/lib/presets.ts): a preset change
 * fills the fields the previous preset filled and the user left untouched, and the hints
 * (help, examples, NetSuite's account id, Custom's probe) follow the preset.
 */
import type { EditorNodeInstance } from 'node-red';
import { netsuiteSettings, type PresetSettings, type ServicePreset } from '../../lib/presets';
import { escapeHtml, fieldText } from '../shared/palette.editor';
import { input } from './service-form.editor';

/** Fields a preset fills (PresetSettings), by their input ids. */
const PRESET_FIELDS = [
  'baseUrl',
  'scheme',
  'placement',
  'signatureMethod',
  'realm',
  'bodyHash',
  'extraOrigins',
  'requestTokenUrl',
  'authorizeUrl',
  'accessTokenUrl',
] as const;

/** The limit fields a preset fills where its service documents them (ServicePreset.limits). */
const LIMIT_FIELDS = ['maxConcurrent', 'rateLimit', 'ratePeriod', 'maxWait'] as const;

type FieldValue = string | boolean;
/** Field name → the value the dialog last put there. */
export type FilledFields = Partial<Record<string, FieldValue>>;
/** The node type's defaults, as Node-RED keeps them. */
export type FieldDefaults = Record<(typeof PRESET_FIELDS)[number] | (typeof LIMIT_FIELDS)[number], { value: FieldValue }>;

/** What a preset puts in each field it fills: its settings, and its limits as the fields show numbers. */
function presetValues(preset: ServicePreset): FilledFields {
  const limits = Object.entries(preset.limits ?? {}).map(([name, value]): [string, string] => [name, String(value)]);
  return { ...preset.settings, ...Object.fromEntries(limits) };
}

function setField(name: string, value: FieldValue): void {
  const $field = input(name);
  if ($field.is(':checkbox')) $field.prop('checked', value === true);
  else $field.val(String(value));
  $field.trigger('change');
}

/** A field's value as the dialog compares it: a checkbox's state, else its text. */
function fieldValue(name: string): FieldValue {
  const $field = input(name);
  return $field.is(':checkbox') ? $field.is(':checked') : fieldText($field);
}

/** Sets a field and remembers that the dialog, not the user, chose this value. */
function fill(filled: FilledFields, name: string, value: FieldValue): void {
  setField(name, value);
  filled[name] = fieldValue(name);
}

/**
 * Fills the chosen preset's settings (a field it does not set goes back to its default: a
 * base URL, realm or 3-legged URL of another service would be wrong) into every field the
 * user left as the dialog filled it, or at its default. What the user typed stays.
 */
export function applyPreset(preset: ServicePreset, defaults: FieldDefaults, filled: FilledFields): void {
  const values = presetValues(preset);
  for (const name of [...PRESET_FIELDS, ...LIMIT_FIELDS]) {
    const current = fieldValue(name);
    const untouched = current === filled[name] || current === defaults[name].value;
    if (untouched) fill(filled, name, values[name] ?? defaults[name].value);
  }
}

/** What the preset of a saved node filled (NetSuite: from its account id, the realm): where the node still has those values, they count as untouched. */
export function filledByOpenedPreset(preset: ServicePreset, realm: string | undefined): FilledFields {
  const derived = preset.accountId ? netsuiteSettings(realm ?? '') : undefined;
  return { ...presetValues(preset), ...derived };
}

/** NetSuite: the account id fills realm, base URL, "Also sign for" and the 3-legged URLs (netsuiteSettings of src/lib/presets.ts). */
export function applyAccountId(accountId: string, filled: FilledFields): void {
  const derived: Partial<PresetSettings> | undefined = netsuiteSettings(accountId);
  $('#oauth1-config-accountId-problem').toggle(Boolean(accountId.trim()) && !derived);
  if (!derived) return;
  for (const [name, value] of Object.entries(derived)) fill(filled, name, value);
}

/** The preset's label without its parenthesis, for examples: "X (Twitter) API" → "X". */
function shortLabel(preset: ServicePreset): string {
  return preset.label.replace(/\s*\(.*$/, '');
}

/** A preset's help paragraph (HTML of our own table) and links to its documentation, opened in a new tab. */
function presetHelp(preset: ServicePreset, docsLabel: string): JQuery {
  const $links = $('<p></p>').text(`${docsLabel} `);
  preset.docs.forEach((doc, index) => {
    if (index) $links.append(' · ');
    $('<a target="_blank" rel="noopener noreferrer"></a>').attr('href', doc.url).text(doc.title).appendTo($links);
  });
  return $('<div></div>').append($('<p></p>').html(preset.help)).append($links);
}

/**
 * Shows what depends on the preset: its help and docs, the account id (NetSuite), the probe
 * path (Custom), and the examples of the name, the base URL and a relative URL.
 */
export function showPreset(node: EditorNodeInstance, preset: ServicePreset): void {
  $('#oauth1-config-preset-help')
    .empty()
    .append(presetHelp(preset, node._('oauth1-config.presetDocs')));
  $('.oauth1-config-netsuite-only').toggle(Boolean(preset.accountId));
  $('.oauth1-config-custom-only').toggle(!preset.probe);
  const name =
    preset.id === 'custom' ? node._('oauth1-config.placeholder.name') : node._('oauth1-config.placeholder.namePreset', { service: shortLabel(preset) });
  input('name').attr('placeholder', name);
  const base = preset.settings.baseUrl || preset.baseUrlExample;
  input('baseUrl').attr('placeholder', base || node._('oauth1-config.placeholder.baseUrl'));
  const probe = preset.probe ? preset.probe.path : fieldText(input('probePath'));
  const example = { base: escapeHtml(base || 'https://api.example.com'), relative: escapeHtml(probe || 'v1/items') };
  $('#oauth1-config-baseUrl-tip').html(node._('oauth1-config.tip.baseUrl', example));
  $('#oauth1-config-test-tip').html(node._('oauth1-config.tip.test', { probe: escapeHtml(`GET ${probe || '…'}`) }));
}
