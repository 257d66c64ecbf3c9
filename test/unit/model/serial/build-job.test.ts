import { execSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ActorValue,
  EmptyWorkflowError,
  InputFile,
  UnsupportedActionError,
  buildSerialJob,
  castArguments,
  loadTemplateDirectory,
  parseTemplate,
} from '../../../../src/model/index.js';
import { errorsOf } from '../../../support/model-errors.js';

const EXAMPLE = path.resolve(__dirname, '../../../../examples/helloworld');

const names = { name: 'names', value: { type: '$file', value: { fileId: 'sha256:abc' } } };

describe('helloworld (test_template_parser.py)', () => {
  const { template } = loadTemplateDirectory(EXAMPLE);

  it('1 step, image, 2 expanded commands, outputs, context', () => {
    const job = buildSerialJob(template, castArguments(template, [names]));
    expect(job.steps).toHaveLength(1);
    const step = job.steps[0]!;
    expect(step.name).toBe('main');
    expect(step.environment).toBe('python:3.9');
    expect(step.commands).toEqual([
      'python3 code/helloworld.py --inputfile "data/names.txt" --outputfile "results/greetings.txt" --sleeptime 10 --greeting Hello',
      'python3 code/analyze.py --inputfile "results/greetings.txt" --outputfile results/analytics.json',
    ]);
    expect(step.env).toEqual({});
    expect(step.outputs).toEqual(['results/greetings.txt', 'results/analytics.json']);
    expect(step.inputs).toEqual(['code/helloworld.py', 'code/analyze.py', 'data/names.txt']);
    expect(job.outputs).toEqual(['results/greetings.txt', 'results/analytics.json']);
    expect(job.context).toEqual({
      inputfile: new InputFile('sha256:abc', 'data/names.txt'),
      outputfile: 'results/greetings.txt',
      sleeptime: 10,
      greeting: 'Hello',
    });
    expect(job.inputFiles).toEqual([{ parameter: 'names', file: new InputFile('sha256:abc', 'data/names.txt') }]);
  });

  it('arguments and options change the commands', () => {
    const args = castArguments(template, [names, { name: 'greeting', value: 'Hi' }, { name: 'sleeptime', value: '0' }]);
    const job = buildSerialJob(template, args, { python: '/usr/bin/python3' });
    expect(job.steps[0]!.commands[0]).toBe(
      '/usr/bin/python3 code/helloworld.py --inputfile "data/names.txt" --outputfile "results/greetings.txt" --sleeptime 0 --greeting Hi',
    );
  });

  it('template outputs override workflow.files.outputs', () => {
    const t = parseTemplate({ ...templateDoc(), outputs: [{ source: 'results/greetings.txt', key: 'greetings' }] });
    expect(buildSerialJob(t, {}).outputs).toEqual(['results/greetings.txt']);
  });
});

function templateDoc(): Record<string, unknown> {
  return {
    workflow: {
      files: { outputs: ['a.txt'] },
      steps: [{ name: 's', action: { environment: 'e', commands: ['echo a > a.txt', 'echo results > results/greetings.txt'] } }],
    },
  };
}

describe('running the expanded example (test_sync_controller.py)', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'fsr-model-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('helloworld gives Hello Alice!/Hello Bob! and the analytics', () => {
    const dir = path.join(work, 'ok');
    cpSync(EXAMPLE, dir, { recursive: true });
    const { template } = loadTemplateDirectory(dir);
    const job = buildSerialJob(template, castArguments(template, [names, { name: 'sleeptime', value: 0 }]));
    for (const cmd of job.steps[0]!.commands) execSync(cmd, { cwd: dir, shell: '/bin/sh' });
    expect(readFileSync(path.join(dir, 'results/greetings.txt'), 'utf8')).toBe('Hello Alice!\nHello Bob!\n');
    expect(readFileSync(path.join(dir, 'results/analytics.json'), 'utf8')).toBe(
      '{"avg_count": 11.0, "total_count": 22, "max_len": 12, "max_line": "Hello Alice!"}',
    );
  });

  it('the invalid command fails with pithon: not found', () => {
    const dir = path.join(work, 'bad');
    cpSync(EXAMPLE, dir, { recursive: true });
    const { template } = loadTemplateDirectory(dir, { manifest: 'flowserv-invalid-cmd.yaml' });
    const job = buildSerialJob(template, castArguments(template, [names, { name: 'sleeptime', value: 0 }]));
    expect(job.steps[0]!.commands[0]).toMatch(/^pithon code\/helloworld.py/);
    let stderr = '';
    try {
      execSync(job.steps[0]!.commands[0]!, { cwd: dir, shell: '/bin/sh', stdio: 'pipe' });
    } catch (err) {
      stderr = String((err as { stderr: Buffer }).stderr);
    }
    expect(stderr).toMatch(/pithon: (command )?not found/);
  });
});

