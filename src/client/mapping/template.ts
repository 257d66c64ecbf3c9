/**
 * flowServ template → protobuf WorkflowTemplate, the inverse of src/server/mapping/template.ts.
 * Accepts the model's parsed WorkflowTemplate or a flowServ template document (as read from a
 * spec file) and produces typed ParameterDeclarations. Nothing is validated here: keys the
 * document leaves out stay absent, so the server applies flowServ's defaulting and rules and
 * reports problems as field violations. Struct-typed parts are sent as plain JSON.
 */
import type { ParameterDeclaration, WorkflowOutput, WorkflowTemplate as ProtoTemplate } from '../../gen/flowserv/remote/v1/template.js';
import { isPlainObject, templateToDict, type WorkflowTemplate } from '../../model/index.js';
import { dtypeToProto } from '../../wire/enums.js';

/** A flowServ template: the model's parsed form, or the document (`{workflow, parameters, …}`). */
export type TemplateInput = WorkflowTemplate | Readonly<Record<string, unknown>>;

function isModelTemplate(t: TemplateInput): t is WorkflowTemplate {
  return 'workflowSpec' in t && 'parameters' in t && typeof (t.parameters as { toDict?: unknown }).toDict === 'function';
}

/** A JSON copy (PyFloat → number via toJSON, undefined dropped); undefined stays undefined. */
export function toJson(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

function str(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function optionalInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** One flowServ parameter dict as a typed declaration; an unknown dtype becomes UNSPECIFIED. */
export function declarationFromDoc(doc: Readonly<Record<string, unknown>>): ParameterDeclaration {
  const dtype = dtypeToProto(str(doc.dtype));
  const values = Array.isArray(doc.values) ? doc.values : [];
  const fields = Array.isArray(doc.fields) ? doc.fields : [];
  return {
    name: str(doc.name),
    dtype,
    index: optionalInt(doc.index),
    isRequired: typeof doc.isRequired === 'boolean' ? doc.isRequired : undefined,
    label: str(doc.label),
    help: str(doc.help),
    defaultValue: doc.defaultValue === null ? undefined : toJson(doc.defaultValue),
    group: str(doc.group),
    values: values.filter(isPlainObject).map((o) => ({ name: str(o.name), value: toJson(o.value ?? null), isDefault: o.isDefault === true })),
    range: str(doc.range),
    target: doc.target === undefined || doc.target === null ? undefined : String(doc.target),
    para: isPlainObject(doc.para) ? declarationFromDoc(doc.para) : undefined,
    fields: fields.filter(isPlainObject).map(declarationFromDoc),
  };
}

function outputFromDoc(o: Readonly<Record<string, unknown>>): WorkflowOutput {
  return {
    source: str(o.source),
    key: str(o.key),
    title: str(o.title),
    caption: str(o.caption),
    format: o.format === undefined || o.format === null ? undefined : toJson(o.format),
    widget: o.widget === undefined || o.widget === null ? undefined : toJson(o.widget),
  };
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

function struct(value: unknown): Record<string, unknown> | undefined {
  return isPlainObject(value) ? (toJson(value) as Record<string, unknown>) : undefined;
}

/** The protobuf template of a flowServ template (parsed or document). */
export function templateToProto(template: TemplateInput): ProtoTemplate {
  const doc: Readonly<Record<string, unknown>> = isModelTemplate(template) ? templateToDict(template) : template;
  return {
    workflow: struct(doc.workflow),
    parameters: list(doc.parameters).map(declarationFromDoc),
    parameterGroups: list(doc.parameterGroups).map((g) => ({ name: str(g.name), title: str(g.title), index: optionalInt(g.index) ?? 0 })),
    outputs: list(doc.outputs).map(outputFromDoc),
    postproc: struct(doc.postproc),
    results: struct(doc.results),
  };
}
