import { createRequire as __zplCreateRequire } from 'node:module';
import { fileURLToPath as __zplFileURLToPath } from 'node:url';
import { dirname as __zplDirname } from 'node:path';
const require = __zplCreateRequire(import.meta.url);
const __filename = __zplFileURLToPath(import.meta.url);
const __dirname = __zplDirname(__filename);
async function s(r){let e=await Promise.allSettled(r),n=e.find(o=>o.status==="rejected");if(n)throw n.reason;return e.map(o=>o.value)}function i(r){return r.catch(()=>{}),r}var u={now:()=>Date.now(),sleep:(r,e)=>new Promise((n,o)=>{if(e?.aborted)return o(e.reason);let a=setTimeout(()=>{e?.removeEventListener("abort",t),n()},r),t=()=>{clearTimeout(a),o(e?.reason)};e?.addEventListener("abort",t,{once:!0})})};function d(r,e,n,o=Math.random){return Math.floor(o()*Math.min(n,e*2**r))}export{u as a,d as b,s as c,i as d};
