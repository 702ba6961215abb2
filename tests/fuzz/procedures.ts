import type { z } from 'zod';
import { appRouter } from '@chat/api';
import { jsonSchemaOf, type JsonSchema } from './schema-arbitrary.js';

export interface ProcedureInfo {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  /** Null for procedures without input (user.me). */
  schema: JsonSchema | null;
}

interface ProcedureDef {
  _def: { type: ProcedureInfo['type']; inputs: z.ZodType[] };
}

/** Every procedure of the public router with the JSON Schema of its zod input. */
export function listProcedures(): ProcedureInfo[] {
  // tRPC keeps the flat path → procedure table here; the fuzzer needs each zod input.
  const table = (appRouter as unknown as { _def: { procedures: Record<string, ProcedureDef> } })
    ._def.procedures;
  return Object.entries(table).map(([path, proc]) => {
    const input = proc._def.inputs[0];
    return { path, type: proc._def.type, schema: input ? jsonSchemaOf(input) : null };
  });
}
