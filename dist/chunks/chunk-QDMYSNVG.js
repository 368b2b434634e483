import { createRequire as __zplCreateRequire } from 'node:module';
import { fileURLToPath as __zplFileURLToPath } from 'node:url';
import { dirname as __zplDirname } from 'node:path';
const require = __zplCreateRequire(import.meta.url);
const __filename = __zplFileURLToPath(import.meta.url);
const __dirname = __zplDirname(__filename);
import{createHash as s}from"node:crypto";var r="zilliz-private-link:",p=`${r}managed-by`,c=`${r}project`,l=`${r}region`,T=`${r}repository`,g="zilliz-private-link";function I(e,t=process.env){return{...e.tags,[p]:g,[c]:e.zilliz.projectId,[l]:e.zilliz.regionId,[T]:t.GITHUB_REPOSITORY??"local"}}function i(...e){return s("sha256").update(e.join("\0")).digest("hex").slice(0,12)}function _(e){return`${e.namePrefix}-${i(e.zilliz.projectId,e.zilliz.regionId)}`}function d(e,t,o=process.env){let n=o.GITHUB_RUN_ID?`${o.GITHUB_RUN_ID}-${o.GITHUB_RUN_ATTEMPT??"1"}`:`local-${process.pid}`;return`zpl-${e}-${i(t)}-${n}`.slice(0,64)}export{c as a,I as b,i as c,_ as d,d as e};
