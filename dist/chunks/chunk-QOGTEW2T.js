import { createRequire as __zplCreateRequire } from 'node:module';
import { fileURLToPath as __zplFileURLToPath } from 'node:url';
import { dirname as __zplDirname } from 'node:path';
const require = __zplCreateRequire(import.meta.url);
const __filename = __zplFileURLToPath(import.meta.url);
const __dirname = __zplDirname(__filename);
import{d as r}from"./chunk-2E5CMS6D.js";function d(n,e){return{token:n,result:r(n.then(e))}}var a=class{constructor(e){this.ahead=e}ahead;get pending(){return this.ahead!==void 0}async take(e){let t=this.ahead;if(this.ahead=void 0,t&&await t.token.catch(()=>{})===e)return t.result}};export{d as a,a as b};
