/**
 * Small SDK binaries written by the tests themselves (no vendor code): class files with
 * `static final String` constants, JARs and AARs with nested `libs/*.jar`, META-INF version files
 * and manifests. They exercise the version sources and bundling on layouts that vendors ship, with
 * package names taken from the catalogue.
 */
import { buildZip, type ZipWriterEntry } from '@apprights/testkit';

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

export interface ClassOptions {
  /** Internal name of the superclass (default `java/lang/Object`). */
  superName?: string;
  /**
   * Calls made by one `public static void read()` method: `invokevirtual` on a null receiver of
   * methods taking no argument (`{ owner: 'android/telephony/TelephonyManager', name, descriptor }`).
   */
  calls?: { owner: string; name: string; descriptor: string }[];
  /** Names of no-argument `public String` methods the class declares (overrides). */
  declares?: string[];
  /** No-argument `public String` methods returning a string constant: name → the string. */
  returns?: Record<string, string>;
}

/**
 * A class file (major 52) `name extends superName` with `public static final String` fields
 * carrying ConstantValue attributes, and optionally one method making calls; names in internal form
 * (`com/x/BuildConfig`).
 */
export function classWithConstants(name: string, constants: Record<string, string> = {}, options: ClassOptions = {}): Uint8Array {
  const pool: number[][] = [];
  const utf8Ids = new Map<string, number>();
  const utf8 = (s: string): number => {
    const known = utf8Ids.get(s);
    if (known) return known;
    const bytes = [...Buffer.from(s, 'utf8')];
    pool.push([1, ...u16(bytes.length), ...bytes]);
    utf8Ids.set(s, pool.length);
    return pool.length;
  };
  const classRef = (internal: string): number => {
    const n = utf8(internal);
    pool.push([7, ...u16(n)]);
    return pool.length;
  };
  const thisClass = classRef(name);
  const superClass = classRef(options.superName ?? 'java/lang/Object');
  const constantValue = utf8('ConstantValue');
  const descriptor = utf8('Ljava/lang/String;');
  const fields: number[] = [];
  const entries = Object.entries(constants);
  for (const [field, value] of entries) {
    const fieldName = utf8(field);
    const text = utf8(value);
    pool.push([8, ...u16(text)]);
    const string = pool.length;
    // ACC_PUBLIC | ACC_STATIC | ACC_FINAL, one ConstantValue attribute of length 2.
    fields.push(...u16(0x0019), ...u16(fieldName), ...u16(descriptor), ...u16(1), ...u16(constantValue), 0, 0, 0, 2, ...u16(string));
  }
  const methods: number[][] = [];
  const codeName = utf8('Code');
  const calls = options.calls ?? [];
  if (calls.length > 0) {
    const code: number[] = [];
    for (const c of calls) {
      const owner = classRef(c.owner);
      const nameId = utf8(c.name);
      const descId = utf8(c.descriptor);
      pool.push([12, ...u16(nameId), ...u16(descId)]);
      const nat = pool.length;
      pool.push([10, ...u16(owner), ...u16(nat)]);
      // aconst_null; invokevirtual #ref; pop
      code.push(0x01, 0xb6, ...u16(pool.length), 0x57);
    }
    code.push(0xb1); // return
    const body = [...u16(1), ...u16(0), 0, 0, 0, code.length, ...code, ...u16(0), ...u16(0)];
    methods.push([...u16(0x0009), ...u16(utf8('read')), ...u16(utf8('()V')), ...u16(1), ...u16(codeName), 0, 0, 0, body.length, ...body]);
  }
  for (const declared of options.declares ?? []) {
    const code = [0x01, 0xb0]; // aconst_null; areturn
    const body = [...u16(1), ...u16(1), 0, 0, 0, code.length, ...code, ...u16(0), ...u16(0)];
    methods.push([
      ...u16(0x0001),
      ...u16(utf8(declared)),
      ...u16(utf8('()Ljava/lang/String;')),
      ...u16(1),
      ...u16(codeName),
      0,
      0,
      0,
      body.length,
      ...body,
    ]);
  }
  for (const [method, value] of Object.entries(options.returns ?? {})) {
    pool.push([8, ...u16(utf8(value))]);
    const string = pool.length;
    if (string > 0xff) throw new Error('constant pool too large for ldc in this builder');
    const code = [0x12, string, 0xb0]; // ldc #string; areturn
    const body = [...u16(1), ...u16(1), 0, 0, 0, code.length, ...code, ...u16(0), ...u16(0)];
    methods.push([
      ...u16(0x0001),
      ...u16(utf8(method)),
      ...u16(utf8('()Ljava/lang/String;')),
      ...u16(1),
      ...u16(codeName),
      0,
      0,
      0,
      body.length,
      ...body,
    ]);
  }
  return new Uint8Array([
    0xca,
    0xfe,
    0xba,
    0xbe,
    ...u16(0),
    ...u16(52),
    ...u16(pool.length + 1),
    ...pool.flat(),
    ...u16(0x21),
    ...u16(thisClass),
    ...u16(superClass),
    ...u16(0),
    ...u16(entries.length),
    ...fields,
    ...u16(methods.length),
    ...methods.flat(),
    ...u16(0),
  ]);
}

