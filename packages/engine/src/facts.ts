import {
  analyzePng,
  isBinaryXml,
  isInvokeOpcode,
  isPng,
  isStaticFieldRead,
  sdkNumber,
  signatureSdks,
  type AndroidManifest,
  type ApkSignatureResult,
  type Component as ManifestComponent,
  type ManifestBoolean,
  type MetaData as ManifestMetaData,
  type PackageAnalysis,
  type ResourceOrString,
  type SchemeResult,
} from '@apprights/apk';
import type { KnowledgeFindings } from '@apprights/knowledge';
import { personalInformationAt, platformPermission } from '@apprights/knowledge';
import {
  type Component,
  type DexSummary,
  type IconImage,
  type PackageFacts,
  type SchemeSummary,
  type SignatureSummary,
} from '@apprights/rules';

/** A manifest boolean as JSON: references to bool resources are resolved when the table has them. */
function bool(value: ManifestBoolean | undefined, analysis: PackageAnalysis): boolean | null {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value;
  return analysis.resources?.resolveBoolean(value.id) ?? null;
}

function text(value: ResourceOrString | undefined, analysis: PackageAnalysis): string | null {
  if (!value) return null;
  if (value.kind === 'string') return value.value;
  return (
    analysis.resources?.resolveString(value.id) ?? analysis.resources?.nameOf(value.id) ?? `@0x${value.id.toString(16).padStart(8, '0')}`
  );
}

function metaData(items: readonly ManifestMetaData[]): { name: string; value: string | null }[] {
  return items.map((m) => ({
    name: m.name ?? '',
    value:
      m.value !== undefined
        ? String('value' in m.value ? m.value.value : m.value.kind)
        : m.resource !== undefined
          ? `@0x${m.resource.toString(16)}`
          : null,
  }));
}

function component(c: ManifestComponent, analysis: PackageAnalysis): Component {
  const out: Component = {
    type: c.type,
    name: c.name,
    exported: bool(c.exported, analysis) ?? false,
    exportedSource: c.exportedSource,
    enabled: bool(c.enabled, analysis),
    permission: c.effectivePermission ?? null,
    process: c.process ?? null,
    intentFilters: c.intentFilters.map((f) => ({
      actions: f.actions,
      categories: f.categories,
      data: f.data.map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => typeof v === 'string')) as Record<string, string>),
      priority: f.priority ?? null,
    })),
    metaData: metaData(c.metaData),
  };
  if (c.authorities) out.authorities = c.authorities;
  if (c.targetActivity) out.targetActivity = c.targetActivity;
  return out;
}

function dexSummary(analysis: PackageAnalysis): DexSummary {
  const summary: DexSummary = {
    files: analysis.dex.length,
    classes: 0,
    methods: 0,
    methodRefs: 0,
    fieldRefs: 0,
    strings: 0,
    invokes: 0,
    staticFieldReads: 0,
    stringLoads: 0,
    perFile: [],
  };
  for (const d of analysis.dex) {
    summary.classes += d.dex.counts.classDefs;
    summary.methods += d.definedMethods;
    summary.methodRefs += d.dex.counts.methods;
    summary.fieldRefs += d.dex.counts.fields;
    summary.strings += d.dex.counts.strings;
    if (d.scan) {
      const opcodes = d.scan.refOpcode;
      for (let i = 0; i < d.scan.refCount; i++) {
        const op = opcodes[i]!;
        if (isInvokeOpcode(op)) summary.invokes++;
        else if (isStaticFieldRead(op)) summary.staticFieldReads++;
        else if (op === 0x1a || op === 0x1b) summary.stringLoads++;
      }
    }
    summary.perFile.push({
      name: d.name,
      version: String(d.dex.version).padStart(3, '0'),
      size: d.size,
      classes: d.dex.counts.classDefs,
      methods: d.definedMethods,
      checksumValid: d.dex.checksumValid !== false,
    });
  }
  return summary;
}

function scheme(s: SchemeResult): SchemeSummary {
  return { present: s.present, verified: s.verified, skipped: s.skipped ?? null, errors: s.errors, warnings: s.warnings };
}

