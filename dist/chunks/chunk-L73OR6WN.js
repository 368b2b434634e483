import { createRequire as __zplCreateRequire } from 'node:module';
import { fileURLToPath as __zplFileURLToPath } from 'node:url';
import { dirname as __zplDirname } from 'node:path';
const require = __zplCreateRequire(import.meta.url);
const __filename = __zplFileURLToPath(import.meta.url);
const __dirname = __zplDirname(__filename);
var e="1.0.0",n=`zilliz-private-link/${e}${process.env.GITHUB_RUN_ID?` run/${process.env.GITHUB_RUN_ID}`:""}`;export{n as a};
