import { ConfigError, loadConfig } from '../../gateway/src/config.js';

/** The problems loadConfig lists, or [] when it accepts. */
export function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
