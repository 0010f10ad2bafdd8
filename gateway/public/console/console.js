/* global window, document, fetch, sessionStorage, graphqlWs, setTimeout, clearTimeout, atob */
/*
 * The waimai operations console: a map of the city (riders by status, orders by state), the
 * orders that need attention, an order's timeline with the staff interventions, and the last
 * hour's figures. Everything comes through the public API of this gateway: the contract
 * operations in window.waimaiConsoleOperations (served by the gateway from the contract, as
 * the trusted-documents manifest prints them) over POST /graphql, and its subscriptions over
 * graphql-ws on the same path. No other origin is ever contacted.
 */
(function () {
  'use strict';

  const OPERATIONS = window.waimaiConsoleOperations;
  const HTTP_URL = window.location.origin + '/graphql';
  const WS_URL = (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + '/graphql';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  // sessionStorage: the token lives as long as the tab, never on disk after it closes.
  const TOKEN_KEY = 'waimai-console-token';

  // 3 s: riders report every few seconds; one map refresh is three small queries.
  const MAP_REFRESH_MS = 3000;
  const FIGURES_REFRESH_MS = 15000;
  const SHOPS_REFRESH_MS = 60000;
  const DETAIL_REFRESH_MS = 5000;
  // 100 per page (the API's largest), 5 pages: the map shows at most 500 riders and 500 orders.
  const PAGE_SIZE = 100;
  const MAX_PAGES = 5;
  const HOUR_MS = 3600000;
  const METERS_PER_DEGREE = 111195;
  // The platform's default RIDER_LOCATION_TTL_SECONDS: a rider silent longer gets no offers.
  const SILENT_AFTER_MS = 60000;

  const ACTIVE_STATUSES = ['CREATED', 'NOTIFIED', 'DELIVERING', 'OVERTIME'];
  const WAITING = new Set(['CREATED', 'NOTIFIED']);
  const MOVING = new Set(['DELIVERING', 'OVERTIME']);
  const FINISHED = new Set(['CANCELLED', 'CLOSED']);

  const byId = (id) => document.getElementById(id);

  const state = {
    token: null,
    claims: null,
    riders: [],
    orders: [],
    attention: [],
    shops: [],
    bounds: null,
    selectedOrderId: null,
    selectedRiderId: null,
    trail: [],
    detail: null,
    audit: [],
    figures: null,
    activity: [],
    openedAt: Date.now(),
    loops: [],
    socket: null,
    signOutTimer: null,
  };

  class ApiError extends Error {
    constructor(message, code) {
      super(message);
      this.code = code;
    }
  }

  // ───── the API ─────

  async function run(name, variables) {
    const operation = OPERATIONS[name];
    let response;
    try {
      response = await fetch(HTTP_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer ' + state.token },
        body: JSON.stringify({ operationName: name, query: operation.body, variables: variables || {} }),
      });
    } catch (err) {
      throw new ApiError('The gateway did not answer (' + err.message + ').', 'NETWORK');
    }
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ApiError('The gateway answered ' + response.status + ' without JSON.', 'HTTP_' + response.status);
    }
    if (body.errors && body.errors.length) {
      const first = body.errors[0];
      throw new ApiError(first.message, (first.extensions && first.extensions.code) || 'ERROR');
    }
    return body.data;
  }

  /** Every node of a connection, page after page, at most MAX_PAGES pages. */
  async function allPages(name, field, variables) {
    const nodes = [];
    let after = null;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const data = await run(name, Object.assign({}, variables, { first: PAGE_SIZE, after: after }));
      const connection = data[field];
      for (const edge of connection.edges) nodes.push(edge.node);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    return nodes;
  }

  function openSocket() {
    return graphqlWs.createClient({
      url: WS_URL,
      connectionParams: { authorization: 'Bearer ' + state.token },
      // A restarted gateway or a dropped network: reconnect (graphql-ws backs off), but not
      // when the gateway refused the token (4403) or closed us for flooding (4429).
      retryAttempts: 1000,
      shouldRetry: (event) => !(event && (event.code === 4403 || event.code === 4429)),
      on: {
        closed: (event) => {
          if (event && event.code === 4403) signOut('The gateway closed the live feed: the token expired or is no longer valid.');
        },
      },
    });
  }

  function listen(name, onData) {
    state.socket.subscribe(
      { query: OPERATIONS[name].body, operationName: name },
      {
        next: (result) => {
          if (result.errors && result.errors.length) report(new ApiError(result.errors[0].message, (result.errors[0].extensions || {}).code));
          else if (result.data) onData(result.data);
        },
        error: (err) => report(err instanceof Error ? err : new Error(name + ': the live feed closed (' + ((err && err.code) || 'error') + ').')),
        complete: () => undefined,
      },
    );
  }

  /** Runs `task` now and then `ms` after each run ends; now() runs it again at once. */
  function every(ms, task) {
    let timer = null;
    let running = false;
    let again = false;
    let stopped = false;
    async function tick() {
      timer = null;
      running = true;
      try {
        await task();
      } catch (err) {
        report(err);
      }
      running = false;
      if (stopped) return;
      timer = setTimeout(tick, again ? 0 : ms);
      again = false;
    }
    const loop = {
      now() {
        if (running) again = true;
        else if (timer) {
          clearTimeout(timer);
          tick();
        }
      },
      stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
      },
    };
    state.loops.push(loop);
    tick();
    return loop;
  }

  function report(err) {
    // A request that was in flight when staff signed out: nobody is looking.
    if (!state.token) return;
    if (err && (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN')) {
      signOut(err.code === 'FORBIDDEN' ? 'This token may not use the console: OPERATOR or ADMIN only.' : 'The token is no longer valid; sign in again.');
      return;
    }
    setStatus((err && err.code ? err.code + ': ' : '') + ((err && err.message) || String(err)), true);
  }

  function setStatus(message, failed) {
    const status = byId('status');
    status.textContent = message;
    status.className = failed ? 'status error' : 'status';
  }

  // ───── small helpers ─────

  function el(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function svg(tag, attributes, children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  const titled = (text) => {
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = text;
    return title;
  };

  const yuan = (cents) => '¥' + (cents / 100).toFixed(2);
  const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }) : '—');
  const hourLabel = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
  const shortId = (id) => (id.length > 10 ? id.slice(0, 8) + '…' : id);
  const minutes = (ms) => Math.max(0, Math.round(ms / 60000));

  function isLate(order, now) {
    if (order.status === 'OVERTIME') return true;
    return ACTIVE_STATUSES.includes(order.status) && order.deadlineAt !== null && Date.parse(order.deadlineAt) < now;
  }

  /** No position for longer than RIDER_LOCATION_TTL_SECONDS (60 s by default): dispatch no longer sees them. */
  function isSilent(rider, now) {
    return !rider.locationUpdatedAt || now - Date.parse(rider.locationUpdatedAt) > SILENT_AFTER_MS;
  }

  function distanceMeters(a, b) {
    const dLat = (a.lat - b.lat) * METERS_PER_DEGREE;
    const dLng = (a.lng - b.lng) * METERS_PER_DEGREE * Math.cos((((a.lat + b.lat) / 2) * Math.PI) / 180);
    return Math.round(Math.sqrt(dLat * dLat + dLng * dLng));
  }

  function decodeClaims(token) {
    try {
      const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(payload + '==='.slice((payload.length + 3) % 4)));
    } catch {
      return null;
    }
  }

  // ───── data ─────

  async function refreshMap() {
    const [riders, orders, flagged] = await Promise.all([
      allPages('SearchRiders', 'searchRiders', { filter: { statuses: ['IDLE', 'DELIVERING'] } }),
      allPages('OrdersOnMap', 'searchOrders', { filter: { statuses: ACTIVE_STATUSES } }),
      allPages('OrdersOnMap', 'searchOrders', { filter: { needsAttention: true } }),
    ]);
    const now = Date.now();
    state.riders = riders.filter((rider) => rider.location);
    state.orders = orders;
    const attention = new Map();
    for (const order of flagged) if (!FINISHED.has(order.status)) attention.set(order.id, order);
    for (const order of orders) if (isLate(order, now)) attention.set(order.id, order);
    state.attention = [...attention.values()].sort((a, b) => Number(isLate(b, now)) - Number(isLate(a, now)) || Date.parse(a.createdAt) - Date.parse(b.createdAt));
    if (state.selectedRiderId) {
      const data = await run('RiderTrail', { riderId: state.selectedRiderId, last: 100 });
      state.trail = data.riderTrail;
    }
    extendBounds();
    renderMap();
    renderAttention();
    renderFigures();
    setStatus('Updated ' + clock(new Date(now).toISOString()) + '.');
  }

  async function refreshShops() {
    const shops = await allPages('SearchMerchants', 'searchMerchants', {});
    state.shops = shops.filter((shop) => shop.location && !shop.suspended);
  }

  async function refreshFigures() {
    const thisHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    const data = await run('BusinessFigures', { from: new Date(thisHour - HOUR_MS).toISOString(), to: new Date(thisHour + HOUR_MS).toISOString(), bucket: 'HOUR' });
    state.figures = data.businessFigures;
    renderFigures();
  }

  async function refreshDetail() {
    const id = state.selectedOrderId;
    if (!id) return;
    const [info, audit] = await Promise.all([run('OrderInfo', { id: id }), run('AuditLog', { filter: { targetId: id }, first: 20 })]);
    if (state.selectedOrderId !== id) return;
    state.detail = info.order;
    state.audit = audit.auditLog.edges.map((edge) => edge.node);
    renderDetail();
  }

  // ───── the map ─────

  function mapPoints() {
    const points = [];
    for (const shop of state.shops) points.push(shop.location);
    for (const rider of state.riders) points.push(rider.location);
    for (const order of state.orders) points.push(order.deliveryLocation, order.merchant.location);
    for (const order of state.attention) points.push(order.deliveryLocation);
    return points.filter(Boolean);
  }

  function boundsOf(points) {
    if (!points.length) return null;
    let minLat = Infinity;
    let maxLat = -Infinity;
    let minLng = Infinity;
    let maxLng = -Infinity;
    for (const point of points) {
      minLat = Math.min(minLat, point.lat);
      maxLat = Math.max(maxLat, point.lat);
      minLng = Math.min(minLng, point.lng);
      maxLng = Math.max(maxLng, point.lng);
    }
    // At least ~1 km across, and a margin so that nothing sits on the edge.
    const padLat = Math.max((maxLat - minLat) * 0.08, 0.0045);
    const padLng = Math.max((maxLng - minLng) * 0.08, 0.0045);
    return { minLat: minLat - padLat, maxLat: maxLat + padLat, minLng: minLng - padLng, maxLng: maxLng + padLng };
  }

  const inside = (bounds, point) => point.lat >= bounds.minLat && point.lat <= bounds.maxLat && point.lng >= bounds.minLng && point.lng <= bounds.maxLng;

  /** The view only grows with the data (a steady map); "Fit to city" shrinks it to what is there. */
  function extendBounds() {
    const points = mapPoints();
    if (!state.bounds) {
      state.bounds = boundsOf(points);
      return;
    }
    if (points.every((point) => inside(state.bounds, point))) return;
    const b = state.bounds;
    state.bounds = boundsOf(points.concat([{ lat: b.minLat, lng: b.minLng }, { lat: b.maxLat, lng: b.maxLng }]));
  }

  function projection(bounds, width, height) {
    const midLat = (bounds.minLat + bounds.maxLat) / 2;
    const metersPerLng = METERS_PER_DEGREE * Math.cos((midLat * Math.PI) / 180);
    const widthMeters = (bounds.maxLng - bounds.minLng) * metersPerLng;
    const heightMeters = (bounds.maxLat - bounds.minLat) * METERS_PER_DEGREE;
    const scale = Math.min(width / widthMeters, height / heightMeters);
    const left = (width - widthMeters * scale) / 2;
    const top = (height - heightMeters * scale) / 2;
    return {
      scale: scale,
      x: (point) => left + (point.lng - bounds.minLng) * metersPerLng * scale,
      y: (point) => top + (bounds.maxLat - point.lat) * METERS_PER_DEGREE * scale,
    };
  }

  /** A street grid (every `step` meters, a major street every fifth) and a scale bar: the city without tiles. */
  function drawGrid(layer, width, height, scale) {
    const steps = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];
    const step = steps.find((meters) => meters * scale >= 45) || steps[steps.length - 1];
    const spacing = step * scale;
    for (let i = 0, x = spacing / 2; x < width && i < 400; i += 1, x += spacing) {
      layer.append(svg('line', { class: i % 5 === 2 ? 'street major' : 'street', x1: x, y1: 0, x2: x, y2: height }));
    }
    for (let i = 0, y = spacing / 2; y < height && i < 400; i += 1, y += spacing) {
      layer.append(svg('line', { class: i % 5 === 2 ? 'street major' : 'street', x1: 0, y1: y, x2: width, y2: y }));
    }
    const label = step >= 1000 ? step / 1000 + ' km' : step + ' m';
    layer.append(svg('line', { class: 'scale', x1: 12, y1: height - 14, x2: 12 + spacing, y2: height - 14 }));
    const text = svg('text', { class: 'scale-label', x: 12, y: height - 20 });
    text.textContent = label;
    layer.append(text);
  }

  function renderMap() {
    const map = byId('map');
    const width = map.clientWidth || 800;
    const height = map.clientHeight || 600;
    map.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    map.replaceChildren();
    const now = Date.now();
    if (!state.bounds) {
      const note = svg('text', { class: 'empty-note', x: 20, y: 30 });
      note.textContent = 'No shops, riders or orders yet.';
      map.append(note);
      renderCounts(now);
      return;
    }
    const project = projection(state.bounds, width, height);
    const layer = (name) => {
      const group = svg('g', { class: name });
      map.append(group);
      return group;
    };
    drawGrid(layer('streets'), width, height, project.scale);
    const routes = layer('routes');
    const shops = layer('shops');
    const orders = layer('orders');
    const riders = layer('riders');

    for (const shop of state.shops) {
      shops.append(svg('rect', { class: 'shop', x: project.x(shop.location) - 4, y: project.y(shop.location) - 4, width: 8, height: 8, 'data-merchant-id': shop.id }, [titled('Shop ' + shop.name)]));
    }
    const attentionIds = new Set(state.attention.map((order) => order.id));
    const drawn = new Map();
    for (const order of state.orders) drawn.set(order.id, order);
    for (const order of state.attention) if (!drawn.has(order.id)) drawn.set(order.id, order);
    const riderById = new Map(state.riders.map((rider) => [rider.id, rider]));
    for (const order of drawn.values()) {
      const at = order.deliveryLocation;
      const late = isLate(order, now);
      if (MOVING.has(order.status)) {
        // Where it is: with its rider when they are on the map, else somewhere from the shop.
        const carrier = order.riderId && riderById.get(order.riderId);
        const from = carrier ? carrier.location : order.merchant.location;
        routes.append(svg('line', { class: 'route', x1: project.x(from), y1: project.y(from), x2: project.x(at), y2: project.y(at) }));
      }
      const kind = late ? 'late' : WAITING.has(order.status) ? 'waiting' : 'moving';
      const why = [order.status, late ? 'late' : '', order.needsAttention ? 'needs attention' : ''].filter(Boolean).join(', ');
      const marker = svg(
        'circle',
        { class: 'order ' + kind, cx: project.x(at), cy: project.y(at), r: late || attentionIds.has(order.id) ? 7 : 5.5, 'data-order-id': order.id, 'data-status': order.status, onclick: () => selectOrder(order.id) },
        [titled('Order ' + order.id + ' (' + why + ') from ' + order.merchant.name + ' to ' + order.deliveryAddress)],
      );
      orders.append(marker);
      if (attentionIds.has(order.id)) orders.append(svg('circle', { class: 'attention-ring', cx: project.x(at), cy: project.y(at), r: 12 }));
      if (order.id === state.selectedOrderId) orders.append(svg('circle', { class: 'selected-ring', cx: project.x(at), cy: project.y(at), r: 17 }));
    }

    if (state.selectedRiderId && state.trail.length > 1) {
      const points = state.trail.map((point) => project.x(point).toFixed(1) + ',' + project.y(point).toFixed(1)).join(' ');
      riders.append(svg('polyline', { class: 'trail', points: points }));
    }
    for (const rider of state.riders) {
      const silent = isSilent(rider, now);
      const classes = 'rider ' + rider.status + (rider.suspended ? ' suspended' : '') + (silent ? ' silent' : '');
      riders.append(
        svg('circle', { class: classes, cx: project.x(rider.location), cy: project.y(rider.location), r: 6, 'data-rider-id': rider.id, 'data-status': rider.status, 'data-lat': rider.location.lat, 'data-lng': rider.location.lng, onclick: () => selectRider(rider.id) }, [
          titled('Rider ' + rider.name + ' (' + rider.id + '): ' + rider.status + (rider.suspended ? ', suspended' : '') + (silent ? ', silent' : '') + ', last reported ' + clock(rider.locationUpdatedAt)),
        ]),
      );
      if (rider.id === state.selectedRiderId) riders.append(svg('circle', { class: 'selected-ring', cx: project.x(rider.location), cy: project.y(rider.location), r: 11 }));
    }
    renderCounts(now);
  }

  function renderCounts(now) {
    const idle = state.riders.filter((rider) => rider.status === 'IDLE').length;
    const late = state.orders.filter((order) => isLate(order, now)).length;
    const waiting = state.orders.filter((order) => WAITING.has(order.status) && !isLate(order, now)).length;
    byId('map-counts').textContent =
      state.riders.length + ' riders (' + idle + ' idle, ' + (state.riders.length - idle) + ' delivering) · ' +
      state.orders.length + ' active orders (' + waiting + ' waiting, ' + (state.orders.length - waiting - late) + ' on the way, ' + late + ' late) · ' +
      state.shops.length + ' shops';
  }

  // ───── the side panels ─────

  function renderAttention() {
    const list = byId('attention');
    const now = Date.now();
    byId('attention-count').textContent = String(state.attention.length);
    list.replaceChildren();
    if (!state.attention.length) {
      list.append(el('li', { class: 'empty', text: 'Nothing needs attention.' }));
      return;
    }
    for (const order of state.attention) {
      const late = isLate(order, now);
      const reasons = [];
      if (late) reasons.push(order.deadlineAt ? 'late by ' + minutes(now - Date.parse(order.deadlineAt)) + ' min' : 'late');
      if (order.needsAttention) reasons.push(WAITING.has(order.status) ? 'no rider took it' : 'flagged');
      list.append(
        el('li', { class: [late ? 'late' : '', order.id === state.selectedOrderId ? 'selected' : ''].join(' '), 'data-order-id': order.id, onclick: () => selectOrder(order.id) }, [
          el('div', { class: 'line' }, [el('strong', { text: shortId(order.id), title: order.id }), el('span', { class: 'status-chip ' + order.status, text: order.status })]),
          el('div', { class: 'line' }, [el('span', { text: order.merchant.name }), el('span', { text: yuan(order.totalCents) })]),
          el('div', { class: 'why', text: reasons.join(' · ') + ' · placed ' + clock(order.createdAt) }),
        ]),
      );
    }
  }

  function renderFigures() {
    const box = byId('figures');
    const figures = state.figures;
    if (!figures) return;
    const now = Date.now();
    const [previous, current] = figures;
    const seconds = (value) => (value === null || value === undefined ? '—' : Math.round(value) + ' s');
    const percent = (value) => (value === null || value === undefined ? '—' : Math.round(value * 100) + '%');
    const rows = [
      ['Orders placed', (f) => f.ordersPlaced],
      ['Paid', (f) => f.ordersPaid],
      ['Delivered', (f) => f.ordersDelivered],
      ['Cancelled', (f) => f.ordersCancelled],
      ['GMV', (f) => yuan(f.gmvCents)],
      ['Paid → grab, avg', (f) => seconds(f.paidToGrabSecondsAvg)],
      ['Grab → delivery, avg', (f) => seconds(f.grabToDeliverySecondsAvg)],
      ['Late deliveries', (f) => f.overtimeDeliveries + ' (' + percent(f.overtimeRate) + ')'],
      ['Compensation', (f) => yuan(f.compensationCents)],
      ['Needed attention', (f) => f.ordersNeedingAttention],
    ];
    const since = Math.max(state.openedAt, now - HOUR_MS);
    const recent = state.activity.filter((frame) => Date.parse(frame.windowEnd) > now - HOUR_MS);
    const sum = (field) => recent.reduce((total, frame) => total + frame[field], 0);
    const table = el('table', {}, [
      el('thead', {}, [el('tr', {}, [el('th', { text: '' }), el('th', { text: hourLabel(Date.parse(previous.from)) + '–' + hourLabel(Date.parse(previous.to)) }), el('th', { text: hourLabel(Date.parse(current.from)) + '–now' })])]),
      el(
        'tbody',
        {},
        rows.map(([label, value]) => el('tr', {}, [el('td', { text: label }), el('td', { text: String(value(previous)) }), el('td', { text: String(value(current)) })])),
      ),
    ]);
    const live = el('table', { class: 'live' }, [
      el('tbody', {}, [
        el('tr', {}, [el('td', { text: 'Offers sent' }), el('td', { text: String(sum('offersSent')), 'data-figure': 'offersSent' })]),
        el('tr', {}, [el('td', { text: 'Grabs' }), el('td', { text: String(sum('grabs')), 'data-figure': 'grabs' })]),
        el('tr', {}, [el('td', { text: 'Offers expired' }), el('td', { text: String(sum('offerExpiries')) })]),
      ]),
    ]);
    box.replaceChildren(
      table,
      el('h3', { text: 'Dispatch, live since ' + hourLabel(since) }),
      live,
      el('p', { class: 'note', text: 'Hourly figures are per UTC hour (read models, refreshed every 15 s); dispatch counts add up the live DispatchActivity frames of the last 60 minutes this console received.' }),
    );
  }

  // ───── one order: timeline, interventions, audit ─────

  function selectOrder(id) {
    state.selectedOrderId = id;
    state.detail = null;
    state.audit = [];
    const panel = byId('detail');
    panel.hidden = false;
    panel.replaceChildren(el('p', { text: 'Loading order ' + id + '…' }));
    renderAttention();
    renderMap();
    refreshDetail().catch(report);
  }

  async function selectRider(id) {
    state.selectedRiderId = state.selectedRiderId === id ? null : id;
    state.trail = [];
    if (state.selectedRiderId) {
      try {
        state.trail = (await run('RiderTrail', { riderId: id, last: 100 })).riderTrail;
      } catch (err) {
        report(err);
      }
      const rider = state.riders.find((candidate) => candidate.id === id);
      if (rider) setStatus('Rider ' + rider.name + ' (' + rider.id + '), ' + rider.status + ': the line is their last ' + state.trail.length + ' reported points.');
    }
    renderMap();
  }

  const INTERVENTIONS = {
    redispatch: { label: 'Re-dispatch', allowed: (o) => WAITING.has(o.status), why: 'only a CREATED or NOTIFIED order goes back to dispatch' },
    reassign: { label: 'Reassign', allowed: (o) => MOVING.has(o.status), why: 'only a DELIVERING or OVERTIME order changes rider' },
    cancel: { label: 'Cancel', allowed: (o) => !['RECEIVED', 'COMPENSATING', 'CLOSED', 'CANCELLED'].includes(o.status), why: 'a delivered or cancelled order cannot be cancelled' },
    compensate: {
      label: 'Compensate',
      allowed: (o) => o.payment !== null && ['SUCCEEDED', 'PARTIALLY_REFUNDED'].includes(o.payment.status) && o.payment.amountCents > o.payment.refundedCents,
      why: 'only a paid order with money left to refund',
    },
  };

  function renderDetail() {
    const order = state.detail;
    const panel = byId('detail');
    if (!order) {
      panel.replaceChildren(el('p', { text: 'Order ' + state.selectedOrderId + ' is not visible.' }));
      return;
    }
    // An open intervention form and its last outcome survive the refresh.
    const form = panel.querySelector('form.intervention');
    const outcome = panel.querySelector('.outcome');
    const now = Date.now();
    const late = isLate(order, now);
    const info = el('dl', {}, [
      el('dt', { text: 'Order' }),
      el('dd', { text: order.id }),
      el('dt', { text: 'Status' }),
      el('dd', {}, [el('span', { class: 'status-chip ' + order.status, text: order.status }), late ? el('span', { class: 'why', text: ' late' }) : null]),
      el('dt', { text: 'Shop' }),
      el('dd', { text: order.merchant.name }),
      el('dt', { text: 'Deliver to' }),
      el('dd', { text: order.deliveryAddress }),
      el('dt', { text: 'Total' }),
      el('dd', { text: yuan(order.totalCents) + (order.payment ? ' · payment ' + order.payment.status + (order.payment.refundedCents ? ', refunded ' + yuan(order.payment.refundedCents) : '') : ' · unpaid') }),
      el('dt', { text: 'Rider' }),
      el('dd', { text: order.rider ? order.rider.name + ' (' + order.rider.id + ')' : '—' }),
      el('dt', { text: 'Deadline' }),
      el('dd', { text: clock(order.deadlineAt) }),
    ]);
    const actions = el(
      'div',
      { class: 'actions' },
      Object.entries(INTERVENTIONS).map(([action, { label, allowed, why }]) =>
        el('button', { type: 'button', 'data-action': action, disabled: !allowed(order), title: allowed(order) ? label + ' this order (asks for a reason)' : why, onclick: () => openForm(action) }, [document.createTextNode(label)]),
      ),
    );
    const timeline = el(
      'ol',
      { class: 'timeline' },
      order.timeline.map((change) => el('li', {}, [el('time', { text: clock(change.at) }), document.createTextNode(change.status)])),
    );
    const audit = el(
      'ul',
      { class: 'audit' },
      state.audit.length
        ? state.audit.map((entry) =>
            el('li', { 'data-action': entry.action }, [
              el('time', { text: clock(entry.at) }),
              document.createTextNode(entry.action + ' by ' + entry.actorId),
              entry.reason ? el('span', { class: 'reason', text: '“' + entry.reason + '”' }) : null,
            ]),
          )
        : [el('li', { text: 'No staff action on this order yet.' })],
    );
    const keep = (node) => (node && node.dataset.orderId === order.id ? [node] : []);
    panel.replaceChildren(
      el('h2', { text: 'Order ' + shortId(order.id) }),
      info,
      el('h3', { text: 'Interventions' }),
      actions,
      ...keep(form),
      ...keep(outcome),
      el('h3', { text: 'Timeline' }),
      timeline,
      el('h3', { text: 'Audit log' }),
      audit,
    );
  }

  function nearestIdleRiders(order, count) {
    const from = order.merchant.location;
    return state.riders
      .filter((rider) => rider.status === 'IDLE' && !rider.suspended && (!order.rider || rider.id !== order.rider.id))
      .map((rider) => ({ rider: rider, meters: distanceMeters(from, rider.location) }))
      .sort((a, b) => a.meters - b.meters)
      .slice(0, count);
  }

  function newKey() {
    return 'console-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);
  }

  function openForm(action) {
    const order = state.detail;
    const panel = byId('detail');
    const old = panel.querySelector('form.intervention');
    if (old) old.remove();
    const fields = [];
    const nearby = nearestIdleRiders(order, 5);
    const suggestion = nearby.length ? 'Nearest idle riders: ' + nearby.map((n) => n.rider.id + ' (' + n.meters + ' m)').join(', ') : 'No idle rider on the map.';
    if (action === 'redispatch') {
      fields.push(el('label', {}, [document.createTextNode('Radius in meters (optional, 1–50000)'), el('input', { name: 'radiusMeters', type: 'number', min: 1, max: 50000 })]));
      fields.push(el('label', {}, [document.createTextNode('Only these riders (optional, ids separated by commas)'), el('input', { name: 'riderIds', type: 'text', placeholder: suggestion })]));
    }
    if (action === 'reassign') {
      fields.push(
        el('label', {}, [
          document.createTextNode('New rider'),
          el(
            'select',
            { name: 'riderId', required: true },
            nearby.map((n) => el('option', { value: n.rider.id, text: n.rider.name + ' · ' + n.rider.id + ' · ' + n.meters + ' m from the shop' })),
          ),
        ]),
      );
      fields.push(el('label', {}, [document.createTextNode('…or a rider id'), el('input', { name: 'otherRiderId', type: 'text' })]));
    }
    if (action === 'compensate') {
      const left = order.payment ? order.payment.amountCents - order.payment.refundedCents : 0;
      fields.push(el('label', {}, [document.createTextNode('Amount in yuan (at most ' + yuan(left) + ')'), el('input', { name: 'amount', type: 'number', min: 0.01, step: 0.01, max: left / 100, required: true })]));
    }
    fields.push(el('label', {}, [document.createTextNode('Reason (kept in the audit log)'), el('textarea', { name: 'reason', rows: 2, maxlength: 500, required: true })]));
    const form = el(
      'form',
      { class: 'intervention', 'data-action': action, onsubmit: (event) => submitIntervention(event, action) },
      [el('strong', { text: INTERVENTIONS[action].label + ' order ' + shortId(order.id) })].concat(fields, [
        el('div', { class: 'buttons' }, [
          el('button', { type: 'button', onclick: () => form.remove() }, [document.createTextNode('Close')]),
          el('button', { type: 'submit', class: 'primary' }, [document.createTextNode(INTERVENTIONS[action].label)]),
        ]),
      ]),
    );
    form.dataset.orderId = order.id;
    // One idempotency key per form: a double click or a retry after a lost answer pays once.
    form.dataset.idempotencyKey = newKey();
    panel.querySelector('.actions').after(form);
    form.querySelector('textarea').focus();
  }

  async function submitIntervention(event, action) {
    event.preventDefault();
    const form = event.currentTarget;
    const orderId = form.dataset.orderId;
    const value = (name) => (form.elements[name] ? form.elements[name].value.trim() : '');
    const reason = value('reason');
    if (!reason) {
      showOutcome(orderId, false, 'A reason is required.');
      return;
    }
    let name;
    let variables;
    if (action === 'redispatch') {
      name = 'RedispatchOrder';
      variables = { orderId: orderId, reason: reason };
      if (value('radiusMeters')) variables.radiusMeters = Number(value('radiusMeters'));
      const riderIds = value('riderIds').split(',').map((id) => id.trim()).filter(Boolean);
      if (riderIds.length) variables.riderIds = riderIds;
    } else if (action === 'reassign') {
      name = 'ReassignOrder';
      variables = { orderId: orderId, riderId: value('otherRiderId') || value('riderId'), reason: reason };
    } else if (action === 'cancel') {
      name = 'CancelOrderAsStaff';
      variables = { orderId: orderId, reason: reason };
    } else {
      name = 'CompensateOrder';
      variables = { orderId: orderId, amountCents: Math.round(Number(value('amount')) * 100), reason: reason, idempotencyKey: form.dataset.idempotencyKey };
    }
    for (const button of form.querySelectorAll('button')) button.disabled = true;
    try {
      const data = await run(name, variables);
      const result = data[Object.keys(data)[0]];
      form.remove();
      showOutcome(orderId, true, INTERVENTIONS[action].label + ' done' + (result.status ? ': the order is ' + result.status : result.amountCents ? ': ' + yuan(result.amountCents) + ' refunded' : '') + '.');
    } catch (err) {
      for (const button of form.querySelectorAll('button')) button.disabled = false;
      showOutcome(orderId, false, (err.code ? err.code + ': ' : '') + err.message);
    }
    for (const loop of state.loops) loop.now();
  }

  function showOutcome(orderId, ok, message) {
    const panel = byId('detail');
    const old = panel.querySelector('.outcome');
    if (old) old.remove();
    const outcome = el('p', { class: 'outcome ' + (ok ? 'ok' : 'failed'), role: 'status', text: message });
    outcome.dataset.orderId = orderId;
    const form = panel.querySelector('form.intervention');
    (form || panel.querySelector('.actions')).after(outcome);
  }

  // ───── signing in and out ─────

  function showSignedIn() {
    const claims = state.claims || {};
    const who = byId('who');
    const expires = claims.exp ? ' · until ' + clock(new Date(claims.exp * 1000).toISOString()) : '';
    who.replaceChildren(
      el('span', { text: (claims.sub || 'staff') + ' (' + (Array.isArray(claims.roles) ? claims.roles.join(', ') : '?') + ')' + expires }),
      el('button', { type: 'button', id: 'sign-out', onclick: () => signOut('Signed out.') }, [document.createTextNode('Sign out')]),
    );
    byId('sign-in').hidden = true;
    byId('console').hidden = false;
  }

  function start() {
    state.openedAt = Date.now();
    state.activity = [];
    state.socket = openSocket();
    const mapLoop = every(MAP_REFRESH_MS, refreshMap);
    every(FIGURES_REFRESH_MS, refreshFigures);
    every(SHOPS_REFRESH_MS, async () => {
      await refreshShops();
      mapLoop.now();
    });
    every(DETAIL_REFRESH_MS, refreshDetail);
    listen('OrdersNeedingAttention', (data) => {
      const order = data.ordersNeedingAttention;
      setStatus('Order ' + order.id + ' (' + order.merchant.name + ') needs attention: ' + order.status + '.');
      mapLoop.now();
    });
    listen('DispatchActivity', (data) => {
      state.activity.push(data.dispatchActivity);
      // 720 frames: an hour of 5 s windows.
      if (state.activity.length > 720) state.activity.shift();
      renderFigures();
    });
    if (state.claims && state.claims.exp) {
      // setTimeout's limit is ~24.8 days; a staff token lives hours.
      const left = Math.min(state.claims.exp * 1000 - Date.now(), 2 ** 31 - 1);
      state.signOutTimer = setTimeout(() => signOut('The token expired; sign in again.'), Math.max(left, 0));
    }
  }

  function signOut(message) {
    for (const loop of state.loops) loop.stop();
    state.loops = [];
    if (state.socket) state.socket.dispose();
    state.socket = null;
    if (state.signOutTimer) clearTimeout(state.signOutTimer);
    state.token = null;
    state.claims = null;
    state.bounds = null;
    state.selectedOrderId = null;
    state.selectedRiderId = null;
    sessionStorage.removeItem(TOKEN_KEY);
    byId('who').replaceChildren();
    byId('detail').hidden = true;
    byId('console').hidden = true;
    byId('sign-in').hidden = false;
    byId('sign-in-error').textContent = message || '';
    setStatus('');
  }

  async function signIn(token) {
    state.token = token;
    const thisHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    try {
      // A staff-only query: it says at once whether the token is valid and is staff's.
      await run('BusinessFigures', { from: new Date(thisHour).toISOString(), to: new Date(thisHour + HOUR_MS).toISOString(), bucket: 'HOUR' });
    } catch (err) {
      state.token = null;
      sessionStorage.removeItem(TOKEN_KEY);
      byId('sign-in-error').textContent =
        err.code === 'UNAUTHENTICATED' ? 'This token is not valid: expired, or not signed by this platform.' : err.code === 'FORBIDDEN' ? 'This token is not staff’s: the console is for OPERATOR and ADMIN.' : err.message;
      return;
    }
    state.claims = decodeClaims(token);
    sessionStorage.setItem(TOKEN_KEY, token);
    byId('sign-in-error').textContent = '';
    showSignedIn();
    start();
  }

  byId('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = byId('token').value.trim().replace(/^Bearer\s+/i, '');
    byId('token').value = '';
    if (token) signIn(token);
  });
  byId('fit').addEventListener('click', () => {
    state.bounds = boundsOf(mapPoints());
    renderMap();
  });
  window.addEventListener('resize', () => {
    if (state.token) renderMap();
  });

  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved);
})();