export function signatureSummary(result: ApkSignatureResult, minSdk: number): SignatureSummary {
  const ok = (s: SchemeResult) => s.present && s.verified;
  return {
    verified: result.verified,
    schemes: { v1: ok(result.schemes.v1), v2: ok(result.schemes.v2), v3: ok(result.schemes.v3), v31: ok(result.schemes.v31) },
    details: {
      v1: scheme(result.schemes.v1),
      v2: scheme(result.schemes.v2),
      v3: scheme(result.schemes.v3),
      v31: scheme(result.schemes.v31),
    },
    certificates: result.certificates.map((c) => ({
      subject: c.subject,
      issuer: c.issuer,
      serialNumber: c.serialNumber,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      sha256: c.sha256,
      sha1: c.sha1,
      publicKey: { algorithm: c.publicKey.algorithm, bits: c.publicKey.bits ?? null, curve: c.publicKey.curve ?? null },
      signatureAlgorithm: c.signatureAlgorithm ?? null,
    })),
    ...(result.lineage ? { lineage: result.lineage.map((n) => n.certificate.sha256) } : {}),
    minSdk,
    errors: result.errors,
    warnings: result.warnings,
  };
}

/** Launcher icons are tens of kilobytes; a larger PNG is not worth decoding in every scan. */
const MAX_ICON_PNG = 4 * 1024 ** 2;

/** The format by content; by extension only when the entry cannot be read. */
function iconFormat(head: Uint8Array, path: string): IconImage['format'] {
  if (head.length === 0) return (/\.(png|webp|xml)$/i.exec(path)?.[1]?.toLowerCase() as IconImage['format'] | undefined) ?? 'other';
  if (isPng(head)) return 'png';
  const latin1 = Buffer.from(head).toString('latin1');
  if (latin1.startsWith('RIFF') && latin1.slice(8, 12) === 'WEBP') return 'webp';
  return isBinaryXml(head) ? 'xml' : 'other';
}

/** The launcher icon's alpha, for the transparent-icon check; a problem never stops the report. */
function iconImage(analysis: PackageAnalysis): IconImage | null {
  const path = analysis.icon;
  if (!path) return null;
  const image: IconImage = { path, format: 'other', width: null, height: null, transparentRatio: null, meanAlpha: null, problem: null };
  try {
    const entry = analysis.archive.get(path);
    if (!entry) return { ...image, format: iconFormat(new Uint8Array(0), path), problem: 'not in the archive' };
    image.format = iconFormat(analysis.archive.peek(entry, 16), path);
    if (image.format !== 'png') return image;
    if (entry.uncompressedSize > MAX_ICON_PNG)
      return { ...image, problem: `${entry.uncompressedSize} bytes, over the ${MAX_ICON_PNG} decoded` };
    const result = analyzePng(analysis.archive.read(entry, { maxSize: MAX_ICON_PNG }), {}, path);
    image.width = result.width;
    image.height = result.height;
    if (!result.decoded) return { ...image, problem: result.reason };
    // More digits are float noise to a reader; but one visible pixel in a large icon must not round to "all transparent".
    const ratio = Math.round(result.transparentRatio * 1e4) / 1e4;
    image.transparentRatio = ratio === 1 && result.transparentRatio < 1 ? 0.9999 : ratio;
    image.meanAlpha = Math.round(result.meanAlpha * 100) / 100;
  } catch (error) {
    image.problem = error instanceof Error ? error.message : String(error);
  }
  return image;
}