describe('serial spec rules', () => {
  const actorTemplate = parseTemplate({
    workflow: {
      parameters: { greeting: '$[[greeting]]' },
      steps: [
        { name: 'preproc', action: '$[[preproc]]' },
        { name: 'tagger', action: '$[[tagger]]' },
        { name: 'evaluate', action: { environment: 'e', commands: ['python eval.py ${greeting}'] } },
      ],
    },
    parameters: [
      { name: 'preproc', dtype: 'actor', isRequired: false, defaultValue: { spec: {} } },
      { name: 'tagger', dtype: 'actor' },
      { name: 'greeting', dtype: 'string', defaultValue: 'Hello' },
    ],
  });

  it('top-tagger with only tagger given gives 2 steps (preproc skipped even with a default)', () => {
    const args = castArguments(actorTemplate, [
      { name: 'tagger', value: { spec: { environment: 'img', commands: ['python code/helloworld.py ${greeting}'] }, files: [{ source: 'sha', target: 'code/helloworld.py' }] } },
    ]);
    const job = buildSerialJob(actorTemplate, args);
    expect(job.steps.map((s) => s.name)).toEqual(['tagger', 'evaluate']);
    expect(job.steps[0]!.commands).toEqual(['python code/helloworld.py Hello']);
    expect(job.inputFiles).toEqual([{ parameter: 'tagger', file: new InputFile('sha', 'code/helloworld.py') }]);
  });

  it('a required actor step without argument is a MissingArgumentError', () => {
    expect(errorsOf(() => buildSerialJob(actorTemplate, {}))).toEqual([
      expect.objectContaining({ code: 'MISSING_ARGUMENT', field: 'arguments.tagger' }),
    ]);
  });

  it('code and notebook steps are rejected with UnsupportedActionError', () => {
    const t = parseTemplate({
      workflow: {
        steps: [
          { name: 'a', action: { func: 'pkg.mod.fn', arg: 'x', variables: [{ arg: 'a', var: 'b' }] } },
          { name: 'b', action: { notebook: 'nb.ipynb', params: ['x'] } },
          { name: 'c', action: { foo: 1 } },
        ],
      },
    });
    const errors = errorsOf(() => buildSerialJob(t, {}));
    expect(errors[0]).toBeInstanceOf(UnsupportedActionError);
    expect(errors.map((e) => [e.code, e.field])).toEqual([
      ['UNSUPPORTED_ACTION', 'template.workflow.steps[0].action'],
      ['UNSUPPORTED_ACTION', 'template.workflow.steps[1].action'],
      ['INVALID_TEMPLATE', 'template.workflow.steps[2].action'],
    ]);
    expect(errors[2]!.message).toBe("invalid action specification {'foo': 1}");
  });

  it('an unsupported actor spec is reported at the argument', () => {
    const args = castArguments(actorTemplate, [{ name: 'tagger', value: { spec: { func: 'x.y' } } }]);
    expect(errorsOf(() => buildSerialJob(actorTemplate, args))[0]).toEqual(
      expect.objectContaining({ code: 'UNSUPPORTED_ACTION', field: 'arguments.tagger.spec' }),
    );
  });

  it('zero steps (and the legacy format) are EmptyWorkflowError', () => {
    const errors = errorsOf(() => buildSerialJob(parseTemplate({ workflow: {} }), {}));
    expect(errors).toEqual([new EmptyWorkflowError()]);
    expect(errors[0]!.code).toBe('EMPTY_WORKFLOW');
    const legacy = parseTemplate({ workflow: { version: '0.3.0', inputs: {}, workflow: { type: 'serial', specification: { steps: [] } }, outputs: {} } });
    expect(errorsOf(() => buildSerialJob(legacy, {}))[0]).toBeInstanceOf(EmptyWorkflowError);
  });

  it('a step without name or action is a typed error', () => {
    const errors = errorsOf(() => buildSerialJob(parseTemplate({ workflow: { steps: [{ action: { environment: 'e', commands: [] } }, { name: 'x' }] } }), {}));
    expect(errors.map((e) => [e.message, e.field])).toEqual([
      ["missing element 'name'", 'template.workflow.steps[0].name'],
      ["missing element 'action'", 'template.workflow.steps[1].action'],
    ]);
  });

  it('substitution errors are reported at build time with their command path', () => {
    const t = parseTemplate({
      workflow: { steps: [{ name: 's', action: { environment: 'e', commands: ['echo $1', 'cat $names.txt', 'echo $'] } }] },
    });
    expect(errorsOf(() => buildSerialJob(t, {})).map((e) => [e.code, e.field])).toEqual([
      ['INVALID_PLACEHOLDER', 'template.workflow.steps[0].action.commands[0]'],
      ['UNKNOWN_VARIABLE', 'template.workflow.steps[0].action.commands[1]'],
      ['INVALID_PLACEHOLDER', 'template.workflow.steps[0].action.commands[2]'],
    ]);
  });

  it('context example of §7.2: echo "${n} ${flag} ${f}" -> echo "7 yes in/data.txt"', () => {
    const t = parseTemplate({
      workflow: {
        parameters: { n: '$[[n]]', flag: '$[[b ? yes : no]]', f: '$[[f]]' },
        steps: [{ name: 's', action: { environment: 'e', commands: ['echo "${n} ${flag} ${f}"'], env: { A: 'x' } } }],
      },
      parameters: [
        { name: 'n', dtype: 'int', defaultValue: 7 },
        { name: 'b', dtype: 'bool' },
        { name: 'f', dtype: 'file', target: 'in/data.txt' },
        { name: 'x', dtype: 'float', defaultValue: 2 },
      ],
    });
    const args = castArguments(t, [
      { name: 'b', value: 'true' },
      { name: 'f', value: { type: '$file', value: { fileId: 'id1' } } },
    ]);
    const job = buildSerialJob(t, args);
    expect(job.steps[0]!.commands).toEqual(['echo "7 yes in/data.txt"']);
    expect(job.steps[0]!.env).toEqual({ A: 'x' });
  });

  it('floats and booleans reach commands as Python renders them', () => {
    const t = parseTemplate({
      workflow: {
        parameters: { x: '$[[x]]', y: '$[[y]]', b: '$[[b]]' },
        steps: [{ name: 's', action: { environment: 'e', commands: ['run ${x} ${y} ${b}'] } }],
      },
      parameters: [
        { name: 'x', dtype: 'float', defaultValue: 2 },
        { name: 'y', dtype: 'float' },
        { name: 'b', dtype: 'bool' },
      ],
    });
    const job = buildSerialJob(t, castArguments(t, [{ name: 'y', value: 0.00001 }, { name: 'b', value: 1 }]));
    expect(job.steps[0]!.commands).toEqual(['run 2.0 1e-05 True']);
  });

  it('an actor argument that is not an ActorValue is rejected', () => {
    expect(errorsOf(() => buildSerialJob(actorTemplate, { tagger: 'x' }))[0]!.code).toBe('INVALID_ARGUMENT');
    expect(buildSerialJob(actorTemplate, { tagger: new ActorValue({ environment: 'e', commands: ['a'] }) }).steps).toHaveLength(2);
  });
});
