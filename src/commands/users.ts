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

async function withServices<T>(
  fn: (services: Awaited<ReturnType<typeof createAppServices>>) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const { database } = await openMigratedDatabase(config);
  try {
    return await fn(await createAppServices(config, database));
  } finally {
    await database.close();
  }
}

/** The password from stdin (--password-stdin), else OXY_USER_PASSWORD, else generated (and `generated` is true). */
async function passwordFrom(stdin: boolean): Promise<{ password: string; generated: boolean }> {
  const given = stdin ? await readFirstLine(process.stdin) : process.env.OXY_USER_PASSWORD;
  return given
    ? { password: given, generated: false }
    : { password: crypto.randomBytes(18).toString('base64url'), generated: true };
}

/** `oxy users create|disable|enable|list|set-password`: accounts for OXY_AUTH=password. */
export function usersCommand(): Command {
  const users = new Command('users').description('manage accounts (for OXY_AUTH=password)');
  users
    .command('create')
    .description(
      'add an account; the password comes from stdin (--password-stdin), OXY_USER_PASSWORD, or is generated and printed once',
    )
    .requiredOption('--email <email>', 'the email address to sign in with')
    .option('--name <name>', 'display name')
    .addOption(new Option('--role <role>', 'instance role').choices(['owner', 'admin', 'member']).default('member'))
    .option('--password-stdin', 'read the password from the first line of standard input', false)
    .action(
      async (opts: { email: string; name?: string; role: 'owner' | 'admin' | 'member'; passwordStdin: boolean }) => {
        const { password, generated } = await passwordFrom(opts.passwordStdin);
        const user = await withServices((s) =>
          s.auth.createUser({
            email: opts.email,
            ...(opts.name ? { name: opts.name } : {}),
            role: opts.role,
            password,
          }),
        );
        process.stdout.write(`Created ${String(user.role)} ${String(user.email)} (${String(user.id)})\n`);
        if (generated) process.stdout.write(`Password (shown once): ${password}\n`);
      },
    );
  users
    .command('set-password')
    .description(
      "set an account's password; from stdin (--password-stdin), OXY_USER_PASSWORD, or generated and printed once",
    )
    .requiredOption('--email <email>', 'the account')
    .option('--password-stdin', 'read the password from the first line of standard input', false)
    .action(async (opts: { email: string; passwordStdin: boolean }) => {
      const { password, generated } = await passwordFrom(opts.passwordStdin);
      const user = await withServices((s) => s.users.setPasswordByEmail(opts.email, password));
      process.stdout.write(`Set the password of ${String(user.email)}\n`);
      if (generated) process.stdout.write(`Password (shown once): ${password}\n`);
    });
  users
    .command('disable')
    .description('stop an account from signing in, end all of its sessions and revoke its API keys at once')
    .requiredOption('--email <email>', 'the account')
    .action(async (opts: { email: string }) => {
      const { user, endedSessions, revokedKeys } = await withServices((s) => s.users.disableByEmail(opts.email));
      const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
      process.stdout.write(
        `Disabled ${String(user.email)}; ended ${plural(endedSessions, 'session')}, revoked ${plural(revokedKeys, 'API key')}\n`,
      );
    });
  users
    .command('enable')
    .description('let a disabled account sign in again (its old sessions and API keys stay ended)')
    .requiredOption('--email <email>', 'the account')
    .action(async (opts: { email: string }) => {
      const user = await withServices((s) => s.users.enableByEmail(opts.email));
      process.stdout.write(`Enabled ${String(user.email)}\n`);
    });
  users
    .command('list')
    .description('list accounts')
    .action(async () => {
      const page = await withServices((s) => s.repo.list('users', { limit: 500 }));
      for (const u of page.items)
        process.stdout.write(`${String(u.email).padEnd(32)} ${String(u.role).padEnd(7)} ${String(u.status)}\n`);
    });
  return users;
}
