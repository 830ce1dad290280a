import * as fs from 'fs';

/** Parses a JSON file (package.json, lockfiles, results). */
export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
