import fs from 'node:fs';
import { containerErrors } from './container-errors.js';
import { processIs } from './process-group.js';

/**
 * The file that names the one oxy process owning the embedded cluster (`<state>/postgres-data.owner`).
 * It is created exclusively, so of two oxy commands racing only one gets it; a file left by a dead
 * process is replaced.
 */
export class ClusterOwner {
  constructor(
    private readonly file: string,
    private readonly dataDir: string,
  ) {}

  /** The pid of another live oxy process that owns the cluster, if any. */
  liveOwner(): number | undefined {
    const owner = this.ownerPid();
    return owner !== undefined && owner !== process.pid && processIs(owner, 'oxy') ? owner : undefined;
  }

  /** Makes this process the owner before anything else touches the cluster; refused while another owns it. */
  claim(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(this.file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = this.liveOwner();
      if (owner !== undefined) throw containerErrors.embeddedInUse(this.dataDir, owner);
      fs.rmSync(this.file, { force: true });
    }
    throw containerErrors.embeddedClaimed(this.dataDir);
  }

  release(): void {
    if (this.ownerPid() === process.pid) fs.rmSync(this.file, { force: true });
  }

  private ownerPid(): number | undefined {
    return fs.existsSync(this.file) ? Number(fs.readFileSync(this.file, 'utf8').trim()) : undefined;
  }
}
