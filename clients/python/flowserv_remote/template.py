"""flowServ templates → the service's WorkflowTemplate message.

A template is given as flowServ writes it (the document of a ``benchmark.yaml``: ``workflow``,
``parameters``, ``parameterGroups``, ``outputs``, ``postproc``, ``results``) or as a ready
WorkflowTemplate message. Nothing is validated here: the server applies flowServ's defaults and
rules and reports every problem at once as BadRequest field violations."""

import os

from google.protobuf import json_format, struct_pb2

from ._proto import template as template_pb

_DECLARATION_KEYS = {'name': 'name', 'label': 'label', 'help': 'help', 'group': 'group', 'range': 'range'}


def to_value(value):
    """A google.protobuf.Value for a JSON-like Python value."""
    out = struct_pb2.Value()
    json_format.ParseDict(value, out)
    return out


def to_struct(doc):
    out = struct_pb2.Struct()
    json_format.ParseDict(doc, out)
    return out


def _dtype(name):
    try:
        return template_pb.ParameterType.Value(f'PARAMETER_TYPE_{str(name).upper()}')
    except ValueError:
        return template_pb.PARAMETER_TYPE_UNSPECIFIED  # the server names the bad dtype


def declaration_to_proto(doc):
    """One flowServ parameter declaration (dict) → ParameterDeclaration."""
    decl = template_pb.ParameterDeclaration(dtype=_dtype(doc.get('dtype')))
    for key, attr in _DECLARATION_KEYS.items():
        if doc.get(key) is not None:
            setattr(decl, attr, str(doc[key]))
    if isinstance(doc.get('index'), int) and not isinstance(doc.get('index'), bool):
        decl.index = doc['index']
    if isinstance(doc.get('isRequired'), bool):
        decl.is_required = doc['isRequired']
    if doc.get('defaultValue') is not None:
        decl.default_value.CopyFrom(to_value(doc['defaultValue']))
    if doc.get('target') is not None:
        decl.target = str(doc['target'])
    for option in doc.get('values') or []:
        decl.values.add(name=str(option.get('name', '')), value=to_value(option.get('value')),
                        is_default=option.get('isDefault') is True)
    if isinstance(doc.get('para'), dict):
        decl.para.CopyFrom(declaration_to_proto(doc['para']))
    for field in doc.get('fields') or []:
        decl.fields.append(declaration_to_proto(field))
    return decl


def _optional_value(doc, key):
    return to_value(doc[key]) if doc.get(key) is not None else None


def template_to_proto(template):
    """The WorkflowTemplate for a flowServ template document (a WorkflowTemplate passes through)."""
    if isinstance(template, template_pb.WorkflowTemplate):
        return template
    if not isinstance(template, dict):
        raise TypeError('a template is a flowServ template dict or a WorkflowTemplate message')
    out = template_pb.WorkflowTemplate()
    if isinstance(template.get('workflow'), dict):
        out.workflow.CopyFrom(to_struct(template['workflow']))
    out.parameters.extend(declaration_to_proto(p) for p in template.get('parameters') or [])
    for group in template.get('parameterGroups') or []:
        out.parameter_groups.add(name=str(group.get('name', '')), title=str(group.get('title') or ''),
                                 index=int(group.get('index') or 0))
    for output in template.get('outputs') or []:
        item = out.outputs.add(source=str(output.get('source', '')), key=str(output.get('key') or ''),
                               title=str(output.get('title') or ''), caption=str(output.get('caption') or ''))
        for key in ('format', 'widget'):
            value = _optional_value(output, key)
            if value is not None:
                getattr(item, key).CopyFrom(value)
    if isinstance(template.get('postproc'), dict):
        out.postproc.CopyFrom(to_struct(template['postproc']))
    if isinstance(template.get('results'), dict):
        out.results.CopyFrom(to_struct(template['results']))
    return out


def load_template(path):
    """Reads a flowServ template file (YAML or JSON; a directory means its ``benchmark.yaml``).
    Needs PyYAML (Debian: python3-yaml) for YAML files."""
    if os.path.isdir(path):
        path = os.path.join(path, 'benchmark.yaml')
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if path.endswith('.json'):
        import json
        return json.loads(text)
    try:
        import yaml
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError('reading a YAML template needs PyYAML (pip install pyyaml, or Debian python3-yaml)') from err
    return yaml.safe_load(text)
