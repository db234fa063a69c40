// `apprights serve --demo`: after the accounts, a short story through every actor's workflow, so a
// person who logs in as any demo role finds something on their screens: a verified developer, a
// listing rejected with reasons and its resubmission passed by a reviewer, the app on the public
// disclosure, a campaign, a published bulletin, an SDK entry of the vendor, a stop-access order in the
// provider's feed and a complaint in the developer's inbox.
//
// The story goes through the HTTP API of the running server with each demo account's token, as an
// integration would: the same validation, roles and audit as everyone else, and no second way of
// writing the workflows' rows. It needs the workers and the event dispatcher of `serve` (the scan of
// the demo package and the campaign are jobs), so it runs after the server listens.
//
// The demo package is the ApiDemos APK of the `android-apidemos` npm package (a devDependency in a
// checkout). Without it the story skips the app, the campaign, the bulletin and the complaint.
// The listing's privacy-policy URL is on the reserved `.invalid` domain, which never resolves
// anywhere: the fetch fails at once in closed and open networks alike, the gate sends the listing
// to a reviewer (policy-unavailable), and the reviewer's decision lists it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoAccount } from './demo.js';

/**
 * The ApiDemos APK of the `android-apidemos` package, looked up from each folder in turn and then from
 * this package's own place (a checkout's node_modules); undefined when absent.
 */
export function findDemoApk(from: readonly string[]): string | undefined {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const require = createRequire(import.meta.url);
  try {
    const apk = join(dirname(require.resolve('android-apidemos/package.json', { paths: [...from, here] })), 'apks', 'ApiDemos-debug.apk');
    return existsSync(apk) ? apk : undefined;
  } catch {
    return undefined;
  }
}

export interface DemoStoryOptions {
  /** The server's base URL (http://host:port). */
  url: string;
  accounts: readonly DemoAccount[];
  /** The demo package; undefined skips the app and what depends on it. */
  apk?: string;
  /** Called at each step with its text in both languages. */
  onStep?: (en: string, zh: string) => void;
  /** Longest wait for one job-driven step (default 180 s). */
  stepTimeoutMs?: number;
}

export interface DemoStory {
  /** False when this data folder already holds the story (a second `serve --demo`). */
  told: boolean;
  listed: boolean;
  bulletin: boolean;
  steps: number;
}

/** A step that did not answer as the story expects: the step and the server's answer. */
export class DemoStoryError extends Error {
  override name = 'DemoStoryError';
}

interface Answer {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the API's JSON, read field by field below
}

/** The listing's words for ApiDemos, as its developer would write them. */
const ENTERPRISE = '演示科技有限公司';
const POLICY_URL = 'https://apidemos.example.invalid/privacy';
const PURPOSE = '演示对应的系统接口 / demonstrates the system API';

