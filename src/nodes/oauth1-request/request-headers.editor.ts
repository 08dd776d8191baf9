/** The request dialog's headers list, stored as the core http request node stores it. */
import type { EditorWidgetTypedInputTypeDefinition } from 'node-red';
import type { HeaderRow } from './oauth1-request.properties';

const NAMES = ['Accept', 'Accept-Language', 'Content-Type', 'Cache-Control', 'User-Agent'];
const VALUE_TYPES: EditorWidgetTypedInputTypeDefinition[] = [
  { value: 'other', label: 'value', icon: 'red/images/typedInput/az.svg' },
  { value: 'msg', label: 'msg.' },
];
const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
  'application/xml',
  'application/octet-stream',
];
const CONTAINER = '#node-input-headers-container';

function nameTypes(): EditorWidgetTypedInputTypeDefinition[] {
  return [...NAMES.map((name) => ({ value: name, label: name, hasValue: false })), { value: 'other', label: 'other', icon: 'red/images/typedInput/az.svg' }];
}

function valueTypes(name: string | undefined): EditorWidgetTypedInputTypeDefinition[] {
  if ((name ?? '').toLowerCase() !== 'content-type') return VALUE_TYPES;
  return [...CONTENT_TYPES.map((type) => ({ value: type, label: type, hasValue: false })), ...VALUE_TYPES];
}

function known(types: EditorWidgetTypedInputTypeDefinition[], value: string): boolean {
  return types.some((type) => type.value === value);
}

function typedInputIn($row: JQuery, className: string, marginLeft: string): JQuery {
  return $('<input/>', { class: className, type: 'text', style: 'width: 100%' }).appendTo(
    $('<div/>').css({ 'flex-grow': 1, 'margin-left': marginLeft }).appendTo($row),
  );
}

/** The name as saved: one of the offered names, else `other` with the typed name. */
function showName($name: JQuery, header: HeaderRow): void {
  if (header.keyType && header.keyType !== 'other' && known(nameTypes(), header.keyType)) {
    $name.typedInput('type', header.keyType);
    return;
  }
  $name.typedInput('type', 'other');
  $name.typedInput('value', header.keyType === 'other' ? header.keyValue || '' : header.keyType || '');
}

/** The value as saved: `msg`/`other` with its text, one of the offered content types, else `other` with the saved type as text. */
function showValue($value: JQuery, $name: JQuery, header: HeaderRow): void {
  $value.typedInput('types', valueTypes($name.typedInput('type')));
  if (header.valueType === 'msg' || header.valueType === 'other') {
    $value.typedInput('type', header.valueType);
    $value.typedInput('value', header.valueValue || '');
  } else if (header.valueType && known(valueTypes($name.typedInput('type')), header.valueType)) {
    $value.typedInput('type', header.valueType);
  } else if (header.valueType) {
    $value.typedInput('type', 'other');
    $value.typedInput('value', header.valueType);
  }
}

function addRow(container: JQuery, _index: number, header: HeaderRow): void {
  const $row = $('<div/>').css({ display: 'flex', whiteSpace: 'nowrap' }).appendTo(container);
  const $name = typedInputIn($row, 'node-input-header-name', '0');
  $name.typedInput({ types: nameTypes() });
  const $value = typedInputIn($row, 'node-input-header-value', '10px');
  $value.typedInput({ types: valueTypes(header.keyType) });
  showName($name, header);
  showValue($value, $name, header);
  $name.on('change', () => $value.typedInput('types', valueTypes($name.typedInput('type'))));
}

export function prepareHeaders(headers: HeaderRow[] | undefined): void {
  const $list = $(CONTAINER).css('min-height', '120px');
  $list.editableList<HeaderRow>({ addItem: addRow, sortable: true, removable: true });
  for (const header of headers ?? []) $list.editableList('addItem', header);
}

export function readHeaders(): HeaderRow[] {
  const headers: HeaderRow[] = [];
  $(CONTAINER)
    .editableList('items')
    .each((_, item) => {
      const $name = $(item).find('.node-input-header-name');
      const $value = $(item).find('.node-input-header-value');
      headers.push({
        keyType: $name.typedInput('type'),
        keyValue: $name.typedInput('value'),
        valueType: $value.typedInput('type'),
        valueValue: $value.typedInput('value'),
      });
    });
  return headers;
}
