import { auctionInMemory } from '../../host/mpc/market.ts';
import { generateBids } from '../../host/mpc/generate.ts';
const n = Number(process.argv[2] ?? 2500);
const bids = generateBids(n, 1);
const t = performance.now();
const r = await auctionInMemory(bids, 10, { seed: 1 });
console.log('ms', (performance.now() - t).toFixed(0), 'offline', r.stats.offlineMs.toFixed(0), 'online', (r.stats.totalMs - r.stats.offlineMs).toFixed(0), r.parties[1].counters);
