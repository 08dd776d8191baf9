/** The Alteryx `oauth1-run-workflow` node in the editor: the workflow picker, its questions, priority and output. */
import type { EditorNodeInstance, EditorNodeProperties } from 'node-red';
import { JOB_ACTIONS, PRIORITIES } from '../../lib/constants';
import { configNodeId } from '../shared/node.properties';
import { fieldText, fillSelect, registerNode } from '../shared/palette.editor';
import { RUN_WORKFLOW_DEFAULTS, type RunWorkflowNodeProperties } from './oauth1-run-workflow.properties';

const TEXT_FORMATS = ['Csv', 'Json', 'Html', 'Xml', 'Txt'];
const BINARY_FORMATS = ['Xlsx', 'Yxdb', 'Pdf'];

interface RunWorkflowProperties extends EditorNodeProperties, RunWorkflowNodeProperties {
  name: string;
}

type RunWorkflowNode = EditorNodeInstance<RunWorkflowProperties>;

/** What the admin routes list (src/nodes/oauth1-run-workflow/admin.ts). */
interface Workflow {
  id: string;
  name: string;
  description?: string;
}

interface Question {
  name: string;
  description?: string;
  questionType?: string;
  /** The default answer. */
  value?: string | number | boolean | null;
  items?: Array<{ key: string }>;
}

/** The open dialog: its node, and the workflows the server listed (id → name). */
interface Dialog {
  node: RunWorkflowNode;
  known: Record<string, string>;
}

/** The output limits' defaults, as the dialog shows them to a node saved before the limits existed. */
const LIMITS = { maxOutputs: RUN_WORKFLOW_DEFAULTS.maxOutputs.value, maxOutputsMB: RUN_WORKFLOW_DEFAULTS.maxOutputsMB.value };

function t(node: RunWorkflowNode, key: string, values?: Record<string, string | number>): string {
  return node._(`oauth1-run-workflow.${key}`, values);
}

function option(value: string, label: string): JQuery {
  return $('<option></option>').val(value).text(label);
}

function fillOutputFormats(node: RunWorkflowNode): void {
  const $format = $('#node-input-outputFormat');
  $format.empty().append(option('', t(node, 'outputFormat.none')));
  for (const format of TEXT_FORMATS) $format.append(option(format, t(node, 'outputFormat.text', { format })));
  for (const format of BINARY_FORMATS) $format.append(option(format, t(node, 'outputFormat.binary', { format })));
  $format.append(option('Raw', t(node, 'outputFormat.raw')));
  const saved = node.outputFormat;
  if (saved && !$format.find('option').filter((_, element) => $(element).val() === saved).length) $format.append(option(saved, saved));
  $format.val(saved || '');
}

function serverId(): string {
  return configNodeId(fieldText($('#node-input-server')));
}

function adminUrl(path: string): string {
  return `oauth1-run-workflow/${encodeURIComponent(serverId())}${path}`;
}

/** Why a request of the dialog failed: the route's own `{ok: false, message}`, else what the status means. */
function failure(node: RunWorkflowNode, xhr: JQuery.jqXHR): string {
  const body: unknown = xhr.responseJSON;
  const message = typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string' ? body.message : '';
  if (message) return message;
  // Node-RED's own permission check answers with no message of ours.
  if (xhr.status === 401 || xhr.status === 403) return t(node, 'picker.notPermitted');
  return xhr.statusText || '?';
}

function workflowId(): string {
  return fieldText($('#node-input-workflowId')).trim();
}

function note(node: RunWorkflowNode, key: string, values?: Record<string, string>): void {
  $('#oauth1-run-workflow-questions')
    .empty()
    .append($('<span></span>').text(t(node, key, values)));
}

function questionsTable(node: RunWorkflowNode, questions: Question[]): JQuery {
  const $table = $('<table class="red-ui-info-table"></table>');
  $('<tr></tr>')
    .append($('<th></th>').text(t(node, 'questions.question')))
    .append($('<th></th>').text(t(node, 'questions.type')))
    .append($('<th></th>').text(t(node, 'questions.default')))
    .appendTo($table);
  for (const question of questions) {
    const choices = (question.items ?? []).map((item) => item.key).join(', ');
    $('<tr></tr>')
      .append(
        $('<td></td>')
          .append($('<code></code>').text(question.name))
          .attr('title', question.description ?? ''),
      )
      .append($('<td></td>').text(String(question.questionType ?? '').replace(/^Question/, '')))
      .append(
        $('<td></td>')
          .text(question.value == null ? '' : String(question.value))
          .attr('title', choices ? t(node, 'questions.oneOf', { choices }) : ''),
      )
      .appendTo($table);
  }
  return $table;
}

