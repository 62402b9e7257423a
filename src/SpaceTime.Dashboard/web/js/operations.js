// The operations view, served by the manager at / and /web/: lifecycle, health, restarts, controls, logs and
// live charts fed by the game's telemetry WebSocket (proxied by the manager at /telemetry) and its /metrics.
'use strict';

(() => {
  const { $, el, api, run, gate, gateNote, num, formatTime } = Dash;
  Dash.setBase('/');

  const WINDOW_SECONDS = 300;
  const stops = [];
  let socket = null;
  let lastRequests = null; // { at, total } of the previous /godot/metrics scrape

  /** One live chart (uPlot): time on x, one series; keeps the last five minutes. */
  function chart(id, label, color) {
    const target = $(id);
    const data = [[], []];
    let received = 0;
    const plot = new uPlot({
      width: Math.max(200, target.clientWidth || 300),
      height: 150,
      legend: { show: false },
      cursor: { show: true, drag: { x: false, y: false } },
      // From zero, so a flat line reads as steady rather than as noise around a tiny range.
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      axes: [
        { stroke: '#9fb3c8', grid: { stroke: '#1c2b3d' }, ticks: { stroke: '#1c2b3d' } },
        { stroke: '#9fb3c8', grid: { stroke: '#1c2b3d' }, ticks: { stroke: '#1c2b3d' }, size: 50 },
      ],
      series: [{}, { label, stroke: color, width: 2, fill: `${color}22`, points: { show: false } }],
    }, data, target);
    return {
      push(at, value) {
        if (typeof value !== 'number' || !Number.isFinite(value)) return;
        data[0].push(at);
        data[1].push(value);
        while (data[0].length && data[0][0] < at - WINDOW_SECONDS) data[0].shift(), data[1].shift();
        received++;
        target.dataset.points = String(received);
        target.dataset.last = String(value);
        plot.setData(data);
      },
      resize() {
        plot.setSize({ width: Math.max(200, target.clientWidth), height: 150 });
      },
    };
  }

  const charts = {
    fps: chart('chart-fps', 'fps', '#4cc2ff'),
    tick: chart('chart-tick', 'tick ms', '#ffd166'),
    memory: chart('chart-memory', 'MB', '#7bd88f'),
    requests: chart('chart-requests', 'req/s', '#ff7b9c'),
  };
  window.addEventListener('resize', () => Object.values(charts).forEach(c => c.resize()));

  function onTelemetry(message) {
    if (message.event !== 'fps' || !message.data) return;
    const at = message.timestamp || Date.now() / 1000;
    charts.fps.push(at, message.data.fps);
    charts.tick.push(at, message.data.frame_time_ms);
    charts.memory.push(at, message.data.memory_mb);
  }

  function stop() {
    stops.splice(0).forEach(s => s());
    if (socket) socket.close();
    socket = null;
  }

  function start() {
    stop();
    for (const id of ['start-game', 'stop-game', 'restart-game']) gate($(id), 'process:control');
    gateNote($('control-gate'), 'process:control');
    gateNote($('logs-gate'), 'debug:read');
    stops.push(Dash.every(2000, () => run('status', async () => showStatus(await api('status')))));
    stops.push(Dash.every(3000, () => run('health', async () => showHealth(await api('health', { allow: [503] })))));
    if (Dash.can('debug:read')) stops.push(Dash.every(3000, () => run('logs', async () => showLogs(await api('logs?tail=200')))));
    stops.push(Dash.every(3000, () => run('requests', scrapeRequests)));
    socket = Dash.telemetry('telemetry', onTelemetry, s => ($('telemetry-state').textContent = s));
  }

  function showStatus(s) {
    const pill = $('lifecycle-state');
    pill.textContent = s.state;
    pill.dataset.state = s.state;
    $('state').textContent = s.state;
    $('state-since').textContent = formatTime(s.state_since);
    $('pid').textContent = s.pid ?? '—';
    $('uptime').textContent = s.uptime_seconds == null ? '—' : `${num(s.uptime_seconds, 0)} s`;
    $('restart-count').textContent = s.restart_count;
    $('state-reason').textContent = s.failure_reason || s.degraded_reason || '—';
    const history = [...(s.lifecycle_history || [])].reverse().slice(0, 30);
    $('lifecycle-history').replaceChildren(...history.map(t => el('li', null,
      el('time', null, formatTime(t.at)), ' ', el('b', null, `${t.from} → ${t.to}`), ' ', el('span', { class: 'reason' }, t.reason))));
    const exits = [...(s.restart_history || [])].reverse();
    $('restart-history').replaceChildren(...(exits.length ? exits.map(x => el('tr', null,
      el('td', null, formatTime(x.exited_at)),
      el('td', null, x.pid),
      el('td', null, x.signal != null ? `signal ${x.signal}` : `exit ${x.exit_code}`),
      el('td', null, x.reason),
      el('td', null, x.restart_delay ?? '—'))) : [el('tr', null, el('td', { colSpan: 5, class: 'muted' }, 'No restarts yet.'))]));
  }

  function showHealth(h) {
    const checks = [
      ['Game process', h.godot_process.running, h.godot_process.pid ? `pid ${h.godot_process.pid}` : 'not running'],
      ['Game API', h.godot_api.reachable, h.godot_api.reachable ? 'reachable' : 'not reachable'],
      ['Scene', h.scene.loaded, h.scene.name || 'none loaded'],
      ['Player', h.player.spawned, h.player.spawned ? 'spawned' : 'not spawned'],
      ['Overall', h.overall_healthy, h.overall_healthy ? 'healthy' : 'unhealthy'],
    ];
    $('health-checks').replaceChildren(...checks.map(([name, ok, detail]) =>
      el('li', { class: ok ? 'pass' : 'fail' }, el('span', { class: 'mark' }, ok ? '✔' : '✘'), ` ${name}: `, detail)));
    const issues = h.blocking_issues || [];
    $('blocking-issues').replaceChildren(...(issues.length ? issues.map(i => el('li', null, i)) : [el('li', { class: 'muted' }, 'None.')]));
  }

  function showLogs(l) {
    const pre = $('logs');
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.textContent = l.lines.join('\n');
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }

  /** Request rate of the game API from its Prometheus counter (spacetime_http_requests_total), as a per-second rate. */
  async function scrapeRequests() {
    const text = await api('godot/metrics', { text: true });
    let total = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith('spacetime_http_requests_total')) total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
    }
    const at = Date.now() / 1000;
    // A restarted game starts its counter again from zero: no point for that interval.
    if (lastRequests && total >= lastRequests.total) charts.requests.push(at, (total - lastRequests.total) / (at - lastRequests.at));
    lastRequests = { at, total };
  }

  async function control(action, label) {
    const result = $('control-result');
    result.className = 'result busy';
    result.textContent = `${label}…`;
    const r = await run('control', () => api(action, { method: 'POST' }));
    if (r === undefined) {
      result.className = 'result bad';
      result.textContent = `${label} failed — see the error above.`;
      return;
    }
    result.className = 'result ok';
    result.textContent = `${r.status}: ${r.message}`;
    run('status', async () => showStatus(await api('status')));
  }

  $('start-game').addEventListener('click', () => control('start', 'Starting'));
  $('restart-game').addEventListener('click', () => control('restart', 'Restarting'));
  // Stopping takes the game down: the first click arms the button for five seconds, the second stops.
  let armed = null;
  $('stop-game').addEventListener('click', () => {
    const button = $('stop-game');
    if (!armed) {
      button.textContent = 'Click again to stop';
      armed = setTimeout(() => {
        armed = null;
        button.textContent = 'Stop';
      }, 5000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    button.textContent = 'Stop';
    control('stop', 'Stopping');
  });

  Dash.initSignIn(start, stop);
})();
