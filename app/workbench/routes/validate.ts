/** Validation at the edge: request bodies and path parameters through zod, failures as 400 with the reason. */
import { z } from 'zod';
import { BadRequestError } from '../errors.js';

export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  throw new BadRequestError(`invalid ${what}: ${where}${first?.message ?? 'malformed'}`);
}

export const runIdParam = z.object({ id: z.coerce.number().int().positive() });
export const campaignIdParam = z.object({ id: z.string().min(1).max(300) });
