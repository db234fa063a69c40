/**
 * Writes the example output of a fake-device run beside the tests (packages/cli/test/explore/example/):
 * the six scenarios' traces and UI dumps, explore.json, the saved policy text and the merged report;
 * and in example-frida/ scenario a with the Frida recorder attached (on a fake Frida).
 * Run after a change to the explorer or the rules: `npx tsx packages/cli/test/explore/generate.ts`.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exploreFakeShop, exploreFakeShopFrida } from './fake-shop.js';

const out = fileURLToPath(new URL('./example/', import.meta.url));
rmSync(out, { recursive: true, force: true });
const code = await exploreFakeShop(out);
process.stdout.write(`\nexit ${code}\n`);

const outFrida = fileURLToPath(new URL('./example-frida/', import.meta.url));
rmSync(outFrida, { recursive: true, force: true });
const withFrida = await exploreFakeShopFrida(outFrida);
process.stdout.write(`\nexit ${withFrida.code}\n`);
