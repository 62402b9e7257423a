// The scene manager page: served by the game at /web/scene_manager.html and by the manager at
// /godot/web/scene_manager.html; API paths are relative ('../status'), so both reach the same game.
'use strict';

(() => {
  const { $, el, api, run, gate, gateNote, num, formatTime } = Dash;
  Dash.setBase('../');
  if (location.pathname.startsWith('/godot/')) $('ops-link').hidden = false;

  const stops = [];
  const openNodes = new Set(['']); // node paths the user has expanded; the root starts open
  let lastDumpJson = '';
  let map = null;

  function stop() {
    stops.splice(0).forEach(s => s());
  }

  function start() {
    stop();
    gate($('reload-scene'), 'scene:write');
    gate($('validate-scene'), 'scene:write');
    gate($('scene-info'), 'scene:read');
    gateNote($('scene-gate'), 'scene:write');
    document.querySelectorAll('.input-control').forEach(c => gate(c, 'input:write'));
    gateNote($('input-gate'), 'input:write');
    loadSceneList();
    stops.push(Dash.every(2000, refreshStatus));
    stops.push(Dash.every(1000, refreshMap));
    stops.push(Dash.every(5000, refreshHistory));
    stops.push(Dash.every(10000, refreshTree));
  }

  // Polling stays well inside the production rate limits (300 requests a minute per client; /scene* 10):
  // /status (with player and VR) every 2 s, the map every second, history every 5 s, the node tree every 10 s.
  async function refreshStatus() {
    await run('status', async () => {
      const s = await api('status');
      showStatus(s);
      showPlayer(s.player, s.vr);
    });
  }

  async function refreshMap() {
    await run('map', async () => {
      map = await api('state/map');
      drawMap();
    });
  }

  async function refreshHistory() {
    await run('history', async () => showHistory(await api('scene/history?limit=20')));
  }

  async function refreshTree() {
    await run('tree', async () => showTree(await api('scene/dump?depth=64')));
  }

  function refreshAll() {
    refreshStatus();
    refreshMap();
    refreshHistory();
    refreshTree();
  }

  function showStatus(s) {
    const pill = $('game-status');
    pill.textContent = s.status;
    pill.dataset.state = s.status;
    const scene = s.scene || {};
    $('scene-name').textContent = scene.name || '—';
    $('scene-path').textContent = scene.path || '—';
    $('scene-status').textContent = scene.loaded ? `loaded, ${scene.node_count} nodes, root ${scene.root_type}` : 'no scene';
    const e = s.engine || {};
    $('engine').textContent = `${num(e.achieved_tick_rate, 1)} / ${e.tick_rate} Hz, ${e.ticks} ticks`;
  }

  function vec(v) {
    return v ? `(${num(v.x)}, ${num(v.y)}, ${num(v.z)})` : '—';
  }

  function showPlayer(p, vr) {
    $('player-name').textContent = p.exists ? `${p.name} (${p.spawned ? 'spawned' : 'not spawned'})` : 'no player in this scene';
    $('player-position').textContent = p.exists ? vec(p.position) : '—';
    $('player-heading').textContent = p.exists ? `${num(p.rotation.y, 1)}°` : '—';
    $('player-floor').textContent = p.exists ? (p.on_floor ? 'yes' : 'no') : '—';
    $('vr-mode').textContent = vr.vr_enabled ? 'enabled' : `off (${vr.fallback_mode} fallback)`;
    $('vr-headset').textContent = vr.headset ? vec(vr.headset.position) : '—';
  }

  function showHistory(h) {
    $('history').replaceChildren(...h.history.map(r => el('tr', { class: r.result },
      el('td', null, formatTime(r.loaded_at)),
      el('td', { title: r.scene_path }, r.scene_name || r.scene_path),
      el('td', { title: r.error || '' }, r.result),
      el('td', null, num(r.load_duration_ms, 1)))));
  }

  async function loadSceneList() {
    await run('scenes', async () => {
      const list = await api('scenes');
      $('scene-list').replaceChildren(...list.scenes.map(s => {
        const load = el('button', { type: 'button', class: 'small' }, 'Load');
        gate(load, 'scene:write');
        load.addEventListener('click', () => act('load', `Loading ${s.path}…`, async () => {
          const r = await api('scene', { method: 'POST', body: { scene_path: s.path } });
          return `Loaded ${r.scene_name} (${r.node_count} nodes) in ${num(r.load_duration_ms, 1)} ms`;
        }));
        return el('li', null, el('span', { class: 'path', title: s.path }, s.path), load);
      }));
    });
  }

  /** Runs a button's action, showing progress and then its result (or its error) in the result panel. */
  async function act(source, progress, fn) {
    const panel = $('scene-result');
    panel.className = 'result busy';
    panel.replaceChildren(progress);
    const result = await run(source, fn);
    if (result === undefined) {
      panel.className = 'result bad';
      panel.replaceChildren(`${source} failed — see the error above.`);
      return;
    }
    panel.className = 'result ok';
    panel.replaceChildren(result);
    refreshAll();
  }

  $('reload-scene').addEventListener('click', () => act('reload', 'Reloading…', async () => {
    const r = await api('scene/reload', { method: 'POST' });
    const text = el('span', { id: 'reload-result' }, `Reloaded ${r.scene_name || r.scene} (${r.node_count} nodes) in ${num(r.load_duration_ms, 1)} ms`);
    return text;
  }));

  $('validate-scene').addEventListener('click', () => act('validate', 'Validating…', async () => {
    const r = await api('scene', { method: 'PUT', body: {} });
    const box = el('div', { id: 'validate-result', dataset: { valid: String(r.valid) } },
      el('strong', { class: r.valid ? 'good' : 'bad' }, r.valid ? '✔ valid' : '✘ invalid'),
      ` ${r.scene_path} — ${r.errors.length} error(s), ${r.warnings.length} warning(s)`);
    if (r.errors.length) box.append(el('ul', { class: 'errors-list' }, ...r.errors.map(e => el('li', null, e))));
    if (r.warnings.length) box.append(el('ul', { class: 'warnings-list' }, ...r.warnings.map(w => el('li', null, w))));
    return box;
  }));

  $('scene-info').addEventListener('click', () => act('info', 'Reading…', async () => {
    const [scene, state] = await Promise.all([api('scene'), api('state/scene')]);
    const info = [
      ['Name', scene.scene_name],
      ['Path', scene.scene_path],
      ['Nodes', scene.node_count],
      ['Root type', state.scene.root_type],
      ['Loaded at', formatTime(scene.loaded_at)],
      ['Load time', `${num(scene.load_duration_ms, 1)} ms`],
    ];
    return el('dl', { id: 'info-result', class: 'kv' }, ...info.flatMap(([k, v]) => [el('dt', null, k), el('dd', { dataset: { field: k } }, v ?? '—')]));
  }));

  function move(forward, strafe) {
    return () => act('move', 'Moving…', async () => {
      const p = await api('input/move', { method: 'POST', body: { forward, strafe, speed: 2, duration_seconds: 0.5 } });
      return `Moving; now at ${vec(p.player.position)}`;
    });
  }
  const moves = { forward: [1, 0], back: [-1, 0], left: [0, -1], right: [0, 1] };
  document.querySelectorAll('[data-move]').forEach(b => b.addEventListener('click', move(...moves[b.dataset.move])));

  function turn(direction) {
    return () => act('turn', 'Turning…', async () => {
      const p = await api('input/snap_turn', { method: 'POST', body: { direction, degrees: 30 } });
      return `Turned ${direction}; heading ${num(p.player.rotation.y, 1)}°`;
    });
  }
  $('turn-left').addEventListener('click', turn('left'));
  $('turn-right').addEventListener('click', turn('right'));

  $('teleport').addEventListener('submit', e => {
    e.preventDefault();
    const x = Number($('teleport-x').value);
    const z = Number($('teleport-z').value);
    act('teleport', 'Teleporting…', async () => {
      const p = await api('input/teleport', { method: 'POST', body: { x, z } });
      return `Teleported to ${vec(p.player.position)}`;
    });
  });

  function showTree(dump) {
    const json = JSON.stringify(dump);
    if (json === lastDumpJson) return; // unchanged: keep the DOM (and the user's scroll) as it is
    lastDumpJson = json;
    $('tree').replaceChildren(node(dump, ''));
  }

  function node(n, path) {
    const label = el('span', { class: 'node' }, el('b', null, n.name), ' ', el('span', { class: 'type' }, n.type));
    if (n.global_position) label.append(' ', el('span', { class: 'pos' }, vec(n.global_position)));
    if (!n.children || n.children.length === 0) return el('div', { class: 'leaf' }, label);
    const details = el('details', { open: openNodes.has(path) }, el('summary', null, label, ` (${n.children.length})`));
    details.addEventListener('toggle', () => (details.open ? openNodes.add(path) : openNodes.delete(path)));
    for (const c of n.children) details.append(node(c, `${path}/${c.name}`));
    return details;
  }

  /** Draws the scene from above: x to the right, z down; colliders, spawn point, player with its heading. */
  function drawMap() {
    const canvas = $('map');
    const width = canvas.clientWidth || 480;
    const height = Math.round(width * 0.75);
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.fillStyle = '#0b1320';
    g.fillRect(0, 0, width, height);
    if (!map || !map.loaded) {
      g.fillStyle = '#8aa';
      g.fillText('no scene loaded', 12, 20);
      return;
    }
    // The view covers the colliders, the spawn point and the player, with a margin.
    const xs = [];
    const zs = [];
    for (const b of map.colliders) xs.push(b.min.x, b.max.x), zs.push(b.min.z, b.max.z);
    for (const p of [map.spawn_point, map.player && map.player.position]) if (p) xs.push(p.x), zs.push(p.z);
    if (xs.length === 0) xs.push(-5, 5), zs.push(-5, 5);
    const minX = Math.min(...xs) - 1;
    const maxX = Math.max(...xs) + 1;
    const minZ = Math.min(...zs) - 1;
    const maxZ = Math.max(...zs) + 1;
    const scale = Math.min(width / (maxX - minX), height / (maxZ - minZ));
    const ox = (width - (maxX - minX) * scale) / 2;
    const oz = (height - (maxZ - minZ) * scale) / 2;
    const sx = x => ox + (x - minX) * scale;
    const sz = z => oz + (z - minZ) * scale;

    // Grid every metre (every 5 when zoomed out).
    const step = scale < 8 ? 5 : 1;
    g.strokeStyle = '#16263a';
    g.lineWidth = 1;
    for (let x = Math.ceil(minX / step) * step; x <= maxX; x += step) g.beginPath(), g.moveTo(sx(x), 0), g.lineTo(sx(x), height), g.stroke();
    for (let z = Math.ceil(minZ / step) * step; z <= maxZ; z += step) g.beginPath(), g.moveTo(0, sz(z)), g.lineTo(width, sz(z)), g.stroke();

    // Higher boxes are drawn later and lighter, so floors stay under walls.
    const boxes = [...map.colliders].sort((a, b) => a.max.y - b.max.y);
    for (const b of boxes) {
      const light = Math.max(0, Math.min(1, (b.max.y + 1) / 4));
      g.fillStyle = `rgba(76, 194, 255, ${0.15 + 0.35 * light})`;
      g.strokeStyle = 'rgba(76, 194, 255, 0.8)';
      g.fillRect(sx(b.min.x), sz(b.min.z), (b.max.x - b.min.x) * scale, (b.max.z - b.min.z) * scale);
      g.strokeRect(sx(b.min.x), sz(b.min.z), (b.max.x - b.min.x) * scale, (b.max.z - b.min.z) * scale);
    }
    if (map.spawn_point) {
      const x = sx(map.spawn_point.x);
      const z = sz(map.spawn_point.z);
      g.strokeStyle = '#7bd88f';
      g.lineWidth = 2;
      g.beginPath(), g.moveTo(x - 7, z - 7), g.lineTo(x + 7, z + 7), g.moveTo(x + 7, z - 7), g.lineTo(x - 7, z + 7), g.stroke();
    }
    const p = map.player;
    if (p) {
      const x = sx(p.position.x);
      const z = sz(p.position.z);
      // Yaw 0 faces -Z; positive yaw turns left (counter-clockwise seen from above).
      const yaw = (p.yaw_degrees * Math.PI) / 180;
      const fx = -Math.sin(yaw);
      const fz = -Math.cos(yaw);
      g.fillStyle = '#ffd166';
      g.beginPath(), g.arc(x, z, 6, 0, Math.PI * 2), g.fill();
      g.strokeStyle = '#ffd166';
      g.lineWidth = 3;
      g.beginPath(), g.moveTo(x, z), g.lineTo(x + fx * 22, z + fz * 22), g.stroke();
      canvas.dataset.playerX = p.position.x;
      canvas.dataset.playerZ = p.position.z;
      canvas.dataset.playerYaw = p.yaw_degrees;
      canvas.dataset.playerPx = `${x.toFixed(1)},${z.toFixed(1)}`;
    }
    g.fillStyle = '#8aa';
    g.font = '12px system-ui, sans-serif';
    g.fillText(`${map.colliders.length} colliders · ${step} m grid · x →  z ↓`, 8, height - 8);
    canvas.dataset.colliders = map.colliders.length;
  }
  window.addEventListener('resize', drawMap);

  Dash.initSignIn(start, stop);
})();