export async function runDemoStory(options: DemoStoryOptions): Promise<DemoStory> {
  const token = (role: DemoAccount['role']) => {
    const account = options.accounts.find((a) => a.role === role);
    if (!account) throw new DemoStoryError(`no demo account for ${role}`);
    return account.token;
  };
  const timeout = options.stepTimeoutMs ?? 180_000;
  let steps = 0;
  const step = (en: string, zh: string) => {
    steps++;
    options.onStep?.(en, zh);
  };
  const call = async (role: DemoAccount['role'] | null, method: string, path: string, body?: unknown): Promise<Answer> => {
    const headers: Record<string, string> = role ? { authorization: `Bearer ${token(role)}` } : {};
    let payload: Uint8Array | string | undefined;
    if (body instanceof Uint8Array) {
      payload = body;
      headers['content-type'] = 'application/vnd.android.package-archive';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${options.url}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  };
  /** Calls the API and insists on `status`: the answer's JSON, or the step's error with what the server said. */
  const must = async (
    status: number,
    what: string,
    role: DemoAccount['role'] | null,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Answer['json']> => {
    const answer = await call(role, method, path, body);
    if (answer.status !== status)
      throw new DemoStoryError(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.json)?.slice(0, 400) ?? ''}`);
    return answer.json;
  };
  const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const end = Date.now() + timeout;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > end) throw new DemoStoryError(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  };

  // A data folder tells the story once: a second start finds the vendor's SDK entry and stops.
  const sdks = await must(200, 'SDK entries', 'sdk-vendor', 'GET', '/api/v1/sdk-registry/sdks');
  if ((sdks.items as { catalogId?: string; id: string }[]).some((s) => s.catalogId === 'demopush'))
    return { told: false, listed: false, bulletin: false, steps };

  // --- Store: the developer's identity, verified by the store admin ------------------------------
  const storeId = (await must(200, 'store session', 'store-admin', 'GET', '/api/v1/sessions/current')).organisation.id;
  const devOrg = (await must(200, 'developer session', 'developer', 'GET', '/api/v1/sessions/current')).organisation.id;
  await must(200, 'developer identity', 'developer', 'POST', '/api/v1/store/developer', {
    enterpriseName: ENTERPRISE,
    creditCode: '91110108123456788E',
    filingNumber: '京ICP备2023012345号-1A',
    contacts: [{ name: '张三 Zhang San', email: 'privacy@example.com' }],
  });
  await must(200, 'identity verification', 'store-admin', 'POST', `/api/v1/store/developers/${devOrg}/decision`, {
    decision: 'verified',
    comment: '演示：营业执照一致 / demo: licence matches',
  });
  step('the store verified the demo developer', '商店已核验演示开发者的身份');

  // --- SDK vendor: an SDK entry with a version ------------------------------------------------------
  const sdk = await must(201, 'SDK entry', 'sdk-vendor', 'POST', '/api/v1/sdk-registry/sdks', {
    entry: {
      id: 'demopush',
      name: { zh: '演示推送 SDK', en: 'Demo Push SDK' },
      vendor: { zh: '演示SDK厂商', en: 'Demo SDK vendor' },
      category: 'push',
      region: 'cn',
      tracker: false,
      packages: ['com.demopush.sdk'],
      personalInformation: ['device-identifiers'],
      sources: {
        identity: 'https://sdk.example.com/compliance-guide §1 (demo)',
        packages: 'https://sdk.example.com/integration (demo)',
        personalInformation: 'https://sdk.example.com/privacy §2 (demo)',
      },
      checked: new Date().toISOString().slice(0, 10),
    },
    complianceGuideUrl: 'https://sdk.example.com/compliance-guide',
  });
  await must(201, 'SDK version', 'sdk-vendor', 'POST', `/api/v1/sdk-registry/sdks/${sdk.id}/versions`, {
    version: '1.0.0',
    personalInformation: [{ category: 'device-identifiers', purpose: 'deliver pushes to the device / 向设备推送消息', items: 'OAID' }],
    configOptions: [
      {
        function: 'location-based push / 基于位置的推送',
        option: 'DemoPush.setLocationEnabled(false)',
        personalInformation: ['location'],
      },
    ],
  });
  step('the SDK vendor published Demo Push SDK 1.0.0', 'SDK 厂商已发布“演示推送 SDK 1.0.0”');

  // --- Stop-access: an order the access provider's feed carries -------------------------------------
  await must(201, 'stop-access order', 'regulator', 'POST', '/api/v1/stop-access/orders', {
    packageNames: ['com.example.fakeloan'],
    sdkPrefixes: ['com.example.fakeloan.track'],
    domains: ['fakeloan.example.com'],
    legalBasis: '演示：《网络安全法》第六十八条 / demo: Cybersecurity Law art. 68',
  });
  step('the regulator issued a stop-access order', '监管部门已下发停止接入指令');

  let listed = false;
  let bulletin = false;
  if (options.apk) {
    // --- Store: upload, a listing that contradicts the package, the reasons, the resubmission -----
    const blob = (await must(201, 'upload', 'developer', 'POST', '/api/v1/packages', new Uint8Array(readFileSync(options.apk)))).blob
      .sha256;
    const elements = {
      name: 'API Demos',
      version: '5.0.0',
      developer: ENTERPRISE,
      privacyPolicyUrl: POLICY_URL,
      permissions: [] as { name: string; purpose: string }[],
      description: 'Android 系统接口演示 / demonstrates the Android APIs',
    };
    const submit = async (body: Record<string, unknown>) =>
      (
        await must(202, 'submission', 'developer', 'POST', '/api/v1/store/submissions', {
          store: storeId,
          blob,
          appType: 'utilities',
          ...body,
        })
      ).id as string;
    const gated = (id: string) =>
      until(`submission ${id} to be gated`, async () => {
        const s = (await call('developer', 'GET', `/api/v1/store/submissions/${id}`)).json;
        return s && s.state !== 'detecting' ? s : undefined;
      });
    const firstId = await submit({ elements: { ...elements, name: 'API Demos Pro', version: '9.9.9' } });
    const first = await gated(firstId);
    if (first.state !== 'rejected') throw new DemoStoryError(`the contradicting listing was ${first.state}, not rejected`);
    step(
      `the gate rejected a listing that contradicts the package, with ${first.reasons.length} reasons`,
      `门禁驳回了与安装包不符的上架申请，附 ${first.reasons.length} 条理由`,
    );
    // The developer lists what the reasons name: every dangerous permission the package requests.
    const permissions = (first.reasons as { diff?: { kind: string; apk: string | null } }[])
      .filter((r) => r.diff?.kind === 'permission-not-listed' && r.diff.apk)
      .map((r) => ({ name: r.diff!.apk!, purpose: PURPOSE }));
    const secondId = await submit({ elements: { ...elements, permissions }, resubmissionOf: firstId });
    const second = await gated(secondId);
    if (second.state === 'review') {
      step(
        'the resubmission awaits a reviewer (its privacy policy could not be fetched)',
        '重新提交的申请等待人工审核（隐私政策无法获取）',
      );
      await must(200, 'claim', 'store-reviewer', 'POST', `/api/v1/store/submissions/${secondId}/claim`, {});
      await must(200, 'review decision', 'store-reviewer', 'POST', `/api/v1/store/submissions/${secondId}/decision`, {
        decision: 'pass',
        comment: '演示：已人工核对隐私政策 / demo: policy checked by hand',
      });
    } else if (second.state !== 'listed') throw new DemoStoryError(`the resubmission was ${second.state}`);
    const listing = await until('the app on the public disclosure', async () => {
      const page = (await call(null, 'GET', '/api/v1/public/listings')).json;
      return page?.items?.find((i: { packageName: string }) => i.packageName === 'io.appium.android.apis');
    });
    listed = true;
    step(
      'a reviewer passed the resubmission: API Demos is listed and publicly disclosed',
      '审核员通过了重新提交的申请：API Demos 已上架并公示',
    );

    // --- Public: a complaint to the operator -----------------------------------------------------
    await must(201, 'complaint', null, 'POST', `/api/v1/public/listings/${listing.id}/complaints`, {
      category: 'personal-information',
      text: '演示投诉：应用在我同意隐私政策前读取了通讯录。Demo complaint: the app read my contacts before I agreed.',
      contact: 'user@example.com',
    });
    step('a visitor filed a complaint; it is in the developer’s inbox', '访客提交了投诉，已进入开发者的投诉处理列表');

    // --- Regulator: a campaign over the store, findings confirmed, a bulletin published -----------
    const campaign = await must(201, 'campaign', 'regulator', 'POST', '/api/v1/regulator/campaigns', {
      name: '演示专项检测 Demo campaign',
      selection: { storeIds: [storeId] },
    });
    const findings = await until('the campaign’s findings', async () => {
      const items = (await call('regulator', 'GET', `/api/v1/regulator/campaigns/${campaign.id}/findings?state=new`)).json?.items;
      return items?.length ? (items as { id: string }[]) : undefined;
    });
    const chosen = findings.slice(0, 3);
    for (const f of chosen)
      await must(200, 'triage', 'regulator', 'POST', `/api/v1/regulator/findings/${f.id}/triage`, { decision: 'confirm' });
    const draft = await must(201, 'bulletin', 'regulator', 'POST', '/api/v1/regulator/bulletins', {
      title: 'Apps infringing users’ rights (demo)',
      titleZh: '侵害用户权益行为的APP通报（演示）',
      measure: '按工信部信管函〔2023〕26号整改 / rectify under the 2023 notice',
      legalBasis: '工信部信管函〔2023〕26号',
      findings: chosen.map((f) => f.id),
      deadline: { workingDays: 15 },
    });
    await must(200, 'publish', 'regulator', 'POST', `/api/v1/regulator/bulletins/${draft.id}/publish`, {});
    bulletin = true;
    step(
      `the regulator's campaign found ${findings.length} findings; a bulletin of ${chosen.length} is published with a 15-working-day deadline`,
      `监管部门的专项检测发现 ${findings.length} 个问题；已发布含 ${chosen.length} 项的通报，整改期限 15 个工作日`,
    );
  }
  return { told: true, listed, bulletin, steps };
}
