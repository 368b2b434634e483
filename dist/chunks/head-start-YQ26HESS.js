import { createRequire as __zplCreateRequire } from 'node:module';
import { fileURLToPath as __zplFileURLToPath } from 'node:url';
import { dirname as __zplDirname } from 'node:path';
const require = __zplCreateRequire(import.meta.url);
const __filename = __zplFileURLToPath(import.meta.url);
const __dirname = __zplDirname(__filename);
import{c as f}from"./chunk-2HGRZ3YN.js";import{d as c,e as p,m,r as u}from"./chunk-EOI2MLV6.js";import"./chunk-L73OR6WN.js";import"./chunk-2E5CMS6D.js";import{b as s,c as a}from"./chunk-46DWWL3L.js";import"./chunk-AFTCJ57Z.js";function x(e,t,r=process.env){let n=c(e),i=p(r);if(!n||!i||!l(r))return;let o=a(e.mode,{eventName:r.GITHUB_EVENT_NAME,withheld:t,oidcAvailable:i,oidcInput:s(e),apiKeyMissing:!e.zilliz.apiKey});if(o.offline||o.missing||o.mode==="apply"&&e.protectedEnvironment)return;let d=u(n,r);return{idToken:d,...h(e,d.token,r)}}function h(e,t,r){switch(e.provider){case"aws":return e.aws?.roleArn?{aws:f(e.aws,e.aws.roleArn,t,r)}:{};case"gcp":return{};case"azure":return{}}}function l(e){try{return m(e),!0}catch{return!1}}export{x as headStart};
