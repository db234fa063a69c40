import { t, type Lang } from './i18n.js';
import type { ScanReport } from '@apprights/rules';
import { checkSections } from './check-sections.js';
import { policySections } from './policy-views.js';
import { traceSections } from './trace-views.js';
import type { Block, Section } from './section.js';

export type { Block, Section };

const MAX_ROWS = 200;

function yesNo(value: boolean | null): string {
  return value === null ? '-' : value ? 'true' : 'false';
}

function limitRows<T>(rows: T[], more: (n: number) => T): T[] {
  return rows.length > MAX_ROWS ? [...rows.slice(0, MAX_ROWS), more(rows.length - MAX_ROWS)] : rows;
}

/** `checks: false` leaves out coverage and findings, for formats that render them their own way. */
export function buildSections(report: ScanReport, lang: Lang, options: { checks?: boolean } = {}): Section[] {
  const sections: Section[] = [];
  const { app } = report;
  // The terminal shows the locales Chinese users and reviewers care about; JSON has them all.
  const labels = Object.entries(app.labels)
    .filter(([locale]) => ['zh-CN', 'zh-TW', 'zh-HK', 'en'].includes(locale))
    .map(([locale, label]) => `${locale}: ${label}`)
    .join('; ');
  sections.push({
    title: app.label ?? report.file.name,
    blocks: [
      {
        kind: 'fields',
        fields: [
          [t(lang, 'file'), `${report.file.path} (${report.file.size} bytes, sha256 ${report.file.sha256})`],
          [t(lang, 'kind'), report.file.kind.toUpperCase()],
          [t(lang, 'appName'), [app.label ?? '-', labels ? `(${labels})` : ''].join(' ').trim()],
          [t(lang, 'package'), app.package ?? '-'],
          [t(lang, 'version'), `${app.versionName ?? '-'} (${app.versionCode ?? '-'})`],
          [
            t(lang, 'sdk'),
            `${t(lang, 'minSdk')} ${app.minSdk ?? '-'}, ${t(lang, 'targetSdk')} ${app.targetSdk ?? '-'}, ${t(lang, 'compileSdk')} ${app.compileSdk ?? '-'}`,
          ],
          [t(lang, 'launcher'), app.launcherActivity ?? '-'],
          [
            t(lang, 'flags'),
            `debuggable=${yesNo(app.flags.debuggable)} allowBackup=${yesNo(app.flags.allowBackup)} usesCleartextTraffic=${yesNo(app.flags.usesCleartextTraffic)}` +
              ` requestLegacyExternalStorage=${yesNo(app.flags.requestLegacyExternalStorage)}` +
              (app.flags.networkSecurityConfig ? ` networkSecurityConfig=${app.flags.networkSecurityConfig}` : ''),
          ],
        ],
      },
    ],
  });

  sections.push({
    title: `${t(lang, 'permissions')} (${report.permissions.length})`,
    blocks: [
      {
        kind: 'table',
        headers: [t(lang, 'colName'), t(lang, 'colProtection'), 'maxSdk', 'sdk23'],
        rows: report.permissions.map((p) => [
          p.name,
          p.protectionLevel ?? '?',
          p.maxSdkVersion?.toString() ?? '',
          p.sdk23 ? t(lang, 'yes') : '',
        ]),
      },
    ],
  });
  if (report.declaredPermissions.length > 0) {
    sections.push({
      title: `${t(lang, 'declaredPermissions')} (${report.declaredPermissions.length})`,
      blocks: [
        {
          kind: 'table',
          headers: [t(lang, 'colName'), t(lang, 'colProtection')],
          rows: report.declaredPermissions.map((p) => [p.name, p.protectionLevel ?? '']),
        },
      ],
    });
  }

  const exported = report.components.filter((c) => c.exported).length;
  sections.push({
    title: `${t(lang, 'components')} (${report.components.length}, ${exported} ${t(lang, 'exported')})`,
    blocks: [
      {
        kind: 'table',
        headers: [t(lang, 'colType'), t(lang, 'colName'), t(lang, 'colExported'), t(lang, 'colPermission'), t(lang, 'colActions')],
        rows: limitRows(
          report.components.map((c) => [
            c.type,
            c.name,
            c.exported ? `${t(lang, 'yes')} (${c.exportedSource})` : t(lang, 'no'),
            c.permission ?? '',
            c.intentFilters.flatMap((f) => f.actions).join(', '),
          ]),
          (n) => ['…', `+${n}`, '', '', ''],
        ),
      },
    ],
  });

  const codeFields: [string, string][] = [];
  if (report.dex.files > 0) {
    codeFields.push([t(lang, 'dexFiles'), String(report.dex.files)]);
    codeFields.push([t(lang, 'classes'), String(report.dex.classes)]);
    codeFields.push([
      t(lang, 'methods'),
      `${report.dex.methods} (${report.dex.methodRefs} ${t(lang, 'methodRefs')}, ${report.dex.strings} ${t(lang, 'strings')})`,
    ]);
    codeFields.push([t(lang, 'codeRefs'), `${report.dex.invokes} / ${report.dex.staticFieldReads} / ${report.dex.stringLoads}`]);
  }
  if (report.jvm) {
    codeFields.push([t(lang, 'classFiles'), String(report.jvm.classFiles)]);
    codeFields.push([t(lang, 'methods'), `${report.jvm.methods} (${report.jvm.methodRefs} ${t(lang, 'methodRefs')})`]);
    if (report.jvm.aarPackage) codeFields.push([t(lang, 'sdkComponents'), report.jvm.aarPackage]);
  }
  sections.push({
    title: t(lang, 'code'),
    blocks: [{ kind: 'fields', fields: codeFields.length ? codeFields : [['-', t(lang, 'none')]] }],
  });

  sections.push({
    title: `${t(lang, 'nativeLibs')} (${report.nativeLibraries.length})`,
    blocks: [
      {
        kind: 'table',
        headers: ['ABI', t(lang, 'colPath'), 'soname', t(lang, 'colSize')],
        rows: limitRows(
          report.nativeLibraries.map((l) => [l.abi, l.path, l.soname ?? (l.problem ? `(${l.problem})` : ''), String(l.size)]),
          (n) => ['…', `+${n}`, '', ''],
        ),
      },
    ],
  });

  if (report.signatures) {
    const s = report.signatures;
    const scheme = (name: keyof typeof s.details) => {
      const d = s.details[name];
      if (!d.present) return t(lang, 'absent');
      if (d.skipped) return `${t(lang, 'notChecked')}: ${d.skipped}`;
      return d.verified ? t(lang, 'verified') : `${t(lang, 'notVerified')}: ${d.errors.join('; ')}`;
    };
    const fields: [string, string][] = [
      ['v1 (JAR)', scheme('v1')],
      ['v2', scheme('v2')],
      ['v3', scheme('v3')],
      ['v3.1', scheme('v31')],
    ];
    s.certificates.forEach((c, i) => {
      fields.push([`${t(lang, 'certificate')} ${i + 1}`, `${c.subject}`]);
      fields.push(['  SHA-256', c.sha256]);
      fields.push(['  SHA-1', c.sha1]);
      fields.push([
        '  valid',
        `${c.notBefore} .. ${c.notAfter}; ${c.publicKey.algorithm} ${c.publicKey.bits ?? c.publicKey.curve ?? ''}`.trim(),
      ]);
    });
    for (const error of s.errors) fields.push([t(lang, 'errorPrefix'), error]);
    sections.push({
      title: `${t(lang, 'signatures')}: ${s.verified ? t(lang, 'verified') : t(lang, 'notVerified')}`,
      blocks: [{ kind: 'fields', fields }],
    });
  }

  for (const s of knowledgeSections(report, lang)) sections.push(s);

  if (report.archive.issues.length > 0) {
    sections.push({
      id: 'archiveIssues',
      title: `${t(lang, 'archiveIssues')} (${report.archive.issues.length})`,
      blocks: [
        {
          kind: 'list',
          items: limitRows(
            report.archive.issues.map((i) => `${i.kind}: ${i.entry ?? ''} ${i.message}`),
            (n) => `… +${n}`,
          ),
        },
      ],
    });
  }
  if (report.archive.nested.length > 0) {
    sections.push({
      title: `${t(lang, 'nested')} (${report.archive.nested.length})`,
      blocks: [
        {
          kind: 'table',
          headers: [t(lang, 'colPath'), t(lang, 'kind'), t(lang, 'colSize'), t(lang, 'classes'), t(lang, 'colNote')],
          rows: limitRows(
            report.archive.nested.map((n) => [n.path, n.kind, String(n.size), n.classes?.toString() ?? '', n.error ?? n.skipped ?? '']),
            (n) => ['…', `+${n}`, '', '', ''],
          ),
        },
      ],
    });
  }
  if (report.problems.length > 0) {
    sections.push({
      id: 'problems',
      title: `${t(lang, 'problems')} (${report.problems.length})`,
      blocks: [{ kind: 'list', items: report.problems.map((p) => `${p.code}: ${p.message}`) }],
    });
  }
  // The policy's overview only: `apprights policy` prints the whole analysis.
  if (report.policy) for (const s of policySections(report.policy, lang, { short: true })) sections.push(s);
  // The trace's overview only: `apprights trace` prints the snapshots and skipped lines too.
  if (report.trace) for (const s of traceSections(report.trace, report.ui, lang, { short: true })) sections.push(s);
  // Last, so the verdict is what a terminal user sees when the scan ends.
  if (options.checks !== false) for (const s of checkSections(report, lang)) sections.push(s);
  return sections;
}

