/**
 * Protobuf WorkflowTemplate → flowServ's template document. The typed declarations become the
 * exact dicts flowServ reads (`dtype`, `isRequired`, `defaultValue`, …), so the model library
 * validates them with flowServ's rules and messages. Absent optional fields stay absent, which
 * keeps flowServ's template-level defaulting (index = position, isRequired = no default).
 */
import type { ParameterDeclaration, WorkflowOutput, WorkflowTemplate } from '../../gen/flowserv/remote/v1/template.js';
import { dtypeFromProto } from '../../wire/enums.js';

/** One declaration as flowServ's parameter dict. */
export function declarationToDoc(p: ParameterDeclaration): Record<string, unknown> {
  const doc: Record<string, unknown> = { name: p.name };
  const dtype = dtypeFromProto(p.dtype);
  if (dtype !== undefined) doc.dtype = dtype;
  if (p.index !== undefined) doc.index = p.index;
  if (p.isRequired !== undefined) doc.isRequired = p.isRequired;
  if (p.label) doc.label = p.label;
  if (p.help) doc.help = p.help;
  if (p.defaultValue !== undefined) doc.defaultValue = p.defaultValue;
  if (p.group) doc.group = p.group;
  if (dtype === 'select' || p.values.length > 0) {
    doc.values = p.values.map((v) => ({ name: v.name, value: v.value ?? null, ...(v.isDefault && { isDefault: true }) }));
  }
  if (p.range) doc.range = p.range;
  if (p.target !== undefined) doc.target = p.target;
  if (p.para !== undefined) doc.para = declarationToDoc(p.para);
  if (dtype === 'record' || p.fields.length > 0) doc.fields = p.fields.map(declarationToDoc);
  return doc;
}

function outputToDoc(o: WorkflowOutput): Record<string, unknown> {
  return {
    source: o.source,
    ...(o.key && { key: o.key }),
    ...(o.title && { title: o.title }),
    ...(o.caption && { caption: o.caption }),
    ...(o.format !== undefined && { format: o.format }),
    ...(o.widget !== undefined && { widget: o.widget }),
  };
}

/** The whole template as flowServ's document; a missing workflow stays missing. */
export function templateToDoc(t: WorkflowTemplate | undefined): Record<string, unknown> {
  if (!t) return {};
  return {
    ...(t.workflow !== undefined && { workflow: t.workflow }),
    parameters: t.parameters.map(declarationToDoc),
    ...(t.parameterGroups.length > 0 && {
      parameterGroups: t.parameterGroups.map((g) => ({ name: g.name, title: g.title, index: g.index })),
    }),
    ...(t.outputs.length > 0 && { outputs: t.outputs.map(outputToDoc) }),
    ...(t.postproc !== undefined && { postproc: t.postproc }),
    ...(t.results !== undefined && { results: t.results }),
  };
}
