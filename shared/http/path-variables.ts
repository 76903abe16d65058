/**
 * Sibling path variables with different names (`/v1/users/{userId}/x` beside `/v1/users/{id}/y`):
 * API Gateway refuses such a deploy, and synth does not notice. Answers one message per conflict.
 */
export function siblingVariableConflicts(paths: string[]): string[] {
  // Each position's parent, with variables spelled as written, maps to the variable names seen there.
  const seen = new Map<string, Map<string, string>>();
  const conflicts: string[] = [];
  for (const path of new Set(paths)) {
    const segments = path.split('/').filter(Boolean);
    segments.forEach((segment, index) => {
      const variable = /^\{([^}]+)\}$/.exec(segment)?.[1];
      if (!variable) return;
      const parent = `/${segments.slice(0, index).join('/')}`;
      const names = seen.get(parent) ?? new Map<string, string>();
      seen.set(parent, names);
      for (const [name, example] of names) {
        if (name !== variable) conflicts.push(`${path} names {${variable}} where ${example} names {${name}}`);
      }
      if (!names.has(variable)) names.set(variable, path);
    });
  }
  return conflicts;
}
