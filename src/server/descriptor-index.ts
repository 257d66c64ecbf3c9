/**
 * An index over raw FileDescriptorProto bytes for server reflection: which file declares a
 * symbol, which files a file imports, which extensions a message has. It serves the bytes exactly
 * as buf wrote them (imports, options and all), never a re-encoding, which is what lets grpcurl
 * resolve every type (see TOOLCHAIN.md on proto-loader-fed reflection).
 */
import { fromBinary } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import {
  FileDescriptorProtoSchema,
  type DescriptorProto,
  type EnumDescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';

/** Splits a serialized FileDescriptorSet into the bytes of each file (field 1, repeated). */
export function splitDescriptorSet(set: Uint8Array): Uint8Array[] {
  const reader = new BinaryReader(set);
  const files: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) files.push(reader.bytes());
    else reader.skip(wireType);
  }
  return files;
}

interface IndexedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly dependencies: readonly string[];
}

/** Lookups a reflection server needs. Names are fully qualified, without a leading dot. */
export interface DescriptorIndex {
  /** The file itself first, then every file it imports, transitively, each once. */
  fileWithDependencies(fileName: string): Uint8Array[] | undefined;
  fileContainingSymbol(symbol: string): string | undefined;
  fileContainingExtension(messageType: string, fieldNumber: number): string | undefined;
  /** Extension field numbers of a message type; undefined when the type is unknown. */
  extensionNumbersOf(messageType: string): number[] | undefined;
  /** Whether any file declares this service. */
  hasService(serviceName: string): boolean;
}

/**
 * Indexes the given files (the first file of a name wins). Throws when a file imports one that
 * is not among them, since reflection clients would then fail on every type of that file.
 */
export function createDescriptorIndex(fileBytes: readonly Uint8Array[]): DescriptorIndex {
  const files = new Map<string, IndexedFile>();
  const symbols = new Map<string, string>();
  const messages = new Set<string>();
  const services = new Set<string>();
  const extensions = new Map<string, Map<number, string>>();

  const declare = (symbol: string, file: string) => {
    if (!symbols.has(symbol)) symbols.set(symbol, file);
  };
  const declareExtensions = (exts: readonly FieldDescriptorProto[], scope: string, file: string) => {
    for (const ext of exts) {
      declare(`${scope}${ext.name}`, file);
      const extendee = ext.extendee.replace(/^\./, '');
      let byNumber = extensions.get(extendee);
      if (!byNumber) extensions.set(extendee, (byNumber = new Map()));
      byNumber.set(ext.number, file);
    }
  };
  const declareEnum = (enumType: EnumDescriptorProto, scope: string, file: string) => {
    declare(`${scope}${enumType.name}`, file);
    // Enum values are siblings of their enum in protobuf's scoping.
    for (const value of enumType.value) declare(`${scope}${value.name}`, file);
  };
  const declareMessage = (message: DescriptorProto, scope: string, file: string) => {
    const name = `${scope}${message.name}`;
    declare(name, file);
    messages.add(name);
    for (const field of message.field) declare(`${name}.${field.name}`, file);
    for (const oneof of message.oneofDecl) declare(`${name}.${oneof.name}`, file);
    for (const nested of message.nestedType) declareMessage(nested, `${name}.`, file);
    for (const nested of message.enumType) declareEnum(nested, `${name}.`, file);
    declareExtensions(message.extension, `${name}.`, file);
  };
  const indexFile = (proto: FileDescriptorProto) => {
    const scope = proto.package ? `${proto.package}.` : '';
    for (const message of proto.messageType) declareMessage(message, scope, proto.name);
    for (const enumType of proto.enumType) declareEnum(enumType, scope, proto.name);
    for (const service of proto.service) {
      declare(`${scope}${service.name}`, proto.name);
      services.add(`${scope}${service.name}`);
      for (const method of service.method) declare(`${scope}${service.name}.${method.name}`, proto.name);
    }
    declareExtensions(proto.extension, scope, proto.name);
  };

  for (const bytes of fileBytes) {
    const proto = fromBinary(FileDescriptorProtoSchema, bytes);
    if (files.has(proto.name)) continue;
    files.set(proto.name, { name: proto.name, bytes, dependencies: proto.dependency });
    indexFile(proto);
  }
  const missing = [...files.values()].flatMap((f) => f.dependencies.filter((d) => !files.has(d)).map((d) => `${f.name} imports ${d}`));
  if (missing.length > 0) throw new Error(`descriptor set is incomplete: ${missing.join('; ')}`);

  return {
    fileWithDependencies(fileName) {
      if (!files.has(fileName)) return undefined;
      const seen = new Set<string>();
      const order: Uint8Array[] = [];
      const visit = (name: string) => {
        if (seen.has(name)) return;
        seen.add(name);
        const file = files.get(name)!;
        order.push(file.bytes);
        file.dependencies.forEach(visit);
      };
      visit(fileName);
      return order;
    },
    fileContainingSymbol: (symbol) => symbols.get(symbol.replace(/^\./, '')),
    fileContainingExtension: (messageType, fieldNumber) => extensions.get(messageType.replace(/^\./, ''))?.get(fieldNumber),
    extensionNumbersOf(messageType) {
      const name = messageType.replace(/^\./, '');
      if (!messages.has(name)) return undefined;
      return [...(extensions.get(name)?.keys() ?? [])].sort((a, b) => a - b);
    },
    hasService: (serviceName) => services.has(serviceName),
  };
}
