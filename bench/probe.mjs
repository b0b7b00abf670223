// Sequential latency probe (one connection, no queueing): where does a request's time go?
import { execSync } from "node:child_process";
const [,, meUrl, cookie, floorUrl, hash] = process.argv;
async function time(url, headers, n = 400) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(url, { headers });
    await r.arrayBuffer();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return `p50 ${samples[n / 2 | 0].toFixed(2)} ms  p90 ${samples[n * 0.9 | 0].toFixed(2)} ms`;
}
console.log("floor nothing ", await time(floorUrl + "/nothing", {}));
console.log("floor d1-query", await time(floorUrl + "/d1-query", { "x-token-hash": hash }));
try { console.log("api/me        ", await time(meUrl + "/api/me", { cookie })); } catch (e) { console.log("api/me failed", e, e.cause); }
console.log("healthz       ", await time(meUrl + "/healthz", {}));
console.log("api/nope      ", await time(meUrl + "/api/nope", {}));
console.log("api/session 0 ", await time(meUrl + "/api/session", {}));
console.log("asset favicon ", await time(meUrl + "/favicon.svg", {}));
