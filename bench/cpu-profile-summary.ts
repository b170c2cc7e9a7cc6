/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof` or the callback bench's `BENCH_CPU_PROF`): where the
 * samples fell by file or package (self time), and the functions with the most self and total time, in ms and in
 * ms per request when told how many requests the profile covers.
 *
 * Run: `node --import tsx bench/cpu-profile-summary.ts PROFILE [requests] [top]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, a project file, Node's own code, or V8 (GC, idle, program). */
function placeOf(url: string, name: string): string {
  if (!url) return `(${name || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/((?:src|bench|migrations)\/.*)$/.exec(url);
  if (own) return own[1]!;
  if (url.startsWith('node:')) return url;
  return url;
}

export function summarizeProfile(profile: Profile, requests = 1, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; attribute it to that sample.
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fnKey = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${placeOf(n.callFrame.url, n.callFrame.functionName)}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const place = new Map<string, number>();
  let all = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    all += us;
    if (n.callFrame.functionName === '(idle)') continue;
    self.set(fnKey(n), (self.get(fnKey(n)) ?? 0) + us);
    const p = placeOf(n.callFrame.url, n.callFrame.functionName);
    place.set(p, (place.get(p) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = fnKey(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + us);
    }
  }
  const idle = [...selfUs].reduce(
    (s, [id, us]) => (byId.get(id)!.callFrame.functionName === '(idle)' ? s + us : s),
    0,
  );
  const fmt = (us: number) =>
    `${(us / 1000).toFixed(0).padStart(7)} ms ${(us / 1000 / requests).toFixed(3).padStart(7)} ms/req`;
  const table = (title: string, m: Map<string, number>) =>
    [
      title,
      ...[...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([k, us]) => `${fmt(us)}  ${k}`),
    ].join('\n');
  return [
    `profile ${(all / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms, busy ${fmt(all - idle)}`,
    table('self time by place', place),
    table('self time by function', self),
    table('total time by function', total),
  ].join('\n\n');
}

if (process.argv[1]?.endsWith('cpu-profile-summary.ts')) {
  const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Profile;
  console.log(summarizeProfile(profile, Number(process.argv[3] ?? 1), Number(process.argv[4] ?? 25)));
}
