export { startEngine, type EngineOptions, type RunningEngine } from './engine';
export { DEFAULT_CONFIG, type EngineConfig } from './config';
export { systemClock, type Clock } from './clock';
export { EVENT_TYPES, type EventType } from './execution/events';
