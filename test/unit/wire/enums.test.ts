/** The enum tables of the protocol: each covers every value, and both directions agree. */
import { describe, expect, it } from 'vitest';
import { ParameterType } from '../../../src/gen/flowserv/remote/v1/template.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { StateType } from '../../../src/model/state.js';
import { dtypeFromProto, dtypeToProto, stateTypeFromProto, stateTypeToProto } from '../../../src/wire/enums.js';

const numericValues = (e: object) => Object.values(e).filter((v): v is number => typeof v === 'number' && v >= 0);

describe('state type table', () => {
  it('maps every model state type to its WORKFLOW_STATE_TYPE_ value and back', () => {
    for (const type of Object.values(StateType)) {
      const proto = stateTypeToProto(type);
      expect(WorkflowStateType[proto]).toBe(`WORKFLOW_STATE_TYPE_${type}`);
      expect(stateTypeFromProto(proto)).toBe(type);
    }
  });

  it('covers every defined enum value except UNSPECIFIED', () => {
    for (const value of numericValues(WorkflowStateType)) {
      if (value === WorkflowStateType.WORKFLOW_STATE_TYPE_UNSPECIFIED) expect(stateTypeFromProto(value)).toBeUndefined();
      else expect(stateTypeFromProto(value)).toBeDefined();
    }
    expect(stateTypeFromProto(99 as WorkflowStateType)).toBeUndefined();
  });
});

describe('dtype table', () => {
  it("maps flowServ's nine dtype names to their PARAMETER_TYPE_ values and back", () => {
    const names = ['bool', 'int', 'float', 'string', 'select', 'file', 'list', 'record', 'actor'];
    for (const name of names) {
      const proto = dtypeToProto(name);
      expect(ParameterType[proto]).toBe(`PARAMETER_TYPE_${name.toUpperCase()}`);
      expect(dtypeFromProto(proto)).toBe(name);
    }
    expect(numericValues(ParameterType).filter((v) => dtypeFromProto(v) !== undefined)).toHaveLength(names.length);
  });

  it('unknown names become UNSPECIFIED, and UNSPECIFIED has no name', () => {
    expect(dtypeToProto('decimal')).toBe(ParameterType.PARAMETER_TYPE_UNSPECIFIED);
    expect(dtypeToProto('toString')).toBe(ParameterType.PARAMETER_TYPE_UNSPECIFIED);
    expect(dtypeFromProto(ParameterType.PARAMETER_TYPE_UNSPECIFIED)).toBeUndefined();
  });
});
