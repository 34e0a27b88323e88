export { startEngine, type EngineOptions, type RunningEngine } from './engine';
export { DEFAULT_CONFIG, type DeniableDecision, type EngineConfig } from './config';
export { systemClock, type Clock } from './clock';
export { EVENT_TYPES, type EventType } from './execution/events';
export type { LambdaInvoker, LambdaInvocation, LambdaOutcome } from './lambda/invoker';
export { LocalLambdaInvoker, type LambdaHandlerRef } from './lambda/local-invoker';
