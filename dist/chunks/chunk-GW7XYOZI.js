import { createRequire as __zplCreateRequire } from 'node:module';
import { fileURLToPath as __zplFileURLToPath } from 'node:url';
import { dirname as __zplDirname } from 'node:path';
const require = __zplCreateRequire(import.meta.url);
const __filename = __zplFileURLToPath(import.meta.url);
const __dirname = __zplDirname(__filename);
import{b as _}from"./chunk-2BXSK3E2.js";import{b as N}from"./chunk-TNT46NMF.js";var S="AWS_ACCESS_KEY_ID",C="AWS_SECRET_ACCESS_KEY",A="AWS_SESSION_TOKEN",p="AWS_CREDENTIAL_EXPIRATION",I="AWS_CREDENTIAL_SCOPE",a="AWS_ACCOUNT_ID",i=e=>async()=>{e?.logger?.debug("@aws-sdk/credential-provider-env - fromEnv");let o=process.env[S],E=process.env[C],r=process.env[A],n=process.env[p],s=process.env[I],t=process.env[a];if(o&&E){let c={accessKeyId:o,secretAccessKey:E,...r&&{sessionToken:r},...n&&{expiration:new Date(n)},...s&&{credentialScope:s},...t&&{accountId:t}};return _(c,"CREDENTIALS_ENV_VARS","g"),c}throw new N("Unable to find environment variable credentials.",{logger:e?.logger})};export{S as a,C as b,A as c,p as d,I as e,a as f,i as g};
