/**
 * The JSON Schema of a sweep's axes with every value typed by the parameter it sets, so an editor flags
 * `grid: {mode: [live, warm]}` as `themis check` does (load.ts checkAxes). The zod schema keeps axis values
 * loose on purpose — the loader checks them value by value with line numbers and "did you mean" — so the typed
 * form is built here from the per-parameter JSON Schemas that zod generates for `parameters`.
 * What JSON Schema cannot say is left to `themis check`: zip lists of equal length, random min < max.
 */

type Json = Record<string, unknown>;

/** A parameter's schema as an axis value: its type and bounds, without the default (an axis value has none). */
function valueSchema(parameter: Json): Json {
  const { default: _default, ...rest } = parameter;
  return rest;
}

/** `$defs` key of the map grid and zip share: parameter name → list of its values. */
const VALUE_LISTS = 'parameter_value_lists';

/**
 * Each parameter's value schema, once, and the grid/zip map, for `$defs` (the axes refer to them: copies per
 * axis kind made the file 4,700 lines).
 */
export function parameterValueDefs(parameters: Record<string, Json>, random: Json): Record<string, Json> {
  const ranges = ((random.properties ?? {}) as Record<string, Json>).ranges ?? {};
  return {
    ...Object.fromEntries(Object.entries(parameters).map(([name, p]) => [name, valueSchema(p)])),
    [VALUE_LISTS]: perParameter(parameters, valuesOf, { minProperties: 1 }),
    // zod's own (loose) schema of one range; min and max are numbers there, so a non-numeric parameter has only choice
    [RANGE_SHAPE]: ranges.additionalProperties as Json,
  };
}

/** An object whose keys are parameter names, each value built from a `$ref` to that parameter's value schema. */
function perParameter(parameters: Record<string, Json>, value: (p: Json) => Json, extra: Json = {}): Json {
  return {
    type: 'object',
    properties: Object.fromEntries(Object.keys(parameters).map((name) => [name, value({ $ref: `#/$defs/${name}` })])),
    additionalProperties: false,
    ...extra,
  };
}

const valuesOf = (p: Json): Json => ({ type: 'array', minItems: 1, items: p });

/** `$defs` key of a random range's shape: {min, max, scale, integer} or {choice}, values untyped. */
const RANGE_SHAPE = 'random_range';

/** A random range of one parameter: the shape, with min, max and the choices typed by the parameter. */
function rangeOf(p: Json): Json {
  return { allOf: [{ $ref: `#/$defs/${RANGE_SHAPE}` }, { properties: { min: p, max: p, choice: { items: p } } }] };
}

/** The four axis kinds with typed values, given `parameters`' property schemas from the generated sweep schema. */
export function typedAxisJsonSchema(parameters: Record<string, Json>, random: Json): Json {
  const kind = (key: string, body: Json, description: string): Json => ({
    type: 'object',
    properties: { [key]: { ...body, description } },
    required: [key],
    additionalProperties: false,
  });
  const randomProperties = (random.properties ?? {}) as Record<string, Json>;
  return {
    anyOf: [
      kind('grid', { $ref: `#/$defs/${VALUE_LISTS}` }, 'Every combination of the listed values'),
      kind('zip', { $ref: `#/$defs/${VALUE_LISTS}` }, 'Lists of equal length, taken element by element'),
      kind(
        'list',
        { type: 'array', minItems: 1, items: perParameter(parameters, (p) => p) },
        'Explicit points, each a map of parameter values',
      ),
      kind(
        'random',
        {
          ...random,
          properties: {
            ...randomProperties,
            ranges: { ...perParameter(parameters, rangeOf), description: randomProperties.ranges?.description },
          },
        },
        'Random points: per parameter {min, max, scale, integer} or {choice: [...]}',
      ),
    ],
  };
}
