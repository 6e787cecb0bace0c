import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { envName, settingKeys, Settings, settingsSchema } from './settings';

export class ConfigError extends Error {}

/** Reads the optional CONFIG_FILE (JSON or YAML: YAML parses both), keyed by setting name. */
function readConfigFile(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`CONFIG_FILE ${path}: ${(err as Error).message}`);
  }
  if (parsed == null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`CONFIG_FILE ${path}: must hold a mapping of settings`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Settings from defaults, then the config file, then environment variables (12-factor: the environment wins).
 * Any invalid value throws a ConfigError naming the setting's environment variable.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const file = env.CONFIG_FILE ? readConfigFile(env.CONFIG_FILE) : {};
  const raw: Record<string, unknown> = { ...file };
  for (const key of settingKeys) {
    const value = env[envName(key)];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const { value, error } = settingsSchema.validate(raw, {
    abortEarly: false,
    errors: { wrap: { label: false } },
  });
  if (error) {
    const problems = error.details.map((d) => {
      const key = d.path[0];
      return typeof key === 'string' && settingKeys.includes(key as keyof Settings)
        ? `${envName(key)} (${key}): ${d.message}`
        : d.message;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return value;
}
