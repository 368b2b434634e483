import { createRequire as __zplCreateRequire } from 'node:module';
import { fileURLToPath as __zplFileURLToPath } from 'node:url';
import { dirname as __zplDirname } from 'node:path';
const require = __zplCreateRequire(import.meta.url);
const __filename = __zplFileURLToPath(import.meta.url);
const __dirname = __zplDirname(__filename);
import{c as h}from"./chunk-D2YHOAPT.js";import{d as p,e as m,r as c}from"./chunk-EOI2MLV6.js";import"./chunk-L73OR6WN.js";import"./chunk-2E5CMS6D.js";import{b as s,c as a}from"./chunk-46DWWL3L.js";import"./chunk-AFTCJ57Z.js";function k(e,r,t=process.env){let o=p(e),i=m(t);if(!o||!i)return;let n=a(e.mode,{eventName:t.GITHUB_EVENT_NAME,withheld:r,oidcAvailable:i,oidcInput:s(e),apiKeyMissing:!e.zilliz.apiKey});if(n.offline||n.missing||n.mode==="apply"&&e.protectedEnvironment)return;let d=c(o,t);return{idToken:d,...u(e,d.token,t)}}function u(e,r,t){switch(e.provider){case"aws":return e.aws?.roleArn?{aws:h(e.aws,e.aws.roleArn,r,t)}:{};case"gcp":return{};case"azure":return{}}}export{k as headStart};
