import type { ListingElements } from '../../db/schema.js';
import type { DiffItem } from './gate.js';

// The listing the developer wrote against what the package and its privacy policy say, from the
// reports' JSON as the scan and fetch-policy jobs stored them (no second reading of the APK).

interface ScanBody {
  app?: { label?: string | null; labels?: Record<string, string>; versionName?: string | null };
  permissions?: { name: string; protectionLevel?: string | null }[];
  sdks?: { id: string; name?: { zh?: string; en?: string }; category?: string }[];
}

interface PolicyBody {
  sdkTable?: { name?: string; sdk?: string | null }[];
}

const norm = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/** A permission the user must be told about (dangerous, or of a level the package does not say). */
function mustBeListed(p: { name: string; protectionLevel?: string | null }): boolean {
  const level = p.protectionLevel ?? null;
  return level === null || level.split('|').includes('dangerous');
}

export function compareListing(
  elements: ListingElements,
  scan: ScanBody,
  policy: PolicyBody | null,
  enterpriseName: string | null,
): DiffItem[] {
  const out: DiffItem[] = [];
  const labels = new Set<string>();
  if (scan.app?.label) labels.add(norm(scan.app.label));
  for (const l of Object.values(scan.app?.labels ?? {})) if (typeof l === 'string') labels.add(norm(l));
  if (labels.size > 0 && !labels.has(norm(elements.name)))
    out.push({
      kind: 'label-mismatch',
      pointer: '/elements/name',
      listing: elements.name,
      apk: scan.app?.label ?? null,
      en: `the listing names the app ${JSON.stringify(elements.name)}, the package's label is ${JSON.stringify(scan.app?.label ?? null)}`,
      zh: `上架信息的应用名称为 ${JSON.stringify(elements.name)}，安装包的应用名称为 ${JSON.stringify(scan.app?.label ?? null)}`,
    });
  const versionName = scan.app?.versionName ?? null;
  if (versionName !== null && norm(versionName) !== norm(elements.version))
    out.push({
      kind: 'version-mismatch',
      pointer: '/elements/version',
      listing: elements.version,
      apk: versionName,
      en: `the listing gives version ${JSON.stringify(elements.version)}, the package's versionName is ${JSON.stringify(versionName)}`,
      zh: `上架信息的版本号为 ${JSON.stringify(elements.version)}，安装包的 versionName 为 ${JSON.stringify(versionName)}`,
    });
  if (enterpriseName !== null && norm(enterpriseName) !== norm(elements.developer))
    out.push({
      kind: 'developer-mismatch',
      pointer: '/elements/developer',
      listing: elements.developer,
      apk: enterpriseName,
      en: `the listing names the developer ${JSON.stringify(elements.developer)}, the verified enterprise is ${JSON.stringify(enterpriseName)}`,
      zh: `上架信息的开发者为 ${JSON.stringify(elements.developer)}，已认证的企业名称为 ${JSON.stringify(enterpriseName)}`,
    });
  const listed = new Set(elements.permissions.map((p) => p.name));
  const requested = scan.permissions ?? [];
  for (const p of requested)
    if (mustBeListed(p) && !listed.has(p.name))
      out.push({
        kind: 'permission-not-listed',
        pointer: '/elements/permissions',
        listing: null,
        apk: p.name,
        en: `the package requests ${p.name} (${p.protectionLevel ?? 'unknown level'}), which the listing's permission list omits`,
        zh: `安装包申请了 ${p.name}（${p.protectionLevel ?? '级别未知'}），上架信息的权限列表未列出`,
      });
  const requestedNames = new Set(requested.map((p) => p.name));
  elements.permissions.forEach((p, i) => {
    if (!requestedNames.has(p.name))
      out.push({
        kind: 'permission-listed-not-requested',
        pointer: `/elements/permissions/${i}/name`,
        listing: p.name,
        apk: null,
        en: `the listing names ${p.name}, which the package does not request`,
        zh: `上架信息列出了 ${p.name}，但安装包未申请该权限`,
      });
  });
  if (policy === null) {
    out.push({
      kind: 'policy-unavailable',
      pointer: '/elements/privacyPolicyUrl',
      listing: elements.privacyPolicyUrl,
      apk: null,
      en: 'the privacy policy could not be fetched and read',
      zh: '无法获取并读取隐私政策',
    });
  } else {
    const inPolicy = new Set((policy.sdkTable ?? []).map((r) => r.sdk).filter((s): s is string => typeof s === 'string'));
    // Open-source libraries process no personal information of their own; third-party SDKs must be in the policy's list.
    for (const sdk of scan.sdks ?? [])
      if (sdk.category !== 'open-source-library' && !inPolicy.has(sdk.id))
        out.push({
          kind: 'sdk-not-in-policy',
          pointer: '/elements/privacyPolicyUrl',
          listing: null,
          apk: sdk.id,
          en: `the package embeds the SDK ${sdk.name?.en ?? sdk.id}, which the privacy policy's SDK list does not name`,
          zh: `安装包集成了 SDK ${sdk.name?.zh ?? sdk.id}，隐私政策的第三方 SDK 清单未列出`,
        });
  }
  return out;
}
