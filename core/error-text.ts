/** The message of a caught value for a text field or an error line: Error → its message, else String(). */
export function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
