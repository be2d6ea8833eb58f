import crypto from 'node:crypto';
import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { createAppServices } from '../services/app-services.js';
import { openMigratedDatabase } from '../db/open-app-database.js';

async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

async function withServices<T>(fn: (services: Awaited<ReturnType<typeof createAppServices>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const { database } = await openMigratedDatabase(config);
  try {
    return await fn(await createAppServices(config, database));
  } finally {
    await database.close();
  }
}

/** `oxy users create|list`: accounts for OXY_AUTH=password. */
export function usersCommand(): Command {
  const users = new Command('users').description('manage accounts (for OXY_AUTH=password)');
  users
    .command('create')
    .description('add an account; the password comes from stdin (--password-stdin), OXY_USER_PASSWORD, or is generated and printed once')
    .requiredOption('--email <email>', 'the email address to sign in with')
    .option('--name <name>', 'display name')
    .addOption(new Option('--role <role>', 'role').choices(['admin', 'member']).default('member'))
    .option('--password-stdin', 'read the password from the first line of standard input', false)
    .action(async (opts: { email: string; name?: string; role: 'admin' | 'member'; passwordStdin: boolean }) => {
      let password = opts.passwordStdin ? await readFirstLine(process.stdin) : process.env.OXY_USER_PASSWORD;
      const generated = !password;
      password ||= crypto.randomBytes(18).toString('base64url');
      const user = await withServices((s) => s.auth.createUser({ email: opts.email, ...(opts.name ? { name: opts.name } : {}), role: opts.role, password: password! }));
      process.stdout.write(`Created ${String(user.role)} ${String(user.email)} (${String(user.id)})\n`);
      if (generated) process.stdout.write(`Password (shown once): ${password}\n`);
    });
  users
    .command('list')
    .description('list accounts')
    .action(async () => {
      const page = await withServices((s) => s.repo.list('users', { limit: 500 }));
      for (const u of page.items) process.stdout.write(`${String(u.email).padEnd(32)} ${String(u.role).padEnd(7)} ${String(u.status)}\n`);
    });
  return users;
}
