import { createRequire as __zplCreateRequire } from 'node:module';
import { fileURLToPath as __zplFileURLToPath } from 'node:url';
import { dirname as __zplDirname } from 'node:path';
const require = __zplCreateRequire(import.meta.url);
const __filename = __zplFileURLToPath(import.meta.url);
const __dirname = __zplDirname(__filename);
function s(r,t){let o=r.protocol==="tcp"||r.protocol==="-1"||r.protocol==="all",n=r.protocol==="-1"||r.protocol==="all"||r.fromPort<=t.port&&t.port<=r.toPort;return o&&n&&(r.cidrs.includes(t.cidr)||r.cidrs.includes("0.0.0.0/0"))}function c(r,t){return r.flatMap(o=>t.map(n=>({port:o,cidr:n})))}function i(r,t){return t.filter(o=>!r.some(n=>s(n,o)))}function e(r){return r.map(t=>`tcp/${t.port} from ${t.cidr}`).join(", ")}export{c as a,i as b,e as c};
