import { describe, expect, it } from 'vitest';
import {
  FileParameter,
  InputFile,
  InvalidArgumentError,
  InvalidParameterError,
  ListParameter,
  PyFloat,
  RecordParameter,
  SelectParameter,
  parameterFromDict,
} from '../../../../src/model/index.js';

describe('select parameter (test_enum_parameter.py)', () => {
  const doc = {
    name: 'e',
    dtype: 'select',
    index: 0,
    isRequired: true,
    values: [
      { name: 'A', value: 1, isDefault: true },
      { name: 'B', value: 2 },
    ],
  };
  const para = SelectParameter.fromDict(doc);

  it("cast(1) = 1; 'A' and None raise", () => {
    expect(para.cast(1)).toBe(1);
    expect(() => para.cast('A')).toThrow(new InvalidArgumentError("unknown value 'A'"));
    expect(() => para.cast(null)).toThrow("unknown value 'None'");
  });

  it("Python equality: True == 1 == 1.0 but '1' != 1; the given value is returned", () => {
    expect(para.cast(true)).toBe(true);
    expect(para.cast(new PyFloat(1))).toEqual(new PyFloat(1));
    expect(() => para.cast('1')).toThrow(InvalidArgumentError);
  });

  it('a missing values gives InvalidParameterError', () => {
    const { values: _v, ...rest } = doc;
    expect(() => SelectParameter.fromDict(rest)).toThrow(new InvalidParameterError("missing element 'values'", 'values'));
    expect(() => SelectParameter.fromDict({ ...doc, values: [{ name: 'A' }] })).toThrow("missing element 'value'");
  });

  it('the round trip keeps isDefault; isDefault sets no default', () => {
    expect(parameterFromDict(para.toDict()).toDict()).toEqual(doc);
    expect(para.hasDefault()).toBe(false);
  });
});

describe('file parameter (test_file_parameter.py)', () => {
  const base = { name: 'f', dtype: 'file', index: 0, isRequired: true };

  it('target order: user target, declared target, default, else missing target path', () => {
    const withTarget = FileParameter.fromDict({ ...base, target: 'data/names.txt', defaultValue: 'data/default.txt' });
    expect(withTarget.cast({ source: 'abc', targetPath: 'in/x.txt' })).toEqual(new InputFile('abc', 'in/x.txt'));
    expect(withTarget.cast({ source: 'abc' })).toEqual(new InputFile('abc', 'data/names.txt'));
    expect(withTarget.cast({ source: 'abc', targetPath: null })).toEqual(new InputFile('abc', 'data/names.txt'));
    const withDefault = FileParameter.fromDict({ ...base, defaultValue: 'data/default.txt' });
    expect(withDefault.cast({ source: 'abc' }).target).toBe('data/default.txt');
    const bare = FileParameter.fromDict(base);
    expect(() => bare.cast({ source: 'abc' })).toThrow(new InvalidArgumentError('missing target path'));
    expect(String(withTarget.cast({ source: 'abc' }))).toBe('data/names.txt');
  });

  it('the key targetPath in a declaration is rejected when validating', () => {
    expect(() => FileParameter.fromDict({ ...base, targetPath: 'x' })).toThrow(
      new InvalidParameterError("unknown element 'targetPath'", 'targetPath'),
    );
  });

  it('toDict always writes target, possibly null', () => {
    expect(FileParameter.fromDict(base).toDict()).toEqual({ ...base, target: null });
  });

  it('non file inputs raise', () => {
    expect(() => FileParameter.fromDict(base).cast('names.txt')).toThrow(InvalidArgumentError);
  });
});

const f1 = { name: 'f1', dtype: 'bool', index: 0, isRequired: true };
const f2 = { name: 'f2', dtype: 'int', index: 1, isRequired: false, defaultValue: 10 };
const f3 = { name: 'f3', dtype: 'int', index: 2, isRequired: false };

