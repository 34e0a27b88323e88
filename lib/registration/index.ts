export * from './spec';
export * from './register';
export * from './handler';
