import type { DiffItem } from './gate.js';

// An update (a submission for a package this store lists) against the listed version, from the two
// scan reports' JSON. A new signer is accepted only when the new APK proves it: its v3
// proof-of-rotation lineage (signatures.lineage, oldest first) contains the listed signer, so the
// old key signed the hand-over (Android's own rule for updates; APK Signature Scheme v3). What the
// update adds (permissions, SDKs, sensitive APIs, dynamic code loading) goes to a reviewer.

export interface UpdateReport {
  signatures?: { certificates?: { sha256: string }[]; lineage?: string[] } | null;
  permissions?: { name: string }[];
  sdks?: { id: string }[];
  sensitiveApis?: { api: string }[];
  findings?: { ruleId: string }[];
}

/** Kinds that are blocked outright whatever the store's policy says. */
export const BLOCKING_UPDATE_KINDS = new Set<DiffItem['kind']>(['signer-changed']);
/** Kinds that send an update to review when the store's policy would pass it. */
export const REVIEW_UPDATE_KINDS = new Set<DiffItem['kind']>(['new-permission', 'new-sdk', 'new-sensitive-api', 'new-dynamic-code']);

const DYNAMIC_CODE_RULES = new Set(['dynamic-code-loading']);

export function compareVersions(listed: UpdateReport, update: UpdateReport): DiffItem[] {
  const out: DiffItem[] = [];
  const oldSigner = listed.signatures?.certificates?.[0]?.sha256 ?? null;
  const newSigner = update.signatures?.certificates?.[0]?.sha256 ?? null;
  if (oldSigner !== newSigner) {
    const lineage = update.signatures?.lineage ?? [];
    const proven = oldSigner !== null && newSigner !== null && lineage.includes(oldSigner) && lineage[lineage.length - 1] === newSigner;
    out.push(
      proven
        ? {
            kind: 'signer-rotated',
            pointer: '/blob',
            listing: oldSigner,
            apk: newSigner,
            en: 'the signing key was rotated; the APK’s v3 proof-of-rotation lineage starts from the listed signer',
            zh: '签名密钥已轮换，安装包的 v3 签名轮换证明链包含已上架版本的签名者',
          }
        : {
            kind: 'signer-changed',
            pointer: '/blob',
            listing: oldSigner,
            apk: newSigner,
            en: 'the update is signed by another key and no v3 proof-of-rotation lineage links it to the listed signer',
            zh: '更新版本由其他密钥签名，且没有 v3 签名轮换证明链关联到已上架版本的签名者',
          },
    );
  }
  const added = <T>(a: readonly T[] | undefined, b: readonly T[] | undefined, key: (x: T) => string) => {
    const before = new Set((a ?? []).map(key));
    return [...new Set((b ?? []).map(key))].filter((k) => !before.has(k)).sort();
  };
  for (const name of added(listed.permissions, update.permissions, (p) => p.name))
    out.push({
      kind: 'new-permission',
      pointer: null,
      listing: null,
      apk: name,
      en: `the update requests ${name}, the listed version did not`,
      zh: `更新版本新申请了 ${name}`,
    });
  for (const id of added(listed.sdks, update.sdks, (s) => s.id))
    out.push({
      kind: 'new-sdk',
      pointer: null,
      listing: null,
      apk: id,
      en: `the update embeds the SDK ${id}, the listed version did not`,
      zh: `更新版本新集成了 SDK ${id}`,
    });
  for (const api of added(listed.sensitiveApis, update.sensitiveApis, (s) => s.api))
    out.push({
      kind: 'new-sensitive-api',
      pointer: null,
      listing: null,
      apk: api,
      en: `the update calls ${api}, the listed version did not`,
      zh: `更新版本新调用了敏感接口 ${api}`,
    });
  const dynamic = (r: UpdateReport) => (r.findings ?? []).some((f) => DYNAMIC_CODE_RULES.has(f.ruleId));
  if (dynamic(update) && !dynamic(listed))
    out.push({
      kind: 'new-dynamic-code',
      pointer: null,
      listing: null,
      apk: true,
      en: 'the update can load code at run time, the listed version could not',
      zh: '更新版本具备动态加载代码的能力，已上架版本不具备',
    });
  return out;
}
