export * from './definition';
export * from './server';
export * from './client';
export * from './stock-api';
export * from './orders-api';
export * from './riders-api';
export * from './campaigns-api';
export * from './merchants-api';
