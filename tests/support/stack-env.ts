import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Server URLs: from the environment (npm test sets them), else from `.stack/env` of `npm run stack -- up`. */
export function stackEnv(): { MONGO_URL: string; REDIS_URL: string; AMQP_URL: string } {
  const file = path.join(ROOT, '.stack', 'env');
  const fromFile: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = line.match(/^([A-Z_]+)=(.*)$/);
      if (m) fromFile[m[1]!] = m[2]!;
    }
  }
  const pick = (key: string) => {
    const value = process.env[key] || fromFile[key];
    if (!value) throw new Error(`${key} is not set: run \`npm run stack -- up\` or \`npm test\``);
    return value;
  };
  return { MONGO_URL: pick('MONGO_URL'), REDIS_URL: pick('REDIS_URL'), AMQP_URL: pick('AMQP_URL') };
}
