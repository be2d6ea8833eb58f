// `node --import ./test/support/register-module-log.mjs …`: logs every loaded module (module-log-hooks.mjs).
import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url);
