/**
 * Dispatch of declaration documents to their dtype class (flowServ's ParameterDeserializer).
 * A missing or unknown dtype is an InvalidParameterError with flowServ's message.
 */
import { InvalidParameterError } from '../errors.js';
import { pythonRepr } from '../python/render.js';
import { isPlainObject } from '../values.js';
import { ActorParameter } from './actor.js';
import { ParameterType, type Parameter, type ParseOptions } from './base.js';
import { BoolParameter } from './bool.js';
import { FileParameter } from './file.js';
import { ListParameter } from './list.js';
import { NumericParameter } from './numeric.js';
import { RecordParameter } from './record.js';
import { SelectParameter } from './select.js';
import { StringParameter } from './string.js';
import { joinField } from './validate-doc.js';

/**
 * Parses one declaration document into its Parameter class. No defaulting happens here:
 * template-level defaults for index and isRequired are applied by parseParameterIndex only.
 */
export function parameterFromDict(doc: unknown, options: ParseOptions = {}): Parameter {
  if (!isPlainObject(doc)) throw new InvalidParameterError('parameter declaration must be an object', options.field);
  const dtype = doc.dtype;
  const key = typeof dtype === 'string' ? dtype : 'dtype';
  switch (dtype) {
    case ParameterType.ACTOR:
      return ActorParameter.fromDict(doc, options);
    case ParameterType.BOOL:
      return BoolParameter.fromDict(doc, options);
    case ParameterType.FILE:
      return FileParameter.fromDict(doc, options);
    case ParameterType.FLOAT:
    case ParameterType.INT:
      return NumericParameter.fromDict(doc, options);
    case ParameterType.LIST:
      return ListParameter.fromDict(doc, options, parameterFromDict);
    case ParameterType.RECORD:
      return RecordParameter.fromDict(doc, options, parameterFromDict);
    case ParameterType.SELECT:
      return SelectParameter.fromDict(doc, options);
    case ParameterType.STRING:
      return StringParameter.fromDict(doc, options);
    default:
      throw new InvalidParameterError(`missing '${pythonRepr(key)}' for ${pythonRepr(doc)}`, joinField(options.field, 'dtype'));
  }
}
