/**
 * `apprights policy draft` and `apprights listing draft`: the texts a store and the rules ask for,
 * drafted from a package (or a stored scan report). The policy draft and its gap report are built
 * in policy-draft.ts; the store listing's six elements here.
 */
import type { PolicyAnalysis } from '@apprights/policy';
import { DOWNLOAD_ELEMENTS, ELEMENT_NAMES, isAospTestCertificate, isDebugCertificate, type PackageFacts } from '@apprights/rules';
import { knowledgeFor, resolveChecks, type CheckOptions } from './checks.js';
import { checkAborted } from './errors.js';
import { readPolicy, type PolicySource, type ReadPolicyOptions } from './evidence.js';
import { readPackage, type PackageInput, type ReadLimits } from './package-facts.js';
import { buildPolicyDraft } from './policy-draft.js';
import type { RunControl } from './progress.js';
import { looksLikeJson, readStoredReport } from './stored-report.js';
import { LISTING_DRAFT_VERSION, type DraftSource, type ListingDraft, type ListingElement, type PolicyDraft } from './draft-model.js';

export interface DraftOptions extends CheckOptions, RunControl {
  /** Record unreadable parts of the package as problems and go on. */
  keepGoing?: boolean;
  limits?: ReadLimits;
  /** The file name the draft shows when the input is a source or bytes. */
  name?: string;
}

export interface PolicyDraftOptions extends DraftOptions, ReadPolicyOptions {
  /** The existing privacy policy (file, URL, text or an analysis): a gap report is drafted against it. */
  policy?: PolicySource | PolicyAnalysis;
}

export interface ListingDraftOptions extends DraftOptions {
  /** The privacy policy's web address, when the developer gives it (the app does not say it). */
  privacyPolicyUrl?: string;
}

/** The package's facts: read from the package, or taken from a stored scan report (`.json`, or a file starting with `{`). */
async function factsOf(input: PackageInput, options: DraftOptions): Promise<PackageFacts> {
  if (typeof input === 'string' && looksLikeJson(input)) return readStoredReport(input);
  return (await readPackage(input, options)).facts;
}

function isAnalysis(source: PolicySource | PolicyAnalysis): source is PolicyAnalysis {
  return typeof source === 'object' && 'sections' in source && 'version' in source;
}

/**
 * Drafts the privacy policy's SDK list, list of personal information collected and permission list
 * from a package or stored scan report; with `policy`, also the gap report against that policy. The
 * app type (option or listing) decides which information needs a separate consent.
 */
export async function draftPolicy(input: PackageInput, options: PolicyDraftOptions = {}): Promise<PolicyDraft> {
  return (await drafted(input, options)).draft;
}

async function drafted(input: PackageInput, options: PolicyDraftOptions): Promise<{ facts: PackageFacts; draft: PolicyDraft }> {
  const checks = resolveChecks(options);
  checkAborted(options.signal);
  const knowledge = knowledgeFor(checks);
  knowledge.catch(() => {});
  // The policy is read first: a wrong URL fails before the package is read.
  const policy =
    options.policy === undefined ? undefined : isAnalysis(options.policy) ? options.policy : await readPolicy(options.policy, options);
  const facts = await factsOf(input, options);
  const snapshot = await knowledge;
  checkAborted(options.signal);
  const draft = buildPolicyDraft({
    facts,
    knowledge: snapshot,
    toolVersion: options.toolVersion ?? 'unknown',
    ...(checks.store?.appType ? { appType: checks.store.appType } : {}),
    ...(policy ? { policy } : {}),
  });
  return { facts, draft };
}

/** RFC 4514 attribute values of one type in a DN as @apprights/apk writes it (`CN=…,O=…`), unescaped. */
export function dnValues(dn: string, type: string): string[] {
  const values: string[] = [];
  let i = 0;
  while (i < dn.length) {
    let key = '';
    while (i < dn.length && dn[i] !== '=') key += dn[i++];
    i++;
    let value = '';
    while (i < dn.length && dn[i] !== ',' && dn[i] !== '+') {
      if (dn[i] === '\\' && i + 1 < dn.length) i++;
      value += dn[i++];
    }
    i++;
    if (key.trim().toUpperCase() === type) values.push(value.trim());
  }
  return values;
}

const PERSON: ListingElement<never>['note'] = {
  zh: '安装包中没有这项信息，需由开发者填写',
  en: 'the package does not hold this; the developer writes it',
};

