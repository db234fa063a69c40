/**
 * Frida 17 no longer builds the Java bridge into its runtime: scripts import it from the
 * `frida-java-bridge` package (frida-compile bundles it). When that package is installed its own
 * types apply; without it this declaration stands in, and `scripts/build-agent.mjs` bundles a module
 * that reads the `Java` global of Frida ≤ 16 and of the frida REPL. The agent uses the bridge through
 * its own structural interface (`java.ts`), so either typing works.
 */
declare module 'frida-java-bridge' {
  const Java: unknown;
  export default Java;
}
