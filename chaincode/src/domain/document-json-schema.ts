import { z } from 'zod';
import { CONDITIONAL_RULES, DOCUMENT_SCHEMAS, type ConditionalRule, type DocumentType } from './documents.js';

/** A JSON Schema (draft 2020-12), as plain data. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A conditional rule as JSON Schema: if the one field holds the value, the other is required (and fixed). */
function ifThen({ when, then }: ConditionalRule): JsonSchema {
  return {
    if: { properties: { [when.field]: { const: when.equals } }, required: [when.field] },
    then: { required: [then.field], ...(then.equals === undefined ? {} : { properties: { [then.field]: { const: then.equals } } }) },
  };
}

/**
 * The JSON Schema of an event's document as a client sends it (defaults may be left out),
 * generated from the zod schema the contract checks, with the conditional rules as `if`/`then`.
 * Order rules between two dates (a term ends after it starts) have no JSON Schema form; the
 * catalog lists them beside the schema.
 */
export function documentJsonSchema(type: DocumentType): JsonSchema {
  const schema = z.toJSONSchema(DOCUMENT_SCHEMAS[type], { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
  const conditional = (CONDITIONAL_RULES[type] ?? []).map(ifThen);
  return conditional.length === 0 ? schema : { ...schema, allOf: conditional };
}
