#!/usr/bin/env tsx
/**
 * swf-local: an Amazon SWF-compatible engine on one machine.
 *   npm run swf-local -- --host 127.0.0.1 --port 8080 --db .swf-local/swf.sqlite
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { startEngine, type DeniableDecision } from '../lib/engine';
import { parseCredentials, type Credentials } from '../lib/engine/protocol/sigv4';

const USAGE = `Usage: swf-local [options]
  --host <addr>            interface to bind (default 127.0.0.1)
  --port <n>               port, 0 picks a free one (default 8080)
  --db <file>              SQLite database file (default .swf-local/swf.sqlite)
  --in-memory              keep nothing: an in-memory database
  --poll-timeout <s>       long-poll hold in seconds (default 60)
  --account-id <id>        account id used in ARNs (default 123456789012)
  --region <name>          region for requests without a SigV4 scope (default us-east-1)
  --empty-poll-token <m>   empty poll taskToken: "omit" (left out) or "empty" ("") (default omit)
  --require-heartbeat-timeout  fail ScheduleActivityTask without a heartbeat timeout
  --terminate-cause <c>    cause recorded for API terminations: OPERATOR_INITIATED or none
  --lambda-functions <f>   JSON map of Lambda function name -> { "module": path, "export": name }
  --child-policy-on-close  apply the child policy on every close, not only terminate/timeout
  --deny-decision <type>   make decisions of this type fail with OPERATION_NOT_PERMITTED,
                           as an IAM denial does on AWS (repeatable)
  --auth none|sigv4        verify SigV4 signatures (default none: any credentials work)
  --credentials <file>     with --auth sigv4: JSON { "<accessKeyId>": "<secretAccessKey>" }
  --default-jit            keep V8's default tier-up (the engine asks for optimized code sooner)
  -h, --help               show this help`;

/**
 * V8 optimizes a function once it has run a budget of bytecode (66 KB by default). The engine's
 * call path is many small functions each run once per call, so with the default they are still
 * being compiled thousands of calls in, and each call pays for the less optimized code meanwhile
 * (under a one-thread boto3 client, 0.23-0.25 ms of engine CPU per call over the 1,000 workflows
 * after a 300-workflow warm-up, against 0.19-0.21 once everything is compiled). A quarter of the
 * budget gets there within the first few hundred calls. Set before any engine code has run.
 */
const EARLY_TIER_UP = '--interrupt-budget=16384';

/** Decision types whose failure events have an OPERATION_NOT_PERMITTED cause. */
const DENIABLE: readonly string[] = [
  'ScheduleActivityTask',
  'RequestCancelActivityTask',
  'CompleteWorkflowExecution',
  'FailWorkflowExecution',
  'CancelWorkflowExecution',
  'ContinueAsNewWorkflowExecution',
  'RecordMarker',
  'StartTimer',
  'CancelTimer',
  'StartChildWorkflowExecution',
  'SignalExternalWorkflowExecution',
  'RequestCancelExternalWorkflowExecution',
];

function fail(message: string): never {
  console.error(`swf-local: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function main(): void {
  let args;
  try {
    args = parseArgs({
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8080' },
        db: { type: 'string', default: '.swf-local/swf.sqlite' },
        'in-memory': { type: 'boolean', default: false },
        'poll-timeout': { type: 'string', default: '60' },
        'account-id': { type: 'string' },
        region: { type: 'string' },
        'empty-poll-token': { type: 'string' },
        'require-heartbeat-timeout': { type: 'boolean', default: false },
        'terminate-cause': { type: 'string' },
        'lambda-functions': { type: 'string' },
        'child-policy-on-close': { type: 'boolean', default: false },
        'deny-decision': { type: 'string', multiple: true },
        auth: { type: 'string', default: 'none' },
        credentials: { type: 'string' },
        'default-jit': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  if (!args['default-jit']) setFlagsFromString(EARLY_TIER_UP);
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got ${args.port}`);
  const pollTimeout = Number(args['poll-timeout']);
  if (!(pollTimeout >= 0 && pollTimeout <= 3600)) fail(`--poll-timeout must be 0-3600 seconds, got ${args['poll-timeout']}`);
  const emptyPoll = args['empty-poll-token'];
  if (emptyPoll !== undefined && emptyPoll !== 'empty' && emptyPoll !== 'omit') fail('--empty-poll-token must be empty or omit');
  const cause = args['terminate-cause'];
  if (cause !== undefined && cause !== 'OPERATOR_INITIATED' && cause !== 'none') fail('--terminate-cause must be OPERATOR_INITIATED or none');
  const db = args['in-memory'] ? ':memory:' : args.db!;
  const denied = args['deny-decision'] ?? [];
  for (const type of denied) {
    if (!DENIABLE.includes(type)) fail(`--deny-decision must be one of ${DENIABLE.join(', ')}; got ${type}`);
  }
  if (args.auth !== 'none' && args.auth !== 'sigv4') fail('--auth must be none or sigv4');
  if (args.auth === 'sigv4' && !args.credentials) fail('--auth sigv4 needs --credentials <file>');
  let credentials: Credentials | undefined;
  if (args.auth === 'sigv4') {
    try {
      credentials = parseCredentials(readFileSync(args.credentials!, 'utf8'), args.credentials!);
    } catch (error) {
      fail((error as Error).message);
    }
  }

  startEngine({
    host: args.host!,
    port,
    db,
    pollTimeoutMs: pollTimeout * 1000,
    ...(args['account-id'] ? { accountId: args['account-id'] } : {}),
    ...(args.region ? { defaultRegion: args.region } : {}),
    ...(emptyPoll ? { emptyPollTaskToken: emptyPoll } : {}),
    requireHeartbeatTimeout: args['require-heartbeat-timeout']!,
    ...(cause ? { operatorTerminateCause: cause } : {}),
    ...(args['lambda-functions'] ? { lambdaFunctions: args['lambda-functions'] } : {}),
    childPolicyOnEveryClose: args['child-policy-on-close']!,
    ...(credentials ? { credentials } : {}),
    deniedDecisions: denied as DeniableDecision[],
  }).then(
    (engine) => {
      const persistence = db === ':memory:' ? 'in-memory (nothing is kept)' : `SQLite file ${db}`;
      console.log(`swf-local listening on ${engine.endpoint}`);
      console.log(`  persistence: ${persistence}`);
      if (engine.consoleUrl) console.log(`  console: ${engine.consoleUrl}`);
      console.log(`  long-poll hold: ${pollTimeout}s`);
      console.log(`  auth: ${credentials ? `SigV4, ${Object.keys(credentials).length} key(s)` : 'none (any credentials work)'}`);
      console.log(`  try: aws swf list-domains --registration-status REGISTERED --endpoint-url ${engine.endpoint}`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`swf-local: ${signal}, closing`);
        engine.close().then(() => process.exit(0));
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    },
    (error: Error) => {
      console.error(`swf-local: cannot start: ${error.message}`);
      process.exit(1);
    },
  );
}

main();
