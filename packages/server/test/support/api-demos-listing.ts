import { readFileSync } from 'node:fs';

/** The listing and privacy policy written for the real ApiDemos APK (fixtures/api-demos-listing.json; also read by scripts/e2e-workflows.mjs). */
export const API_DEMOS_LISTING = JSON.parse(readFileSync(new URL('../fixtures/api-demos-listing.json', import.meta.url), 'utf8')) as {
  enterpriseName: string;
  policy: string;
  /** Every permission ApiDemos requests at the dangerous level, with a purpose. */
  permissions: { name: string; purpose: string }[];
};

/** The permissions as the console's listing form takes them: one "name: purpose" a line. */
export const API_DEMOS_PERMISSION_LINES = API_DEMOS_LISTING.permissions.map((p) => `${p.name}: ${p.purpose}`).join('\n');
