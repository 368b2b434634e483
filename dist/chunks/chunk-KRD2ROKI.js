import { createRequire as __zplCreateRequire } from 'node:module';
import { fileURLToPath as __zplFileURLToPath } from 'node:url';
import { dirname as __zplDirname } from 'node:path';
const require = __zplCreateRequire(import.meta.url);
const __filename = __zplFileURLToPath(import.meta.url);
const __dirname = __zplDirname(__filename);
function N(t){return t.action==="create"||t.action==="update"}function k(t){return t.steps.filter(N)}function m(t){return[...t.links].sort((n,e)=>n.clusterId<e.clusterId?-1:n.clusterId>e.clusterId?1:0)}function K(t){return t.some(n=>n.status==="pass")&&!t.some(n=>n.status==="fail")}function T(t){let n=k(t).length;return{schemaVersion:1,mode:t.mode,provider:t.provider,target:{projectId:t.target.projectId,regionId:t.target.regionId,network:t.target.network,endpointService:t.target.endpointService},hasChanges:n>0,changesCount:n,...t.offline?{offline:t.offline}:{},steps:t.steps.map(e=>({id:e.id,kind:e.kind,name:e.name,action:e.action,reason:e.reason,dependsOn:[...e.dependsOn],attributes:{...e.attributes},status:e.status,startMs:e.startMs,durationMs:e.durationMs,error:e.error}))}}function lt(t){return{schemaVersion:1,verified:K(t.checks),checks:t.checks.map(n=>({id:n.id,title:n.title,status:n.status,evidence:n.evidence,cause:n.cause,fix:n.fix}))}}var Y={"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"};function _(t){return t.replace(/[&<>"']/g,n=>Y[n])}var F={"`":"&#96;","\\":"&#92;","[":"&#91;","]":"&#93;"};function l(t){return _(t).replace(/[`\\[\]]/g,n=>F[n]).replace(/\r?\n|\r/g,"<br>")}function x(t){return l(t).replace(/\|/g,"\\|")}var h=class{constructor(n){this.text=n}text};function I(t){return new h(t)}function J(t){return t instanceof h?t.text:x(t)}function g(t,n){let e=r=>`| ${r.map(J).join(" | ")} |`;return[e(t),`|${t.map(()=>" --- |").join("")}`,...n.map(e)].join(`
`)}function P(t,n){return`<details>
<summary>${_(t)}</summary>

${n}

</details>`}function w(t,n=""){let e=Math.max(0,...(t.match(/`+/g)??[]).map(i=>i.length)),r="`".repeat(Math.max(3,e+1));return`${r}${n}
${t}
${r}`}function j(t){return JSON.stringify(t,null,2).replace(/[<>&]/g,n=>`\\u${n.charCodeAt(0).toString(16).padStart(4,"0")}`)}function p(t,n){return t.length<=n?t:`${t.slice(0,Math.max(0,n-1))}\u2026`}function $(t){if(t<1e3)return`${Math.round(t)} ms`;if(t<6e4)return`${(t/1e3).toFixed(1)} s`;let n=Math.round(t/1e3);return`${Math.floor(n/60)} min ${String(n%60).padStart(2,"0")} s`}var R=t=>Buffer.byteLength(t,"utf8"),L=t=>t.length;function S(t,n,e=R){let r=[],i=0;for(let o of t.split(`
`)){let c=e(o)+(r.length>0?1:0);if(i+c>n)break;r.push(o),i+=c}return r.join(`
`)}function ft(t,n,e,r){if(r(t)<=n)return t;let i=`

${e}`,o=S(t,n-r(i),r);return o?`${o}${i}`:S(e,n,r)}function b(t,n,e,r=R){let o=t.map(u=>u.text).join(`

`);if(r(o)<=n)return o;let c=n-r(`

`+e),s=[],a=0;for(let u of t){let M=r(u.text)+(s.length>0?r(`

`):0);if(a+M<=c){s.push(u.text),a+=M;continue}if(u.splittable){let H=c-a-(s.length>0?r(`

`):0),v=S(u.text,H,r);v&&s.push(v)}break}return s.length>0?[...s,e].join(`

`):S(e,n,r)}var X=/[#"'`<>&[\](){}|\\;:%]/g;function G(t){return t.replace(/\s+/g," ").trim().replace(X,n=>`#${n.codePointAt(0)};`)}function d(...t){return`"${t.filter(n=>!!n).map(G).join("<br/>")}"`}function q(t,n){let e=t.replace(/\.$/,"").toLowerCase();return n.flatMap((r,i)=>{let o=r.host.toLowerCase();return o===e||o.endsWith(`.${e}`)?[i]:[]})}function E(t){let n=t.resources,e=m(t),r=t.mode==="plan"?"(to be created)":"(not created)",i=["flowchart LR"],o=(s,a,u=["[","]"])=>i.push(`  ${s}${u[0]}${a}${u[1]}`);o("network",d("Your network",n?.network||t.target.network)),o("endpoint",d("Private endpoint",n?.endpointId??r,n?.endpointAddress),["([","])"]),o("service",d("Zilliz endpoint service",t.target.endpointService??"(unknown)")),i.push("  network --> endpoint","  endpoint --> service"),e.forEach((s,a)=>{o(`cluster${a}`,d(`Cluster ${s.clusterId}`,`${s.host}:${s.port}`,s.confirmed?void 0:"(derived address)")),i.push(`  service --> cluster${a}`)});let c=n?.dnsZones??[];return(c.length>0||e.length>0)&&(i.push('  subgraph dns["Private DNS"]'),c.forEach((s,a)=>o(`zone${a}`,d(`Zone ${s.name}`,s.id),["[(",")]"])),e.forEach((s,a)=>o(`record${a}`,d(`A ${s.host}`))),i.push("  end"),c.forEach((s,a)=>{for(let u of q(s.name,e))i.push(`  zone${a} --- record${u}`)}),e.forEach((s,a)=>i.push(`  record${a} -. resolves to .-> endpoint`))),n?.securityRule&&(o("rule",d("Security rule",n.securityRule),["{{","}}"]),i.push("  rule -.- endpoint")),`\`\`\`mermaid
${i.join(`
`)}
\`\`\``}var Q=9e5,tt=65536,y=1e3,A=4e3,nt="> [!WARNING]\n> This summary was truncated to stay under the job summary size limit. The full plan is in the `plan` output and the job log.",et="> [!NOTE]\n> Truncated to fit a comment. The full plan is in the job summary and the `plan` output.",D={aws:"AWS",gcp:"Google Cloud",azure:"Azure"},rt={create:"\u2795",update:"\u{1F504}",keep:"\u2714\uFE0F",wait:"\u23F3",unknown:"\u2754"},ot={planned:"\u{1F4DD}",done:"\u2705",failed:"\u274C",skipped:"\u23ED\uFE0F"},C={pass:"\u2705",fail:"\u274C",skip:"\u23ED\uFE0F"};function Ct(t,n={}){let e=[{text:`## ${O(t)} Zilliz Cloud private link \xB7 ${D[t.provider]}`},...z(t),...V(t),{text:B(t)},{text:it(t),splittable:!0},{text:`### Plan

${U(t.steps)}`,splittable:!0},{text:`### Verification

${at(t.checks)}`,splittable:!0},{text:`### Private links

${ut(m(t))}`,splittable:!0},{text:`### Topology

${E(t)}`},{text:P("Plan JSON",w(j(T(t)),"json"))}];return b(e,n.maxBytes??Q,nt,R)}function kt(t){let n=t.checks.filter(r=>r.status==="fail"),e=[{text:`### ${O(t)} Zilliz Cloud private link \xB7 ${D[t.provider]}`},...z(t),...V(t),{text:B(t)},{text:U(t.steps),splittable:!0},{text:`**Verification:** ${W(t.checks)}`},...n.length>0?[{text:Z(n),splittable:!0}]:[]];return b(e,tt,et,L)}function O(t){return t.mode==="plan"?"\u{1F4DD} `PLAN`":"\u{1F680} `APPLY`"}function z(t){if(!t.error)return[];let n=["> [!CAUTION]",`> **The run failed:** ${l(p(t.error,A))}`];return t.hint&&n.push(">",`> **What to do:** ${l(p(t.hint,A))}`),[{text:n.join(`
`)}]}function V(t){return t.offline?[{text:`> [!NOTE]
> ${l(p(t.offline,A))}`}]:[]}function B(t){let n=k(t);if(t.offline)return`**Offline plan:** ${t.steps.length} resources managed; their state is unknown in this run. Nothing was changed.`;if(t.steps.length===0&&t.error)return"**No plan:** the run stopped before it could observe the resources.";if(n.length===0)return"\u2705 **No changes:** every resource is already in place.";let e=o=>n.filter(c=>c.action===o).length,r=[`${e("create")} to create`,`${e("update")} to update`].filter(o=>!o.startsWith("0 "));return t.mode==="plan"?`**Plan:** ${r.join(", ")}. Nothing was changed.`:`**Applied** ${n.filter(o=>o.status==="done").length} of ${n.length} changes (${r.join(", ")}) in ${$(t.durationMs)}.`}function it(t){let{target:n,identity:e}=t,r=[["Project",n.projectId],["Region",n.regionId],["Network",n.network],["Endpoint service",n.endpointService??"\u2014"],["Endpoint",t.resources?.endpointId??(t.mode==="plan"?"to be created":"\u2014")],["Identity",e?.principal??"not connected"],["Account",e?.account??"\u2014"],["Credentials",e?.method??"\u2014"],["Mode",`${t.mode}: ${t.modeReason}`],["Duration",$(t.durationMs)]];return g(["Context","Value"],r.map(i=>i.map(f)))}function U(t){return t.length===0?"_The plan has no steps._":g(["Action","Kind","Name","Reason","Status","Duration"],t.map(n=>[`${rt[n.action]} ${n.action}`,n.kind,n.name,n.reason,st(n),n.durationMs?$(n.durationMs):""].map(f)))}function st(t){let n=ot[t.status];return t.status==="skipped"&&t.error?`${n} ${t.error}`:`${n} ${t.status}${t.error?`: ${t.error}`:""}`}function W(t){if(t.length===0)return"no checks ran.";let n=e=>t.filter(r=>r.status===e).length;return`${C.pass} ${n("pass")} passed \xB7 ${C.fail} ${n("fail")} failed \xB7 ${C.skip} ${n("skip")} skipped`}function at(t){return t.length===0?"_No checks ran._":`${W(t)}

${Z(t)}`}function Z(t){return g(["Status","Check","Evidence","Cause and fix"],t.map(n=>[`${C[n.status]} ${n.status}`,f(n.title),f(n.evidence),ct(n)]))}function ct(t){let n=[];return t.cause&&n.push(`**Cause:** ${x(p(t.cause,y))}`),t.fix&&n.push(`**Fix:** ${x(p(t.fix,y))}`),I(n.join("<br>"))}function ut(t){return t.length===0?"_No clusters to link in this project and region._":g(["Cluster","Private link URL","Address"],t.map(n=>[n.clusterId,n.url,n.confirmed?"\u2705 confirmed by Zilliz":"derived from the naming pattern; confirmed once Zilliz accepts the endpoint"].map(f)))}function f(t){return typeof t=="string"?p(t,y):t}export{k as a,m as b,T as c,lt as d,L as e,ft as f,tt as g,Ct as h,kt as i};
