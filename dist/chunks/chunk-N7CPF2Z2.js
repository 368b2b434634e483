import { createRequire as __zplCreateRequire } from 'node:module';
import { fileURLToPath as __zplFileURLToPath } from 'node:url';
import { dirname as __zplDirname } from 'node:path';
const require = __zplCreateRequire(import.meta.url);
const __filename = __zplFileURLToPath(import.meta.url);
const __dirname = __zplDirname(__filename);
var g="***";function l(e){let t=new Set([e,encodeURIComponent(e),new URLSearchParams({s:e}).toString().slice(2),JSON.stringify(e).slice(1,-1)]),n=Buffer.from(e,"utf8");t.add(n.toString("base64")),t.add(n.toString("base64url"));for(let s of[0,1,2]){let r=Buffer.concat([Buffer.alloc(s),n]).toString("base64"),a=s===0?0:4,d=(s+n.length)%3===0?r.length:r.length-4,i=r.slice(a,Math.max(a,d));i.length>=8&&(t.add(i),t.add(i.replace(/\+/g,"-").replace(/\//g,"_")))}return[...t].filter(s=>s.length>=8)}var f=e=>e.replace(/[.*+?^${}()|[\]\\]/g,"\\$&"),o=class{values=new Set;forms=new Set;pattern;mask;add(t){if(!(!t||t.length<8||this.values.has(t))){this.values.add(t);for(let n of l(t))this.forms.add(n);this.pattern=void 0,this.mask?.(t)}}get size(){return this.values.size}redact(t){return this.forms.size===0||!t?t:(this.pattern??=new RegExp([...this.forms].sort((n,s)=>s.length-n.length).map(f).join("|"),"g"),t.replace(this.pattern,"***"))}clear(){this.values.clear(),this.forms.clear(),this.pattern=void 0}},c=new o;export{g as a,l as b,o as c,c as d};
