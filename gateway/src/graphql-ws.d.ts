// tsconfig.base.json resolves modules the node10 way, which ignores package "exports";
// Node and Jest read them and load graphql-ws/use/ws from dist/use/ws.cjs.
declare module 'graphql-ws/use/ws' {
  export * from 'graphql-ws/dist/use/ws';
}
