/** Compiles small Java sources with javac into a temp dir, for class files with known contents. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hasTool, runTool } from '@apprights/testkit';

export const skipWithoutJavac: string | false =
  hasTool('javac') && hasTool('javap') ? false : 'skipped: javac/javap (a JDK) is not installed';

/** Compiles `sources` (path → text) with `javac --release <release>`; returns the output dir and a reader. */
export function compileJava(sources: Record<string, string>, release: number): { out: string; read: (internalName: string) => Uint8Array } {
  const root = mkdtempSync(join(tmpdir(), 'apprights-javac-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  const src = join(root, 'src');
  const out = join(root, 'out');
  const paths: string[] = [];
  for (const [path, text] of Object.entries(sources)) {
    const file = join(src, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    paths.push(file);
  }
  runTool('javac', ['--release', String(release), '-encoding', 'UTF-8', '-d', out, ...paths]);
  return { out, read: (internalName) => new Uint8Array(readFileSync(join(out, `${internalName}.class`))) };
}

/** A method with more than 256 int locals, so javac must emit `wide` loads, stores and iinc. */
function wideMethod(): string {
  const locals = Array.from({ length: 300 }, (_, i) => `int a${i} = ${i};`).join(' ');
  return `public int wide() { ${locals} a299 += 1000; a298 = a299; return a298 + tm.getDeviceId().length(); }`;
}

export const TRACKER_SOURCES: Record<string, string> = {
  'android/telephony/TelephonyManager.java': `package android.telephony;
public class TelephonyManager {
  public String getDeviceId() { return null; }
  public String getImei(int slot) { return null; }
}`,
  'android/os/Build.java': `package android.os;
public class Build { public static String SERIAL = "unknown"; }`,
  'com/example/Source.java': `package com.example;
public interface Source { String read(); default String twice() { return read() + read(); } }`,
  'com/example/Tracker.java': `package com.example;
import android.telephony.TelephonyManager;
import java.util.function.Supplier;
public class Tracker implements Runnable, java.io.Serializable {
  private static final long BIG = 123456789012345L;
  private static final double TAU = 6.283185307179586;
  static final String ENDPOINT = "https://track.example.com/v1";
  private final TelephonyManager tm;
  public int counter;
  public Tracker(TelephonyManager tm) { this.tm = tm; }
  public String deviceId() { return tm.getDeviceId(); }
  public Supplier<String> lazyId() { return tm::getDeviceId; }
  public Supplier<String> lambdaImei() { return () -> tm.getImei(0); }
  public String serial() { return android.os.Build.SERIAL; }
  public long big() { return BIG + (long) TAU; }
  public int dense(int k) {
    int r;
    switch (k) { case 1: r = 10; break; case 2: r = 20; break; case 3: r = 30; break; case 4: r = 40; break; default: r = 0; }
    return r + tm.getDeviceId().length();
  }
  public int sparse(int k) {
    switch (k) { case -100000: return 1; case 7: return 2; case 99999: return 3; default: return tm.getImei(k).length(); }
  }
  public String text() { return "caf\\u00e9 \\u0000 \\uD83D\\uDE00 " + counter; }
  public Class<?> type() { return TelephonyManager.class; }
  public String viaInterface(Source s) { return s.read(); }
  public Object copy(Object[] a) { return a.clone(); }
  public void run() { counter++; }
  native void nativeInit();
  ${wideMethod()}
}`,
};