/** "SDKs" and "Sensitive APIs": what third-party code is inside, and who calls what. */
function knowledgeSections(report: ScanReport, lang: Lang): Section[] {
  const sections: Section[] = [];
  sections.push({
    title: `${t(lang, 'sdks')} (${report.sdks.length})`,
    blocks: [
      {
        kind: 'table',
        headers: [
          t(lang, 'colSdk'),
          t(lang, 'colName'),
          t(lang, 'colCategory'),
          t(lang, 'colTracker'),
          t(lang, 'colConfidence'),
          t(lang, 'colVersion'),
          t(lang, 'colEvidence'),
        ],
        rows: limitRows(
          report.sdks.map((s) => {
            const e = s.evidence;
            const evidence = [
              e.classes ? `${e.classes} ${t(lang, 'evidenceClasses')}` : '',
              e.components.length ? `${e.components.length} ${t(lang, 'evidenceComponents')}` : '',
              e.nativeLibraries.join(', '),
              e.domains.length ? `${t(lang, 'evidenceDomains')} ${e.domains.join(', ')}` : '',
              s.bundledBy?.length ? `${t(lang, 'evidenceBundledBy')} ${s.bundledBy.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join('; ');
            return [
              s.id,
              lang === 'zh' ? s.name.zh : s.name.en,
              `${s.category} (${s.region})`,
              s.tracker ? t(lang, 'yes') : t(lang, 'no'),
              s.confidence,
              s.version ? `${s.version}${s.versionSource ? ` (${s.versionSource.kind}: ${s.versionSource.where})` : ''}` : '',
              evidence,
            ];
          }),
          (n) => ['…', `+${n}`, '', '', '', '', ''],
        ),
      },
    ],
  });

  const apiBlocks: Block[] = [
    {
      kind: 'table',
      headers: [t(lang, 'colApi'), t(lang, 'colPi'), t(lang, 'colSensitivity'), t(lang, 'colPermission'), t(lang, 'colCallers')],
      rows: limitRows(
        report.sensitiveApis.map((a) => {
          // Who calls it, by owner: the app, each SDK, code nobody in the catalogue claims.
          const owners = new Map<string, number>();
          for (const c of a.callers) {
            const key = c.sdk ?? (c.own ? t(lang, 'own') : t(lang, 'unidentified'));
            owners.set(key, (owners.get(key) ?? 0) + 1);
          }
          const more = a.callerCount - a.callers.length;
          const byOwner = [...owners].map(([k, n]) => `${k} ${n}`).join(', ') + (more > 0 ? `, +${more}` : '');
          const permission = Array.isArray(a.permission) ? a.permission.join(' | ') : (a.permission ?? '');
          return [a.api, a.pi ?? '', a.sensitivity, permission.replace(/android\.permission\./g, ''), `${a.callerCount} (${byOwner})`];
        }),
        (n) => ['…', `+${n}`, '', '', ''],
      ),
    },
  ];
  const { declaredUnused, usedUndeclared } = report.permissionUse;
  if (declaredUnused.length + usedUndeclared.length > 0) {
    apiBlocks.push({
      kind: 'fields',
      fields: [
        [t(lang, 'declaredUnused'), declaredUnused.join(', ') || '-'],
        [t(lang, 'usedUndeclared'), usedUndeclared.join(', ') || '-'],
      ],
    });
  }
  sections.push({ title: `${t(lang, 'sensitiveApis')} (${report.sensitiveApis.length})`, blocks: apiBlocks });
  return sections;
}
