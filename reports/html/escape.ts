/** Escaping for the three places report content lands in HTML: text, attributes, and inline scripts. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON inside <script type="application/json">: no '<' may survive, or '</script>' would end the block. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A library build inlined as a classic script: only a closing tag could break out of it. */
export function scriptForInline(code: string): string {
  return code.replace(/<\/script/gi, '<\\/script');
}
