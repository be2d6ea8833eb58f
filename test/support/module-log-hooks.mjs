// Module hooks (node:module register) that append every module URL Node loads to the file named
// by OXY_TEST_MODULE_LOG: lets a test see what a command imported, not just how long it took.
import fs from 'node:fs';

export async function load(url, context, nextLoad) {
  fs.appendFileSync(process.env.OXY_TEST_MODULE_LOG, `${url}\n`);
  return nextLoad(url, context);
}
