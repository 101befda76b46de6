import { parseInteger } from '../../../toolchain/common/numbers.ts';
import { OperationError, UsageError } from '../../../toolchain/common/errors.ts';
import { parseFlags, printJson, type Command, type CommandIO } from '../command.ts';

// `hasm ihd serve` (issue 21 item 3): the in-home display, fed one way by the meter's HAN UART.

const HELP = `usage:
  hasm ihd serve --han tcp:[HOST:]PORT [--port P] [--host H] [--json]

Connects to the meter's HAN UART exposed on a TCP port (hasm meter run --uart han=tcp:PORT), reads its frames
(host/ihd/README.md: the HAN gateway's frame format) and serves the live page on http://127.0.0.1:P/ (default 8022):
power now, energy today, tariff, credit and a chart of the last hours, updated over Server-Sent Events. Nothing is
ever sent to the meter. --json prints {"url"} once listening. Exit: 0 when interrupted, 1 cannot listen, 2 bad usage.`;

async function serveCmd(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseFlags(argv, { han: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' } }, false);
  if (!values.han) throw new UsageError('--han tcp:[HOST:]PORT is needed (where the meter\'s HAN UART is exposed)');
  const { tcpHanSource, parseHanUrl } = await import('../../ihd/han-source.ts');
  parseHanUrl(values.han);
  const { ihdServer } = await import('../../ihd/server.ts');
  const ihd = ihdServer();
  const host = values.host ?? '127.0.0.1';
  const port = values.port ? parseInteger(values.port, '--port') : 8022;
  await ihd.app.listen({ host, port }).catch((e: Error) => {
    throw new OperationError(`cannot listen on ${host}:${port}: ${e.message}`);
  });
  const addr = ihd.app.server.address();
  const url = `http://${host}:${typeof addr === 'object' && addr ? addr.port : port}/`;
  const source = tcpHanSource(values.han, (b) => ihd.feed(b), (l) => io.err(l));
  io.err(`ihd: the in-home display is at ${url}`);
  if (values.json) printJson(io, { url });
  await new Promise<void>((resolve) => {
    const stop = () => {
      source.close();
      void ihd.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

export const ihdCommand: Command = {
  summary: 'the in-home display: a live page from the meter\'s HAN frames',
  help: HELP,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub !== 'serve') throw new UsageError(sub ? `unknown subcommand '${sub}' (serve)` : 'a subcommand is needed: serve');
    return serveCmd(rest, io);
  },
};
