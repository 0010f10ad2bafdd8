/* global window, document, GraphiQL, graphqlWs, React, ReactDOM */
/*
 * The waimai playground: GraphiQL 3 (UMD) with queries and mutations over HTTP and
 * subscriptions over graphql-ws, both against this gateway's /graphql. The Authorization
 * header typed in the Headers editor goes on every HTTP request and, for subscriptions, in
 * the websocket's connection_init payload as { authorization }.
 */
(function () {
  'use strict';

  var httpUrl = window.location.origin + '/graphql';
  var wsUrl = (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + '/graphql';

  function headerValue(headers, name) {
    if (!headers) return undefined;
    for (var key in headers) {
      if (Object.prototype.hasOwnProperty.call(headers, key) && key.toLowerCase() === name) return headers[key];
    }
    return undefined;
  }

  // One socket per distinct Authorization value: a new token means a new connection_init.
  var socket = null;
  function wsClientFor(authorization) {
    var key = authorization || '';
    if (socket && socket.key === key) return socket.client;
    if (socket) socket.client.dispose();
    socket = {
      key: key,
      client: graphqlWs.createClient({
        url: wsUrl,
        lazy: true,
        retryAttempts: 0,
        connectionParams: authorization ? { authorization: authorization } : {},
      }),
    };
    return socket.client;
  }

  function isSubscription(documentAST, operationName) {
    if (!documentAST) return false;
    var operations = documentAST.definitions.filter(function (definition) {
      return definition.kind === 'OperationDefinition';
    });
    var chosen = operations.find(function (operation) {
      return operationName ? operation.name && operation.name.value === operationName : true;
    });
    if (!chosen && operations.length === 1) chosen = operations[0];
    return Boolean(chosen && chosen.operation === 'subscription');
  }

  // A socket closed by the server (4403 without a valid token, 4408 without connection_init)
  // arrives as a CloseEvent; GraphiQL shows errors best as Error objects.
  function readableError(error) {
    if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
      return new Error('The websocket closed with ' + error.code + (error.reason ? ': ' + error.reason : '') + '.');
    }
    return error;
  }

  var httpFetcher = GraphiQL.createFetcher({ url: httpUrl });

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    if (!isSubscription(options && options.documentAST, params.operationName)) return httpFetcher(params, options);
    var client = wsClientFor(headerValue(headers, 'authorization'));
    return {
      subscribe: function (observer) {
        var dispose = client.subscribe(params, {
          next: function (value) {
            observer.next(value);
          },
          error: function (error) {
            observer.error(readableError(error));
          },
          complete: function () {
            observer.complete();
          },
        });
        return { unsubscribe: dispose };
      },
    };
  }

  var defaultQuery = [
    '# waimai playground: queries and mutations go over HTTP,',
    '# subscriptions over a websocket.',
    '#',
    '# Operations that need a role need a token. Put',
    '#   {"Authorization": "Bearer <token>"}',
    '# in Headers below (`pnpm token` prints one).',
    '#',
    '# Staff (OPERATOR, ADMIN): the other tabs hold the back office\'s',
    '# operations, ready to run with a token from `pnpm seed`.',
    '',
    'query NearbyMerchants {',
    '  merchantsNearby(near: { lat: 31.2304, lng: 121.4737 }, first: 5) {',
    '    distanceMeters',
    '    merchant { id name address }',
    '  }',
    '}',
    '',
  ].join('\n');

  // The welcome tab, then the back office's examples (playground-tabs.js, from the contract).
  var defaultTabs = [{ query: defaultQuery }].concat(window.waimaiPlaygroundTabs || []);

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultTabs: defaultTabs,
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