/**
 * The store listing's six elements (app name, version, developer, privacy policy, permission list,
 * function description): filled where the package determines them, with their sources; the others
 * are marked for a person to write.
 */
export async function draftListing(input: PackageInput, options: ListingDraftOptions = {}): Promise<ListingDraft> {
  const { facts, draft } = await drafted(input, options);
  const [nameEl, versionEl, developerEl, policyEl, permissionsEl, descriptionEl] = DOWNLOAD_ELEMENTS;
  const title = (e: (typeof DOWNLOAD_ELEMENTS)[number]) => ELEMENT_NAMES[e];
  const manifest = (element: string, detail: string): DraftSource => ({
    kind: 'manifest',
    artifact: 'AndroidManifest.xml',
    element,
    detail,
  });
  const label = facts.app.label;
  const version = facts.app.versionName;
  const certificate = facts.signatures?.certificates[0];
  const organisations = certificate ? dnValues(certificate.subject, 'O').filter((o) => o !== '') : [];
  const debug = certificate ? isDebugCertificate(certificate.subject) : false;
  const testKey = certificate ? isAospTestCertificate(certificate.subject) : false;
  const developer = !debug && !testKey && organisations.length > 0 ? organisations.join(', ') : null;
  const developerNote = !certificate
    ? { zh: '安装包没有可读的签名证书，需由开发者填写', en: 'the package has no readable signing certificate; the developer writes it' }
    : debug
      ? {
          zh: '安装包以 Android 调试证书签名，证书主体不代表开发者，需由开发者填写',
          en: 'the package is signed with the Android debug certificate, whose subject is not the developer; the developer writes it',
        }
      : testKey
        ? {
            zh: '安装包以 AOSP 公开测试密钥签名，证书主体是 Android 项目本身，不代表开发者，需由开发者填写',
            en: 'the package is signed with a public AOSP test key, whose subject is the Android project, not the developer; the developer writes it',
          }
        : developer === null
          ? {
              zh: '签名证书主体没有写明组织（O），需由开发者填写',
              en: 'the signing certificate’s subject names no organisation (O); the developer writes it',
            }
          : {
              zh: '取自签名证书主体的组织（O），为签名者自行填写的内容：请核对是否为开发者的法定名称',
              en: 'from the organisation (O) of the signing certificate’s subject, which the signer writes: check it is the developer’s legal name',
            };
  const url = options.privacyPolicyUrl;
  const elements: ListingDraft['elements'] = [
    {
      element: nameEl!,
      title: title(nameEl!),
      value: label,
      filledBy: label !== null ? 'app' : 'person',
      note: label !== null ? null : PERSON,
      sources: label !== null ? [manifest('application', 'android:label')] : [],
    },
    {
      element: versionEl!,
      title: title(versionEl!),
      value: version !== null ? { name: version, code: facts.app.versionCode } : null,
      filledBy: version !== null ? 'app' : 'person',
      note: version !== null ? null : PERSON,
      sources: version !== null ? [manifest('manifest', 'android:versionName')] : [],
    },
    {
      element: developerEl!,
      title: title(developerEl!),
      value: developer,
      filledBy: developer !== null ? 'app' : 'person',
      note: developerNote,
      sources: certificate
        ? [{ kind: 'signature', artifact: facts.file.name, certificate: certificate.sha256, detail: `subject ${certificate.subject}` }]
        : [],
    },
    {
      element: policyEl!,
      title: title(policyEl!),
      value: url ?? null,
      filledBy: url !== undefined ? 'given' : 'person',
      note: url !== undefined ? null : PERSON,
      sources: [],
    },
    {
      element: permissionsEl!,
      title: title(permissionsEl!),
      value: draft.permissions.map((p) => ({ permission: p.permission, label: p.label, purpose: p.purpose })),
      filledBy: 'app',
      note: draft.permissions.some((p) => p.purpose === null)
        ? {
            zh: '用途为空的权限需由开发者填写用途（可写入清单文件的 T/TAF 076 元数据）',
            en: 'permissions without a purpose need one from the developer (the manifest’s T/TAF 076 meta-data can carry it)',
          }
        : null,
      sources: draft.permissions.flatMap((p) => p.sources.filter((s) => s.kind === 'permission' || s.kind === 'manifest')),
    },
    {
      element: descriptionEl!,
      title: title(descriptionEl!),
      value: null,
      filledBy: 'person',
      note: PERSON,
      sources: [],
    },
  ];
  return { schemaVersion: LISTING_DRAFT_VERSION, kind: 'listing-draft', tool: draft.tool, app: draft.app, elements };
}
