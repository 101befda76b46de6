// The in-home display's page: four figures (power now, energy today, tariff, credit) and a uPlot chart of the power
// of the last hours, fed by the server's Server-Sent Events (one way, as the HAN itself). No framework: one HTML
// document, uPlot from the package, a few lines of script.
export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>In-home display</title>
<link rel="stylesheet" href="/uplot/uPlot.min.css">
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #0f1720; color: #e6edf3; }
  header { padding: 12px 20px; display: flex; justify-content: space-between; align-items: baseline; border-bottom: 1px solid #243040; }
  header h1 { font-size: 18px; margin: 0; font-weight: 600; }
  #clock, #link { font-size: 13px; color: #8b9bb0; }
  .tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; padding: 16px 20px; }
  .tile { background: #17212d; border-radius: 10px; padding: 14px 16px; }
  .tile .label { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #8b9bb0; }
  .tile .value { font-size: 34px; font-weight: 650; margin-top: 6px; font-variant-numeric: tabular-nums; }
  .tile .unit { font-size: 16px; color: #8b9bb0; margin-left: 4px; }
  .tile .note { font-size: 12px; color: #8b9bb0; margin-top: 4px; min-height: 1em; }
  .negative { color: #ff7b72; }
  #chart { padding: 0 20px 16px; }
  #chart h2 { font-size: 13px; font-weight: 500; color: #8b9bb0; margin: 4px 0 8px; }
  .u-legend { color: #e6edf3; }
</style>
</head>
<body>
<header><h1>Home energy</h1><span><span id="clock">waiting for the meter…</span> · <span id="link">connecting</span></span></header>
<section class="tiles">
  <div class="tile"><div class="label">Power now</div><div class="value"><span id="power">–</span><span class="unit">W</span></div><div class="note" id="power-note"></div></div>
  <div class="tile"><div class="label">Energy today</div><div class="value"><span id="today">–</span><span class="unit">kWh</span></div><div class="note" id="today-note"></div></div>
  <div class="tile"><div class="label">Tariff</div><div class="value"><span id="tariff">–</span></div><div class="note" id="tariff-note"></div></div>
  <div class="tile"><div class="label">Credit</div><div class="value"><span id="credit">–</span></div><div class="note" id="credit-note"></div></div>
</section>
<section id="chart"><h2>Power, last hours (meter clock, UTC)</h2></section>
<script src="/uplot/uPlot.iife.min.js"></script>
<script>
  const $ = (id) => document.getElementById(id);
  const hhmm = (t) => new Date(t * 1000).toISOString().slice(11, 16);
  const hhmmss = (t) => new Date(t * 1000).toISOString().slice(11, 19); // the first minutes of a run
  let plot = null;
  function chart(history) {
    const data = [history.map((p) => p[0]), history.map((p) => p[1])];
    if (!plot) {
      plot = new uPlot({
        width: Math.max(320, document.body.clientWidth - 40), height: 260,
        scales: { x: { time: true } },
        axes: [{ stroke: '#8b9bb0', grid: { stroke: '#243040' }, values: (u, splits) => splits.map(splits.length > 1 && splits[splits.length - 1] - splits[0] < 900 ? hhmmss : hhmm) }, { stroke: '#8b9bb0', grid: { stroke: '#243040' }, label: 'W' }],
        series: [{ value: (u, v) => v == null ? '–' : hhmm(v) }, { label: 'Power (W)', stroke: '#58a6ff', fill: 'rgba(88,166,255,0.15)', width: 2 }],
        // uPlot shows local time by default; the meter's day is UTC
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      }, data, $('chart'));
    } else plot.setData(data);
  }
  function show(s) {
    document.body.dataset.frames = String(s.frames);
    if (!s.status) return;
    const st = s.status;
    $('clock').textContent = 'meter clock ' + new Date(st.t * 1000).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
    $('power').textContent = st.powerW.toLocaleString('en');
    $('power-note').textContent = s.missed ? s.missed + ' update(s) missed' : '';
    $('today').textContent = (s.todayWh / 1000).toFixed(3);
    $('today-note').textContent = s.todaySince !== null && s.todaySince % 86400 !== 0 ? 'since ' + hhmm(s.todaySince) : 'since midnight';
    $('tariff').textContent = 'T' + st.tariff;
    $('tariff-note').textContent = 'total ' + (st.energyWh / 1000).toFixed(3) + ' kWh';
    const credit = st.creditMills / 1000;
    $('credit').textContent = credit.toFixed(2);
    $('credit').className = credit < 0 ? 'negative' : '';
    $('credit-note').textContent = credit < 0 ? 'emergency credit in use' : 'currency units';
    chart(s.history);
  }
  fetch('/api/state').then((r) => r.json()).then(show);
  const events = new EventSource('/events');
  events.onopen = () => { $('link').textContent = 'live'; };
  events.onerror = () => { $('link').textContent = 'reconnecting'; };
  events.onmessage = (e) => show(JSON.parse(e.data));
</script>
</body>
</html>
`;
