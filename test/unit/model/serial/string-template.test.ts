import { describe, expect, it } from 'vitest';
import { InvalidPlaceholderError, UnknownVariableError, expandCommand, substitute } from '../../../../src/model/index.js';

describe('command substitution (Python string.Template, FLOWSERV.md §7.2)', () => {
  it('context, fixed variables win, unknown names become literal', () => {
    expect(expandCommand('${python} $run $me', { run: 'my_model.py', me: 1 }, { python: 'python' })).toBe('python my_model.py 1');
    expect(expandCommand('${python} $run $me', { run: 'my_model.py', me: 1 }, { python: 'python', run: 'static.py' })).toBe(
      'python static.py 1',
    );
    expect(expandCommand('echo ${HOME} $HOME', {}, {})).toBe('echo HOME HOME');
    expect(expandCommand('py $b', { b: 'go' }, {})).toBe('py go');
  });

  it('$$ escapes and the result is trimmed', () => {
    expect(expandCommand('  echo $$x $${y} $$  ', {}, {})).toBe('echo $x ${y} $');
  });

  it('values render through Python str()', () => {
    expect(expandCommand('run ${a} ${b} ${c}', { a: true, b: null, c: ['x', 1] }, {})).toBe("run True None ['x', 1]");
  });

  it('$names.txt without names raises KeyError-like UnknownVariableError', () => {
    expect(() => expandCommand('cat $names.txt', {}, {})).toThrow(new UnknownVariableError('names'));
    expect(expandCommand('cat $names.txt', { names: 'a' }, {})).toBe('cat a.txt');
    expect(() => expandCommand('ls $HOME/x', {}, {})).toThrow(UnknownVariableError);
  });

  it('$1, a lone $ and a trailing $ raise InvalidPlaceholderError', () => {
    expect(() => expandCommand('echo $1', {}, {})).toThrow(new InvalidPlaceholderError('Invalid placeholder in string: line 1, col 6'));
    expect(() => expandCommand('echo $ x', {}, {})).toThrow('Invalid placeholder in string: line 1, col 6');
    expect(() => expandCommand('echo $', {}, {})).toThrow(InvalidPlaceholderError);
    expect(() => substitute('a\n$1', new Map(), 'f')).toThrow(
      expect.objectContaining({ message: 'Invalid placeholder in string: line 2, col 1', field: 'f', code: 'INVALID_PLACEHOLDER' }),
    );
  });
});