describe('list parameter (test_list_parameter.py)', () => {
  const para = ListParameter.fromDict(
    { name: 'l', dtype: 'list', index: 0, isRequired: true, para: { name: 'r', dtype: 'record', index: 0, isRequired: true, fields: [f1, f2] } },
    {},
    parameterFromDict,
  );

  it('a list of records casts to [{f1:True, f2:5}, {f1:False, f2:10}]', () => {
    const value = [
      [
        { name: 'f1', value: 'true' },
        { name: 'f2', value: '5' },
      ],
      [{ name: 'f1', value: false }],
    ];
    expect(para.cast(value)).toEqual([
      { f1: true, f2: 5 },
      { f1: false, f2: 10 },
    ]);
  });

  it('a string raises', () => {
    expect(() => para.cast('abc')).toThrow(new InvalidArgumentError('invalid argument type'));
  });

  it('nested para gets no defaulting', () => {
    expect(() =>
      parameterFromDict({ name: 'l', dtype: 'list', index: 0, isRequired: true, para: { name: 'x', dtype: 'int' } }, { field: 'p' }),
    ).toThrow(expect.objectContaining({ message: "missing element 'index'", field: 'p.para.index' }));
  });
});

describe('record parameter (test_record_parameter.py)', () => {
  const para = RecordParameter.fromDict({ name: 'r', dtype: 'record', index: 0, isRequired: true, fields: [f1, f2, f3] }, {}, parameterFromDict);

  it("[{f1:true},{f3:'6'}] with f2 defaulting to 10 gives {f1:True, f2:10, f3:6}", () => {
    const result = para.cast([
      { name: 'f1', value: true },
      { name: 'f3', value: '6' },
    ]);
    expect(result).toEqual({ f1: true, f3: 6, f2: 10 });
    expect(Object.keys(result)).toEqual(['f1', 'f3', 'f2']);
  });

  it('required fields are enforced, unknown fields and elements raise', () => {
    expect(() => para.cast([{ name: 'f3', value: 1 }])).toThrow(new InvalidArgumentError("missing field 'f1'"));
    expect(() => para.cast([{ name: 'f9', value: 1 }])).toThrow("unknown argument 'f9'");
    expect(() => para.cast([{ name: 'f1', value: 1, extra: 2 }])).toThrow("unknown element 'extra'");
    expect(() => para.cast([{ name: 'f1' }])).toThrow("missing element 'value'");
    expect(() => para.cast({})).toThrow('invalid argument type');
    expect(() => para.cast(['x'])).toThrow('invalid argument type');
  });

  it('duplicate fields raise InvalidParameterError', () => {
    expect(() =>
      RecordParameter.fromDict({ name: 'r', dtype: 'record', index: 0, isRequired: true, fields: [f1, f1] }, {}, parameterFromDict),
    ).toThrow(new InvalidParameterError("duplicate field 'f1'", 'fields'));
  });

  it('a field without index raises InvalidParameterError (no nested defaulting)', () => {
    expect(() =>
      parameterFromDict({ name: 'r', dtype: 'record', index: 0, isRequired: true, fields: [{ name: 'x', dtype: 'int', isRequired: true }] }),
    ).toThrow(InvalidParameterError);
  });

  it('round trip', () => {
    expect(parameterFromDict(para.toDict()).toDict()).toEqual(para.toDict());
  });
});

describe('dispatch by dtype', () => {
  it("missing or unknown dtype: InvalidParameterError(\"missing '<KeyError>' for <doc>\")", () => {
    expect(() => parameterFromDict({ name: 'a' })).toThrow(new InvalidParameterError("missing ''dtype'' for {'name': 'a'}", 'dtype'));
    expect(() => parameterFromDict({ name: 'a', dtype: 'foo' })).toThrow("missing ''foo'' for {'name': 'a', 'dtype': 'foo'}");
  });

  it('any other key is rejected; validate=false skips checks', () => {
    const doc = { name: 'a', dtype: 'string', index: 0, isRequired: true, extra: 1 };
    expect(() => parameterFromDict(doc)).toThrow("unknown element 'extra'");
    expect(parameterFromDict(doc, { validate: false }).name).toBe('a');
  });
});
