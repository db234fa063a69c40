/**
 * Appends items one by one: pushing a whole list as spread arguments passes every item as an
 * argument and overflows the stack past about 125,000, which the tests that build huge inputs reach.
 */
export function append<T>(out: T[], ...lists: readonly (Iterable<T> | undefined)[]): void {
  for (const list of lists) if (list) for (const item of list) out.push(item);
}