/** The questions of the workflow typed in or picked; an answer for a workflow no longer shown is dropped. */
function showQuestions(node: RunWorkflowNode): void {
  const id = workflowId();
  if (!id) return note(node, 'questions.none');
  if (!serverId()) {
    $('#oauth1-run-workflow-questions').empty();
    return;
  }
  note(node, 'questions.loading');
  $.getJSON(adminUrl(`/workflows/${encodeURIComponent(id)}/questions`))
    .done((questions: Question[]) => {
      if (workflowId() !== id) return;
      if (!questions.length) return note(node, 'questions.empty');
      $('#oauth1-run-workflow-questions').empty().append(questionsTable(node, questions));
    })
    .fail((xhr: JQuery.jqXHR) => {
      if (workflowId() === id) note(node, 'questions.failed', { message: failure(node, xhr) });
    });
}

function loadWorkflows(dialog: Dialog): void {
  const { node } = dialog;
  const $picker = $('#node-input-oauth1-workflow-picker');
  if (!serverId()) {
    $picker.empty().append(option('', t(node, 'picker.selectService')));
    return;
  }
  $picker.empty().append(option('', t(node, 'picker.loading')));
  $.getJSON(adminUrl('/workflows'))
    .done((workflows: Workflow[]) => {
      dialog.known = {};
      $picker.empty().append(option('', t(node, 'picker.count', { count: workflows.length })));
      for (const workflow of workflows) {
        dialog.known[workflow.id] = workflow.name;
        $picker.append(option(workflow.id, `${workflow.name} (${workflow.id})`).attr('title', workflow.description ?? ''));
      }
      const id = workflowId();
      $picker.val(dialog.known[id] ? id : '');
      if (dialog.known[id]) $('#node-input-workflowName').val(dialog.known[id]);
    })
    .fail((xhr: JQuery.jqXHR) => {
      $picker.empty().append(option('', t(node, 'picker.failed', { message: failure(node, xhr) })));
    });
}

/** The picker fills the id, the id selects the picker; questions follow, once per pause in typing. */
function linkPickerAndId(dialog: Dialog): void {
  const $picker = $('#node-input-oauth1-workflow-picker');
  $picker.on('change', () => {
    const id = fieldText($picker);
    if (!id) return;
    $('#node-input-workflowId').val(id);
    $('#node-input-workflowName').val(dialog.known[id] ?? '');
    showQuestions(dialog.node);
  });
  let typing: ReturnType<typeof setTimeout> | undefined;
  $('#node-input-workflowId').on('input', () => {
    const id = workflowId();
    $('#node-input-workflowName').val(dialog.known[id] ?? '');
    $picker.val(dialog.known[id] ? id : '');
    clearTimeout(typing);
    typing = setTimeout(() => showQuestions(dialog.node), 400);
  });
}

/** A run shows what starts and waits for a job; a look-up by msg.jobId needs only the format of outputs. */
function showRows(): void {
  const action = fieldText($('#node-input-action')) || 'run';
  const run = action === 'run';
  const waits = run && $('#node-input-wait').is(':checked');
  $('.oauth1-run-workflow-run').toggle(run);
  $('.oauth1-run-workflow-wait').toggle(waits);
  $('.oauth1-run-workflow-format').toggle(action === 'outputs' || waits);
}

/** The workflow list and the questions, asked once per chosen service and again on Reload. */
function askServer(dialog: Dialog): void {
  // Node-RED sends "change" more than once while the dialog opens: ask once per service.
  let askedFor: string | undefined;
  $('#node-input-server').on('change', () => {
    if (serverId() === askedFor) return;
    askedFor = serverId();
    loadWorkflows(dialog);
    showQuestions(dialog.node);
  });
  $('#node-input-oauth1-workflow-reload')
    .attr('title', t(dialog.node, 'picker.reload'))
    .on('click', (event) => {
      event.preventDefault();
      loadWorkflows(dialog);
      showQuestions(dialog.node);
    });
}

registerNode<RunWorkflowProperties>('oauth1-run-workflow', {
  defaults: RUN_WORKFLOW_DEFAULTS,
  describe() {
    if (this.action && this.action !== 'run') return this._('oauth1-run-workflow.labelWithAction', { action: this.action });
    const workflow = this.workflowName || this.workflowId;
    return workflow ? this._('oauth1-run-workflow.labelWithWorkflow', { workflow }) : '';
  },
  oneditprepare() {
    fillOutputFormats(this);
    fillSelect($('#node-input-priority'), PRIORITIES, (priority) => t(this, `priority.${priority}`)).val(this.priority);
    const dialog: Dialog = { node: this, known: {} };
    linkPickerAndId(dialog);
    askServer(dialog);
    // Absent in a node from before the option existed: the runtime cancels then, so the box says so.
    if (this.cancelOnTimeout === undefined) $('#node-input-cancelOnTimeout').prop('checked', true);
    fillSelect($('#node-input-action'), JOB_ACTIONS, (action) => t(this, `action.${action}`)).val(this.action || 'run');
    $('#node-input-wait, #node-input-action').on('change', showRows);
    showRows();
    for (const [name, value] of Object.entries(LIMITS)) {
      const $limit = $(`#node-input-${name}`);
      if (fieldText($limit) === '') $limit.val(value);
    }
  },
});
