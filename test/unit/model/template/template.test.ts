import { describe, expect, it } from 'vitest';
import {
  InvalidParameterError,
  InvalidTemplateError,
  UnknownParameterError,
  parseTemplate,
  templateToDict,
} from '../../../../src/model/index.js';
import { errorsOf } from '../../../support/model-errors.js';

const maximal = {
  workflow: { steps: [{ name: 's', action: { environment: 'e', commands: ['echo $[[p1]]'] } }] },
  parameters: [
    { dtype: 'int', name: 'p1', index: 0, isRequired: true, group: 'g', range: '[0.0,10.0]' },
    { dtype: 'file', name: 'p2', index: 1, isRequired: false, defaultValue: 'x.txt', target: null },
  ],
  parameterGroups: [{ name: 'g', title: 'G', index: 0 }],
  outputs: [{ source: 'results/a.json', key: 'a', title: 'A', caption: 'c', format: { type: 'json' }, widget: { key: 'w' } }],
  postproc: { workflow: { steps: [] }, inputs: { files: ['results/a.json'], runs: 'runs' }, outputs: [{ source: 'compare.json', key: 'compare.json' }] },
  results: { file: 'results/a.json', schema: [{ name: 'x', label: 'X', dtype: 'float', path: 'a/b', required: true }], orderBy: [{ name: 'x', sortDesc: false }] },
};

describe('template spec (test_template_spec.py)', () => {
  it('minimal {workflow:{}} round-trips', () => {
    const t = parseTemplate({ workflow: {} });
    expect(templateToDict(t)).toEqual({ workflow: {}, parameters: [] });
    expect(t.outputs).toBeNull();
  });

  it('maximal template round-trips (outputs kept: fix of §12.9)', () => {
    const t = parseTemplate(maximal);
    expect(templateToDict(t)).toEqual(maximal);
    expect(templateToDict(parseTemplate(templateToDict(t)))).toEqual(maximal);
  });

  it('an extra parameter key raises InvalidParameterError unless validate=false', () => {
    const doc = { workflow: {}, parameters: [{ name: 'a', dtype: 'int', extra: 1 }] };
    expect(errorsOf(() => parseTemplate(doc))).toEqual([
      new InvalidParameterError("unknown element 'extra'", 'template.parameters[0].extra'),
    ]);
    expect(parseTemplate(doc, { validate: false }).parameters.get('a')!.index).toBe(0);
  });

  it('a missing workflow raises InvalidTemplateError', () => {
    expect(errorsOf(() => parseTemplate({ parameters: [] }))).toEqual([
      new InvalidTemplateError("missing element 'workflow'", 'template.workflow'),
    ]);
  });

  it('a reference to an unknown parameter raises UnknownParameterError at the referencing path', () => {
    const doc = { workflow: { steps: [{ name: 's', action: '$[[noparameter]]' }], parameters: { x: '$[[p ? a : b]]' } } };
    expect(errorsOf(() => parseTemplate(doc))).toEqual([
      new UnknownParameterError('noparameter', 'template.workflow.steps[0].action'),
      new UnknownParameterError('p', 'template.workflow.parameters.x'),
    ]);
  });

  it('reports every broken declaration at once, with field paths', () => {
    const doc = {
      workflow: {},
      parameters: [
        { name: 'a', dtype: 'int', range: '[4,5' },
        { name: 'b', dtype: 'nope' },
        { name: 'c', dtype: 'record', fields: [{ name: 'x', dtype: 'int' }] },
        { name: 'd', dtype: 'int', index: 'first' },
      ],
    };
    const errors = errorsOf(() => parseTemplate(doc));
    expect(errors.map((e) => [e.code, e.field])).toEqual([
      ['INVALID_PARAMETER', 'template.parameters[0].range'],
      ['INVALID_PARAMETER', 'template.parameters[1].dtype'],
      ['INVALID_PARAMETER', 'template.parameters[2].fields[0].index'],
      ['INVALID_PARAMETER', 'template.parameters[3].index'],
    ]);
    expect(errors[0]!.message).toBe("invalid interval '[4,5'");
  });

  it('unknown top-level keys, bad outputs, groups, results and postproc are InvalidTemplateError', () => {
    const errors = errorsOf(() =>
      parseTemplate({
        workflow: {},
        outputs: [{ key: 'x' }, { source: 'a', foo: 1 }],
        parameterGroups: [{ name: 'g', title: 'G' }],
        results: { file: 'r.json', schema: [{ name: 'a', label: 'A', dtype: 'bool' }] },
        postproc: { inputs: { files: [] } },
      }),
    );
    expect(errors.map((e) => [e.message, e.field])).toEqual([
      ["missing element 'index'", 'template.parameterGroups[0].index'],
      ["missing element 'source'", 'template.outputs[0].source'],
      ["unknown element 'foo'", 'template.outputs[1].foo'],
      ["missing element 'workflow'", 'template.postproc.workflow'],
      ["invalid type 'bool'", 'template.results.schema[0].dtype'],
    ]);
    expect(errorsOf(() => parseTemplate({ workflow: {}, extra: 1 }))[0]!.message).toBe("unknown element 'extra'");
  });
});

describe('workflow outputs (test_workflow_outputs.py)', () => {
  it('minimal output spec: key = source; unknown key raises', () => {
    expect(parseTemplate({ workflow: {}, outputs: [{ source: 'a.txt' }] }).outputs).toEqual([{ source: 'a.txt', key: 'a.txt' }]);
    expect(errorsOf(() => parseTemplate({ workflow: {}, outputs: [{ source: 'a', sauce: 'b' }] }))[0]!.code).toBe('INVALID_TEMPLATE');
  });
});

describe('result schema (test_template_schema.py)', () => {
  it('orderBy defaults to the first column descending; errors for duplicates and unknown columns', () => {
    const t = parseTemplate({ workflow: {}, results: { file: 'r.json', schema: [{ name: 'a', label: 'A', dtype: 'int' }, { name: 'b', label: 'B', dtype: 'string', path: 'x/y/z', required: false }] } });
    expect(t.results!.orderBy).toEqual([{ name: 'a', sortDesc: true }]);
    expect(t.results!.columns[1]).toEqual({ name: 'b', label: 'B', dtype: 'string', path: 'x/y/z', required: false });
    const dup = { workflow: {}, results: { file: 'r', schema: [{ name: 'a', label: 'A', dtype: 'int' }, { name: 'a', label: 'B', dtype: 'int' }] } };
    expect(errorsOf(() => parseTemplate(dup))[0]!.message).toBe("duplicate column name 'a'");
    const order = { workflow: {}, results: { file: 'r', schema: [{ name: 'a', label: 'A', dtype: 'int' }], orderBy: [{ name: 'z' }] } };
    expect(errorsOf(() => parseTemplate(order))[0]!.message).toBe("unknown column 'z'");
  });
});
