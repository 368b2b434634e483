import { createRequire as __zplCreateRequire } from 'node:module';
import { fileURLToPath as __zplFileURLToPath } from 'node:url';
import { dirname as __zplDirname } from 'node:path';
const require = __zplCreateRequire(import.meta.url);
const __filename = __zplFileURLToPath(import.meta.url);
const __dirname = __zplDirname(__filename);
import{a,b,c,d}from"./chunk-ZB5J6IZ3.js";import"./chunk-AFTCJ57Z.js";export{a as REDACTED,c as SecretRegistry,b as secretForms,d as secrets};