function appInfo(manifest: AndroidManifest | undefined, analysis: PackageAnalysis): PackageFacts['app'] {
  const application = manifest?.application;
  const labels = Object.fromEntries(Object.entries(analysis.labels).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  return {
    package: manifest?.package ?? analysis.jar?.manifest?.package ?? null,
    versionName: text(manifest?.versionName, analysis),
    versionCode: manifest?.versionCode ?? null,
    label: labels.default ?? labels.en ?? Object.values(labels)[0] ?? null,
    labels,
    icon: analysis.icon ?? null,
    iconImage: iconImage(analysis),
    minSdk: sdkNumber(manifest?.minSdkVersion) ?? null,
    targetSdk: sdkNumber(manifest?.targetSdkVersion) ?? null,
    maxSdk: sdkNumber(manifest?.maxSdkVersion) ?? null,
    compileSdk: manifest?.compileSdkVersion ?? manifest?.platformBuildVersionCode ?? null,
    launcherActivity: manifest?.launcherActivity ?? null,
    metaData: metaData(application?.metaData ?? []),
    flags: {
      debuggable: bool(application?.debuggable, analysis),
      allowBackup: bool(application?.allowBackup, analysis),
      usesCleartextTraffic: bool(application?.usesCleartextTraffic, analysis),
      networkSecurityConfig: text(application?.networkSecurityConfig, analysis),
      requestLegacyExternalStorage: bool(application?.requestLegacyExternalStorage, analysis),
      testOnly: bool(application?.testOnly, analysis),
    },
  };
}

/** The knowledge findings as report JSON: catalogue entries are reduced to what a reader needs. */
function findingsSection(findings: KnowledgeFindings | undefined): Pick<PackageFacts, 'sdks' | 'sensitiveApis' | 'permissionUse'> {
  if (!findings) return { sdks: [], sensitiveApis: [], permissionUse: { declaredUnused: [], usedUndeclared: [] } };
  return {
    sdks: findings.sdks.map((d) => ({
      id: d.sdk.id,
      name: { zh: d.sdk.name.zh, en: d.sdk.name.en },
      vendor: { zh: d.sdk.vendor.zh, en: d.sdk.vendor.en },
      category: d.sdk.category,
      region: d.sdk.region,
      tracker: d.sdk.tracker,
      confidence: d.confidence,
      evidence: d.evidence,
      version: d.version,
      versionSource: d.versionSource,
      bundledBy: d.bundledBy,
      privacyPolicy: d.sdk.privacyPolicy ?? null,
      // What the detected version collects, when the vendor's rules say it changed between versions.
      personalInformation: personalInformationAt(d.sdk, d.version),
    })),
    sensitiveApis: findings.sensitiveApis,
    permissionUse: findings.permissionUse,
  };
}

/** The fact sections of the report: what was read from the package, before any rule runs. */
export function buildPackageFacts(analysis: PackageAnalysis, findings?: KnowledgeFindings): PackageFacts {
  const manifest = analysis.manifest;
  const declared = new Map((manifest?.permissions ?? []).map((p) => [p.name, p]));
  const jar = analysis.jar;
  return {
    file: { path: analysis.path, name: analysis.fileName, size: analysis.size, sha256: analysis.sha256, kind: analysis.kind },
    app: appInfo(manifest, analysis),
    permissions: (manifest?.usesPermissions ?? []).map((p) => ({
      name: p.name,
      maxSdkVersion: sdkNumber(p.maxSdkVersion) ?? null,
      sdk23: p.sdk23,
      protectionLevel: platformPermission(p.name)?.protectionLevel ?? declared.get(p.name)?.protectionLevelNames.join('|') ?? null,
    })),
    declaredPermissions: (manifest?.permissions ?? []).map((p) => ({
      name: p.name,
      protectionLevel: p.protectionLevelNames.length ? p.protectionLevelNames.join('|') : null,
      group: p.permissionGroup ?? null,
    })),
    components: (manifest?.application?.components ?? []).map((c) => component(c, analysis)),
    dex: dexSummary(analysis),
    jvm: jar
      ? {
          classFiles: jar.classes.length,
          classes: jar.classes.length,
          methods: jar.classes.reduce((n, c) => n + c.methods.length, 0),
          methodRefs: jar.classes.reduce((n, c) => n + c.references.methods.length, 0),
          aarPackage: jar.manifest?.package ?? null,
          jars: [...jar.archives],
        }
      : null,
    nativeLibraries: (analysis.nativeLibraries?.libraries ?? []).map((l) => ({
      abi: l.abi,
      path: l.path,
      size: l.size,
      soname: l.soname ?? null,
      machine: l.machine ?? null,
      problem:
        l.error?.message ?? (l.notElf ? 'not an ELF file' : l.abiMismatch ? `machine ${l.machine} does not match folder ${l.abi}` : null),
    })),
    signatures: analysis.signatures ? signatureSummary(analysis.signatures, signatureSdks(manifest).minSdk) : null,
    archive: {
      entries: analysis.archive.entries.length,
      issues: analysis.archive.issues.map((i) => ({ kind: i.kind, entry: i.entry ?? null, message: i.message })),
      nested: analysis.nested.map((n) => ({
        path: n.path,
        kind: n.kind,
        size: n.size,
        depth: n.depth,
        entries: n.entries ?? null,
        dexFiles: n.dexFiles ?? null,
        classes: n.classes ?? null,
        methods: n.methods ?? null,
        skipped: n.skipped ?? null,
        error: n.error ?? null,
      })),
    },
    ...findingsSection(findings),
    problems: [
      ...analysis.problems.map((p) => ({ code: p.code, message: p.message, entry: p.entry ?? null })),
      ...analysis.ignoredDex.map((name) => ({
        code: 'dex-ignored',
        message: `${name} is not loaded by Android (gap in the classesN.dex numbering)`,
        entry: name,
      })),
    ],
  };
}
