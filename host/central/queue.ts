// Queuing a command: checked as the meter will check it (messages.ts), stored 'queued' for the dispatch loop; a
// privacy command also becomes the meter's recorded countermeasure settings (status queued until delivered).
import { encodeCommand, privacySettings, type CommandArgs } from './messages.ts';
import type { CentralStore, CommandRow } from './store.ts';

export async function queueCommand(store: CentralStore, meter: string, kind: string, args: CommandArgs): Promise<CommandRow> {
  const payload = encodeCommand(kind, args);
  const c = await store.queueCommand(meter, kind, args, payload);
  if (kind === 'privacy') await store.setPrivacy(meter, privacySettings(args), c.id, 'queued');
  return c;
}
