import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the `apprights` package, found from this module's location: the code runs from
 * src/ (tests), dist/ (tsc output) or dist/bundle/ (the bundled CLI), at different depths.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'apprights') return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the apprights package folder');
}

export const packageRoot = findRoot();

export const packageVersion = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