/** A JAR of empty classes (plus optional constants per class and extra entries). */
export function jarOf(classes: Record<string, Record<string, string>>, extra: ZipWriterEntry[] = []): Uint8Array {
  return buildZip([
    ...Object.entries(classes).map(([name, constants]) => ({ name: `${name}.class`, data: classWithConstants(name, constants) })),
    ...extra,
  ]);
}

/**
 * A one-click login AAR laid out the way aggregators ship it: the aggregator's own classes in
 * classes.jar, each carrier's SDK as a nested `libs/*.jar`. China Mobile's and China Telecom's
 * versions are in their file names, China Unicom's in a BuildConfig constant (the current package
 * name, com.unicom.online.account), the aggregator's in the AAR's own file name.
 */
export function oneClickLoginAar(): Uint8Array {
  const manifest = `<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.mobile.auth.gatewayauth">
  <application>
    <activity android:name=".LoginAuthActivity" />
  </application>
</manifest>
`;
  return buildZip([
    { name: 'AndroidManifest.xml', data: manifest },
    {
      name: 'classes.jar',
      data: jarOf({
        'com/mobile/auth/gatewayauth/PhoneNumberAuthHelper': {},
        'com/mobile/auth/gatewayauth/LoginAuthActivity': {},
        'com/mobile/auth/gatewayauth/TokenResultListener': {},
        'com/mobile/auth/gatewayauth/PreLoginResultListener': {},
      }),
    },
    {
      name: 'libs/quick_login_android_5.9.6.jar',
      data: jarOf({
        'com/cmic/gen/sdk/auth/GenAuthnHelper': {},
        'com/cmic/gen/sdk/auth/GenTokenListener': {},
        'com/cmic/gen/sdk/view/GenLoginAuthActivity': {},
      }),
    },
    {
      name: 'libs/unicom-account.jar',
      data: jarOf({
        'com/unicom/online/account/shield/UniAccountHelper': {},
        'com/unicom/online/account/shield/ResultListener': {},
        'com/unicom/online/account/kernel/BuildConfig': { VERSION_NAME: '5.2.0', APPLICATION_ID: 'com.unicom.online.account' },
      }),
    },
    {
      name: 'libs/CTAccountSdk_v3.8.4_all_release.jar',
      data: jarOf({
        'cn/com/chinatelecom/account/api/CtAuth': {},
        'cn/com/chinatelecom/account/api/ResultListener': {},
        'cn/com/chinatelecom/account/api/TraceLogger': {},
      }),
    },
  ]);
}
